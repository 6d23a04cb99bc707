"""collect_applied over several real sources at once; a failing source never hides the others."""

from __future__ import annotations

from pathlib import Path

import pytest

from squashkit.graph.model import MigrationKey
from squashkit.history import AppliedState, SourceFailure, collect_applied
from squashkit.history.collect import default_dsn_name, parse_named
from squashkit.history.errors import EnvironmentNotFoundError
from squashkit.history.snapshot import snapshot_dict, write_snapshot

CONFIG = """
[tool.squashkit.environments.local]
database = "default"

[tool.squashkit.environments.ci]
dsn = "sqlite:///partial.db"

[tool.squashkit.environments.staging]
dsn_env = "SQUASHKIT_TEST_STAGING_URL"

[tool.squashkit.environments.production]
snapshot = "snapshots/production.json"
"""


def test_parse_named() -> None:
    assert parse_named("ci=sqlite:///x.db", dsn=True) == ("ci", "sqlite:///x.db")
    assert parse_named("sqlite:///x.db", dsn=True) == (None, "sqlite:///x.db")
    assert parse_named("host=db dbname=x", dsn=True) == (None, "host=db dbname=x")
    assert parse_named("prod=snap.json", dsn=False) == ("prod", "snap.json")
    assert default_dsn_name("sqlite:///data/ci.db") == "ci"
    assert default_dsn_name("postgresql://u:p@h/shop") == "shop"
    assert default_dsn_name("postgresql://u:p@h") == "postgresql"
    assert parse_named("kv=host=db password=x", dsn=True) == ("kv", "host=db password=x")
    assert default_dsn_name("host=db password=x dbname=shop") == "shop"
    assert default_dsn_name("host=db password=x") == "postgresql"


@pytest.mark.slow
def test_no_source_is_unknown_state(history_shop: Path) -> None:
    state = collect_applied(history_shop)
    assert state == AppliedState()
    assert not state.known


