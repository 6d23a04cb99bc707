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
