from __future__ import annotations

import pytest

from squashkit.history.redact import dsn_password, redact_dsn, scrub


@pytest.mark.parametrize(
    ("dsn", "shown", "password"),
    [
        ("postgresql://app:s3cret@db:5432/shop", "postgresql://app:***@db:5432/shop", "s3cret"),
        ("postgres://app:p%40ss%3Aw@db/shop", "postgres://app:***@db/shop", "p@ss:w"),
        ("postgresql://app@db/shop", "postgresql://app@db/shop", None),
        ("postgresql://db/shop?password=x1&sslmode=require", "postgresql://db/shop?password=***&sslmode=require", "x1"),
        (
            "host=db user=app password='a b' dbname=shop",
            "host=db user=app password=*** dbname=shop",
            "a b",
        ),
        ("host=db password=plain dbname=shop", "host=db password=*** dbname=shop", "plain"),
        ("sqlite:///db.sqlite3", "sqlite:///db.sqlite3", None),
    ],
)
def test_redact_dsn(dsn: str, shown: str, password: str | None) -> None:
    assert redact_dsn(dsn) == shown
    assert dsn_password(dsn) == password


def test_scrub_removes_known_secrets_plain_and_quoted() -> None:
    text = 'failed for "p@ss:w" (postgresql://app:p%40ss%3Aw@db/shop) password=p@ss:w'
    assert scrub(text, ["p@ss:w"]) == 'failed for "***" (postgresql://app:***@db/shop) password=***'


def test_scrub_ignores_empty_secrets() -> None:
    assert scrub("nothing to hide", [None, ""]) == "nothing to hide"


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://app:p@ss/w@rd@db.example:5432/shop",
        "postgresql://app:s3/cr@t@db.example:5432/shop",
        "postgresql://app:@@@db.example:5432/shop",
    ],
)
def test_unencoded_at_or_slash_in_a_password_is_masked_whole(dsn: str) -> None:
    """Everything between ``://`` and the last ``@``: no fragment of the password in the label or source."""
    from squashkit.history.collect import default_dsn_name
    from squashkit.history.redact import encode_password

    assert redact_dsn(dsn) == "postgresql://app:***@db.example:5432/shop"
    assert default_dsn_name(dsn) == "shop"
    password = dsn.split("://app:", 1)[1].rsplit("@", 1)[0]
    assert dsn_password(dsn) == password
    # handed to libpq with the password percent-encoded, so the host is the one after the last "@"
    assert encode_password(dsn).endswith("@db.example:5432/shop")
    assert "@" not in encode_password(dsn).split("://app:", 1)[1].rsplit("@", 1)[0]


def test_password_is_encoded_exactly_for_libpq() -> None:
    from squashkit.history.redact import encode_password

    assert encode_password("postgresql://app:s3/cr@t@db/shop") == "postgresql://app:s3%2Fcr%40t@db/shop"
    assert encode_password("postgresql://app:p%40ss@db/shop") == "postgresql://app:p%40ss@db/shop"  # once
    assert encode_password("postgresql://app@db/shop") == "postgresql://app@db/shop"
    assert encode_password("host=db password=x") == "host=db password=x"


def test_key_value_passwords_quoted_or_not() -> None:
    assert dsn_password("host=db password='it\\'s a\\\\b' dbname=x") == "it's a\\b"
    assert dsn_password("host=db password=abc' dbname=x") == "abc'"
    assert dsn_password("host=db password='abc dbname=x") == "'abc"


def test_scrub_replaces_longer_secrets_first_and_every_quoted_form() -> None:
    assert scrub("x abcde y", ["bcd", "abcde"]) == "x *** y"
    assert scrub("a%2Fb%20c and a/b%20c and a/b c", ["a/b c"]) == "*** and *** and ***"
