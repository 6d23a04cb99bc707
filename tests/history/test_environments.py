from __future__ import annotations

from pathlib import Path

import pytest

from squashkit.errors import ConfigError
from squashkit.history.environments import Environment, load_environments, select_environments
from squashkit.history.errors import EnvironmentNotFoundError
from squashkit.history.schemas import SchemaSelection


def write(root: Path, text: str) -> Path:
    (root / "pyproject.toml").write_text(text)
    return root


def test_tables_and_shorthands(tmp_path: Path) -> None:
    write(
        tmp_path,
        """
[tool.squashkit.environments.local]
database = "default"
settings = "mysite.settings"

[tool.squashkit.environments.staging]
dsn_env = "STAGING_DATABASE_URL"
schemas = ["tenant_*", "public"]

[tool.squashkit.environments.production]
snapshot = "snapshots/production.json"

[tool.squashkit.environments]
ci = "sqlite:///db.sqlite3"
tenants = "$TENANTS_URL"
replica = "replica"
old = "snapshots/old.json"
""",
    )
    envs = load_environments(tmp_path)
    assert list(envs) == ["local", "staging", "production", "ci", "tenants", "replica", "old"]
    assert envs["local"] == Environment("local", database="default", settings="mysite.settings")
    assert envs["staging"] == Environment(
        "staging", dsn_env="STAGING_DATABASE_URL", schemas=SchemaSelection(patterns=("tenant_*", "public"))
    )
    assert envs["production"].snapshot == tmp_path / "snapshots/production.json"
    assert envs["ci"].dsn == "sqlite:///db.sqlite3"
    assert envs["tenants"].dsn_env == "TENANTS_URL"
    assert envs["replica"].database == "replica"
    assert envs["old"].snapshot == tmp_path / "snapshots/old.json"


def test_all_schemas_flag(tmp_path: Path) -> None:
    write(tmp_path, '[tool.squashkit.environments.t]\ndsn_env = "X"\nschemas = true\n')
    assert load_environments(tmp_path)["t"].schemas == SchemaSelection(all=True)


def test_no_environments(tmp_path: Path) -> None:
    assert load_environments(tmp_path) == {}
    write(tmp_path, "[tool.squashkit]\nsettings = 'x.settings'\n")
    assert load_environments(tmp_path) == {}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("[tool.squashkit.environments.a]\n", "environments.a needs exactly one of dsn, dsn_env, database, snapshot"),
        (
            "[tool.squashkit.environments.a]\ndsn = 'x'\ndatabase = 'y'\n",
            "environments.a needs exactly one of dsn, dsn_env, database, snapshot",
        ),
        (
            "[tool.squashkit.environments.a]\ndsn = 'mysql://x'\n",
            "environments.a.dsn must start with sqlite:, postgresql: or postgres:",
        ),
        (
            "[tool.squashkit.environments.a]\ndatabase = 'x'\nhost = 'y'\n",
            "environments.a: unknown key(s) host (expected: database, description, dsn, dsn_env, schemas, settings, "
            "snapshot)",
        ),
        ("[tool.squashkit.environments.a]\ndatabase = 3\n", "environments.a.database must be a string"),
        (
            "[tool.squashkit.environments.a]\ndatabase = 'x'\nschemas = 3\n",
            'environments.a.schemas must be a list of schema names or patterns, "*" or true',
        ),
        ("[tool.squashkit.environments]\na = 3\n", "environments.a must be a table or a string"),
        ("[tool.squashkit]\nenvironments = 3\n", "environments must be a table"),
    ],
)
def test_config_errors(tmp_path: Path, body: str, reason: str) -> None:
    write(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_environments(tmp_path)
    assert str(info.value) == f"{tmp_path / 'pyproject.toml'}: [tool.squashkit]: {reason}"


def test_select_environments() -> None:
    envs = {name: Environment(name, database=name) for name in ("a", "b", "c")}
    assert [e.name for e in select_environments(envs, ["c", "a", "c"], False)] == ["c", "a"]
    assert [e.name for e in select_environments(envs, [], True)] == ["a", "b", "c"]
    with pytest.raises(EnvironmentNotFoundError) as info:
        select_environments(envs, ["prod"], False)
    assert str(info.value) == "No environment 'prod' (known environments: a, b, c)"
    assert info.value.exit_code == 2
    with pytest.raises(EnvironmentNotFoundError, match=r"known environments: none configured\)$"):
        select_environments({}, ["prod"], False)
