"""Named environments: ``[tool.squashkit.environments]`` of the project's pyproject.toml.

Each environment is one source of applied state::

    [tool.squashkit.environments.local]
    database = "default"                  # an alias of the project's Django settings
    settings = "mysite.settings"          # optional; else [tool.squashkit] settings or manage.py

    [tool.squashkit.environments.staging]
    dsn_env = "STAGING_DATABASE_URL"      # a DSN read from this environment variable (never stored)
    schemas = ["tenant_*", "public"]      # optional: tenant schemas, names or globs; "*" or true: all

    [tool.squashkit.environments.production]
    snapshot = "snapshots/production.json"   # written by `squashkit history snapshot production`

    [tool.squashkit.environments.ci]
    dsn = "sqlite:///db.sqlite3"          # a literal DSN (keep passwords out of pyproject.toml: use dsn_env)

A string is a shorthand: ``"$VAR"`` (``dsn_env``), a DSN (``sqlite:``/``postgresql:``/``postgres:``), a path
ending in ``.json`` (``snapshot``), else an alias name (``database``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from squashkit.config import Config, load_config
from squashkit.errors import ConfigError
from squashkit.history.errors import EnvironmentNotFoundError
from squashkit.history.schemas import SchemaSelection

__all__ = ["DSN_SCHEMES", "Environment", "load_environments", "select_environments"]

DSN_SCHEMES = ("sqlite:", "postgresql:", "postgres:")
_KINDS = ("dsn", "dsn_env", "database", "snapshot")
_KEYS = {*_KINDS, "settings", "schemas", "description"}


@dataclass(frozen=True)
class Environment:
    name: str
    dsn: str | None = None
    dsn_env: str | None = None
    database: str | None = None
    snapshot: Path | None = None
    settings: str | None = None
    schemas: SchemaSelection = field(default_factory=SchemaSelection)
    description: str = ""


def _parse(name: str, value: Any, root: Path, path: Path) -> Environment:
    where = f"environments.{name}"
    if isinstance(value, str):
        if value.startswith("$"):
            value = {"dsn_env": value[1:]}
        elif value.startswith(DSN_SCHEMES):
            value = {"dsn": value}
        elif value.endswith(".json"):
            value = {"snapshot": value}
        else:
            value = {"database": value}
    if not isinstance(value, dict):
        raise ConfigError(path, f"{where} must be a table or a string")
    unknown = sorted(set(value) - _KEYS)
    if unknown:
        raise ConfigError(path, f"{where}: unknown key(s) {', '.join(unknown)} (expected: {', '.join(sorted(_KEYS))})")
    kinds = [k for k in _KINDS if k in value]
    if len(kinds) != 1:
        raise ConfigError(path, f"{where} needs exactly one of {', '.join(_KINDS)}")
    for key in (*_KINDS, "settings", "description"):
        if key in value and not isinstance(value[key], str):
            raise ConfigError(path, f"{where}.{key} must be a string")
    if "dsn" in value and not value["dsn"].startswith(DSN_SCHEMES):
        raise ConfigError(path, f"{where}.dsn must start with sqlite:, postgresql: or postgres:")
    schemas_value = value.get("schemas")
    if schemas_value is not None and not (
        isinstance(schemas_value, (bool, str))
        or (isinstance(schemas_value, list) and all(isinstance(s, str) for s in schemas_value))
    ):
        raise ConfigError(path, f'{where}.schemas must be a list of schema names or patterns, "*" or true')
    snapshot = Path(value["snapshot"]) if "snapshot" in value else None
    if snapshot is not None and not snapshot.is_absolute():
        snapshot = root / snapshot
    return Environment(
        name=name,
        dsn=value.get("dsn"),
        dsn_env=value.get("dsn_env"),
        database=value.get("database"),
        snapshot=snapshot,
        settings=value.get("settings"),
        schemas=SchemaSelection.of(schemas_value),
        description=value.get("description", ""),
    )


def load_environments(root: Path, config: Config | None = None) -> dict[str, Environment]:
    """Every environment configured for the project, in file order."""
    config = config if config is not None else load_config(root)
    table: Any = config.raw.get("environments", {})
    if not table:
        return {}
    path = config.path or root / "pyproject.toml"
    if not isinstance(table, Mapping):
        raise ConfigError(path, "environments must be a table")
    return {name: _parse(name, value, root, path) for name, value in table.items()}


def select_environments(
    environments: Mapping[str, Environment], names: tuple[str, ...] | list[str], all_envs: bool
) -> list[Environment]:
    """``--env`` names (in the order given) or every environment with ``--all-envs``."""
    if all_envs:
        return list(environments.values())
    chosen: list[Environment] = []
    for name in names:
        if name not in environments:
            raise EnvironmentNotFoundError(name, list(environments))
        if environments[name] not in chosen:
            chosen.append(environments[name])
    return chosen