@pytest.mark.django
def test_environments_of_every_kind(history_shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (history_shop / "pyproject.toml").write_text(CONFIG)
    write_snapshot(
        history_shop / "snapshots/production.json",
        snapshot_dict("production", collect_applied(history_shop, dsns=["sqlite:///full.db"]).sets),
    )
    monkeypatch.setenv("SQUASHKIT_TEST_STAGING_URL", f"sqlite:///{history_shop / 'empty.db'}")
    state = collect_applied(history_shop, all_envs=True)
    assert state.failures == ()
    assert state.labels == ["local", "ci", "staging", "production"]
    local, ci, staging, production = state.sets
    assert local.source == "alias 'default' of shopsite.settings (sqlite db.sqlite3)"
    assert ci.source == "sqlite:///partial.db"
    assert staging.source == f"$SQUASHKIT_TEST_STAGING_URL (sqlite:///{history_shop / 'empty.db'})"
    assert production.kind == "snapshot"
    assert staging.rows == ()
    assert local.applied == production.applied
    key = MigrationKey("sales", "0001_initial")
    assert state.applied_in(key) == ["local", "ci", "production"]
    assert state.applied_in(MigrationKey("sales", "0002_order_n")) == ["local", "production"]
    assert state.by_label()["ci"] == ci.applied


def test_failures_name_their_environment_and_others_still_report(
    history_shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (history_shop / "pyproject.toml").write_text(CONFIG)
    monkeypatch.delenv("SQUASHKIT_TEST_STAGING_URL", raising=False)
    state = collect_applied(history_shop, envs=["staging", "production", "ci"], dsns=["gone=sqlite:///gone.db"])
    assert state.known
    assert state.labels == ["ci"]
    assert state.failures == (
        SourceFailure(
            "staging", "$SQUASHKIT_TEST_STAGING_URL", "environment variable SQUASHKIT_TEST_STAGING_URL is not set"
        ),
        SourceFailure(
            "production",
            f"snapshot {history_shop / 'snapshots/production.json'}",
            f"{history_shop / 'snapshots/production.json'}: snapshot file does not exist",
        ),
        SourceFailure("gone", "sqlite:///gone.db", f"database file does not exist: {history_shop / 'gone.db'}"),
    )


def test_unknown_environment(history_shop: Path) -> None:
    (history_shop / "pyproject.toml").write_text(CONFIG)
    with pytest.raises(EnvironmentNotFoundError) as info:
        collect_applied(history_shop, envs=["prod"])
    assert str(info.value) == "No environment 'prod' (known environments: ci, local, production, staging)"


@pytest.mark.django
def test_django_alias_with_explicit_settings(history_shop: Path) -> None:
    state = collect_applied(history_shop, settings="shopsite.settings", database="default")
    assert state.labels == ["default"]
    assert len(state.sets[0].rows) == 10


@pytest.mark.django
def test_django_alias_errors(history_shop: Path) -> None:
    state = collect_applied(history_shop, settings="shopsite.settings", database=["replica"])
    assert state.failures == (
        SourceFailure(
            "replica",
            "alias 'replica' of shopsite.settings",
            "no database alias 'replica' in settings (known aliases: default)",
        ),
    )
    (history_shop / "manage.py").write_text("")
    state = collect_applied(history_shop, database="default")
    assert state.failures[0].message == (
        "no Django settings to read the alias from (pass --settings or set [tool.squashkit] settings)"
    )
    state = collect_applied(history_shop, settings="nope.settings", database="default")
    assert state.failures[0].message == "cannot load settings: ModuleNotFoundError: No module named 'nope'"


@pytest.mark.django
def test_django_alias_does_not_create_a_missing_database(history_shop: Path) -> None:
    (history_shop / "db.sqlite3").unlink()
    state = collect_applied(history_shop, settings="shopsite.settings", database="default")
    assert state.failures[0].message == f"database file does not exist: {history_shop / 'db.sqlite3'}"
    assert not (history_shop / "db.sqlite3").exists()


@pytest.mark.parametrize(
    "dsn",
    [
        "bad=postgresql://app:S3cretPW@db:notaport/x",
        "host=127.0.0.1 password=S3cretPW junk",
        "postgresql://app:S3cret%20PW@127.0.0.1:1/x?sslmode=bogus",
        "host=127.0.0.1 port=1 password='S3cret PW' dbname=x",
        "postgresql://127.0.0.1:1/x?password=S3cretPW",
    ],
)
def test_malformed_or_unreachable_dsns_never_echo_the_password(tmp_path: Path, dsn: str, caplog) -> None:
    caplog.set_level("DEBUG")
    state = collect_applied(tmp_path, dsns=[dsn])
    [failure] = state.failures
    assert failure.message.startswith("cannot connect: ")
    assert "S3cret" not in repr(state) + caplog.text


def test_schema_options_override_an_environments_configured_schemas(tmp_path: Path) -> None:
    """``--env staging --schema tenant_b`` reads tenant_b only, not staging's configured ``tenant_*``; with no
    option the configuration holds (a mutation swapping the two was not caught before)."""
    from squashkit.history.collect import resolve_sources
    from squashkit.history.schemas import SchemaSelection

    (tmp_path / "pyproject.toml").write_text(
        '[tool.squashkit.environments.staging]\ndsn_env = "STAGING_URL"\nschemas = ["tenant_*"]\n'
    )
    [configured] = resolve_sources(tmp_path, envs=["staging"])
    assert configured.schemas == SchemaSelection(patterns=("tenant_*",))
    [named] = resolve_sources(tmp_path, envs=["staging"], schemas=["tenant_b"])
    assert named.schemas == SchemaSelection(patterns=("tenant_b",))
    [every] = resolve_sources(tmp_path, envs=["staging"], all_schemas=True)
    assert every.schemas == SchemaSelection(all=True)
