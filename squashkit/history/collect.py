"""Gather applied state from every source asked for.

Sources, in the order they are given: environments (``--env`` / ``--all-envs``), Django aliases
(``--database`` with ``--settings``), DSNs (``--dsn [NAME=]DSN``) and snapshots (``--snapshot [NAME=]FILE``).
A source that cannot be read becomes a :class:`SourceFailure` naming its environment; the others still
answer.  Nothing is ever written to a database.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from squashkit.config import Config, discover_settings, load_config
from squashkit.history.environments import DSN_SCHEMES, Environment, load_environments, select_environments
from squashkit.history.errors import SnapshotError, SourceError
from squashkit.history.model import AppliedSet, AppliedState, SourceFailure
from squashkit.history.redact import dsn_password, encode_password, redact_dsn
from squashkit.history.schemas import SchemaSelection

__all__ = ["SourceSpec", "collect_applied", "parse_named", "read_source", "resolve_sources"]

log = logging.getLogger("squashkit.history")

#: sources read at the same time
MAX_PARALLEL = 8

_NAMED = re.compile(r"^(?P<name>[A-Za-z_][\w.-]*)=(?P<value>.+)$")
_KEYWORD = re.compile(r"^\w+\s*=")
_DBNAME = re.compile(r"\bdbname\s*=\s*'?(?P<name>[^'\s]+)")


@dataclass(frozen=True)
class SourceSpec:
    """One source to read: ``kind`` is ``dsn``, ``dsn_env``, ``database`` or ``snapshot``."""

    env: str
    kind: str
    value: str
    settings: str | None = None
    schemas: SchemaSelection = field(default_factory=SchemaSelection)
    #: the folder a relative SQLite or snapshot path resolves against (None: the project root, which is the
    #: folder of the pyproject.toml that configures environments)
    base: Path | None = None

    def describe(self) -> str:
        if self.kind == "dsn":
            return redact_dsn(self.value)
        if self.kind == "dsn_env":
            return f"${self.value}"
        if self.kind == "database":
            return f"alias {self.value!r} of {self.settings or 'unknown settings'}"
        return f"snapshot {self.value}"


def parse_named(value: str, *, dsn: bool) -> tuple[str | None, str]:
    """``NAME=VALUE`` or ``VALUE``; a DSN is never split at an ``=`` that belongs to it."""
    match = _NAMED.match(value)
    if match is None:
        return None, value
    rest = match.group("value")
    if dsn and not rest.startswith(DSN_SCHEMES) and not _KEYWORD.match(rest):
        return None, value  # "host=db dbname=x" is a key/value DSN, not NAME=DSN
    return match.group("name"), rest


def default_dsn_name(dsn: str) -> str:
    """A label for an unnamed DSN: the SQLite file's stem or the database name (never anything secret)."""
    if not dsn.startswith(DSN_SCHEMES):
        if "://" in dsn:  # an unsupported scheme (mysql://...): named after it, never "postgresql"
            return dsn.split("://", 1)[0] or "dsn"
        if "=" not in dsn:  # a bare path
            return Path(dsn).stem or "dsn"
        match = _DBNAME.search(dsn)
        return match.group("name") if match else "postgresql"
    if dsn.startswith("sqlite:"):
        return Path(dsn.split(":", 1)[1].lstrip("/") or "sqlite").stem or "sqlite"
    # The database name after the host: what follows the LAST "@" (an unencoded "@" or "/" in a password
    # must not leak into the label), then the first "/".
    netloc_and_path = dsn.split("://", 1)[-1].rsplit("@", 1)[-1]
    path = unquote(netloc_and_path.partition("/")[2].partition("?")[0]).strip("/")
    return path or "postgresql"


def resolve_sources(
    root: Path,
    *,
    envs: Sequence[str] = (),
    all_envs: bool = False,
    settings: str | None = None,
    database: str | Sequence[str] | None = None,
    dsns: Sequence[str] = (),
    snapshots: Sequence[str | Path] = (),
    schemas: bool | str | Sequence[str] | SchemaSelection | None = None,
    all_schemas: bool = False,
    config: Config | None = None,
    base: Path | None = None,
) -> list[SourceSpec]:
    """The sources the options name (raises for unknown environments or malformed configuration).

    Relative paths in ``dsns`` and ``snapshots`` resolve against ``base`` (the CLI passes the current
    folder), those of configured environments against the project root (where pyproject.toml is).
    """
    config = config if config is not None else load_config(root)
    override: SchemaSelection | None = None
    if all_schemas:
        override = SchemaSelection(all=True)
    elif isinstance(schemas, SchemaSelection):
        override = schemas if not schemas.search_path else None
    elif schemas:
        override = SchemaSelection.of(schemas)
    specs: list[SourceSpec] = []
    environments: dict[str, Environment] = load_environments(root, config) if (envs or all_envs) else {}
    for env in select_environments(environments, list(envs), all_envs):
        selection = override or env.schemas
        if env.snapshot is not None:
            specs.append(SourceSpec(env.name, "snapshot", str(env.snapshot)))
        elif env.database is not None:
            specs.append(SourceSpec(env.name, "database", env.database, env.settings or settings, selection))
        elif env.dsn_env is not None:
            specs.append(SourceSpec(env.name, "dsn_env", env.dsn_env, schemas=selection))
        elif env.dsn is not None:
            specs.append(SourceSpec(env.name, "dsn", env.dsn, schemas=selection))
    aliases = [database] if isinstance(database, str) else list(database or ())
    for alias in aliases:
        specs.append(SourceSpec(alias, "database", alias, settings, override or SchemaSelection()))
    for item in dsns:
        name, dsn = parse_named(item, dsn=True)
        specs.append(
            SourceSpec(name or default_dsn_name(dsn), "dsn", dsn, schemas=override or SchemaSelection(), base=base)
        )
    for snapshot_item in snapshots:
        label, snapshot = parse_named(str(snapshot_item), dsn=False)
        specs.append(SourceSpec(label or "", "snapshot", snapshot, base=base))
    return specs


def _read_dsn(
    spec: SourceSpec, dsn: str, root: Path, source: str, secrets: list[str | None]
) -> tuple[list[AppliedSet], list[SourceFailure]]:
    from squashkit.history.postgres import read_postgres
    from squashkit.history.sqlite import read_sqlite, sqlite_path

    if dsn.startswith("sqlite:"):
        return [read_sqlite(sqlite_path(dsn, root), spec.env, source)], []
    if dsn.startswith(("postgresql:", "postgres:")) or ("=" in dsn and "://" not in dsn):
        return read_postgres(encode_password(dsn), spec.env, source, spec.schemas, secrets=secrets)
    if "://" in dsn:
        scheme = dsn.split("://", 1)[0]
        reason = f"unsupported DSN scheme {scheme}:// (expected sqlite:///path or postgresql://...)"
    else:
        reason = "not a DSN: a SQLite file is written sqlite:///relative.db or sqlite:////absolute.db"
    raise SourceError(spec.env, source, reason)


def read_source(
    spec: SourceSpec, root: Path, config: Config | None = None
) -> tuple[list[AppliedSet], list[SourceFailure]]:
    """Read one source; raises :class:`SourceError` / :class:`SnapshotError` when it cannot be read."""
    from squashkit.history.django_alias import alias_params, postgres_conninfo
    from squashkit.history.postgres import read_postgres
    from squashkit.history.snapshot import read_snapshot
    from squashkit.history.sqlite import read_sqlite

    if spec.kind == "snapshot":
        path = Path(spec.value)
        path = path if path.is_absolute() else (spec.base or root) / path
        return read_snapshot(path, spec.env or None), []
    if spec.kind == "dsn":
        return _read_dsn(spec, spec.value, spec.base or root, redact_dsn(spec.value), [dsn_password(spec.value)])
    if spec.kind == "dsn_env":
        dsn = os.environ.get(spec.value)
        if not dsn:
            raise SourceError(spec.env, f"${spec.value}", f"environment variable {spec.value} is not set")
        return _read_dsn(spec, dsn, root, f"${spec.value} ({redact_dsn(dsn)})", [dsn_password(dsn)])
    settings = spec.settings or discover_settings(root, config)
    if not settings:
        raise SourceError(
            spec.env,
            f"alias {spec.value!r}",
            "no Django settings to read the alias from (pass --settings or set [tool.squashkit] settings)",
        )
    params = alias_params(root, settings, spec.value, spec.env)
    source = params.describe()
    if params.vendor == "sqlite":
        path = Path(params.name)
        return [read_sqlite(path if path.is_absolute() else root / path, spec.env, source)], []
    return read_postgres(postgres_conninfo(params), spec.env, source, spec.schemas, secrets=[params.password])


def collect_applied(
    root: Path,
    *,
    envs: Sequence[str] = (),
    all_envs: bool = False,
    settings: str | None = None,
    database: str | Sequence[str] | None = None,
    dsns: Sequence[str] = (),
    snapshots: Sequence[str | Path] = (),
    schemas: bool | str | Sequence[str] | SchemaSelection | None = None,
    all_schemas: bool = False,
    config: Config | None = None,
    base: Path | None = None,
) -> AppliedState:
    """Applied state of every source named (see :func:`resolve_sources`); failures are collected, not raised.

    Relative paths of ``dsns`` and ``snapshots`` resolve against ``base`` (default: ``root``); those written in
    ``[tool.squashkit.environments]`` against the project root, where that pyproject.toml is.

    Raises :class:`~squashkit.history.errors.EnvironmentNotFoundError` for an unknown ``--env`` and
    :class:`~squashkit.errors.ConfigError` for a malformed ``[tool.squashkit.environments]``.
    With no source at all the state is empty (``known`` is False).
    """
    root = Path(root).resolve()
    config = config if config is not None else load_config(root)
    specs = resolve_sources(
        root,
        envs=envs,
        all_envs=all_envs,
        settings=settings,
        database=database,
        dsns=dsns,
        snapshots=snapshots,
        schemas=schemas,
        all_schemas=all_schemas,
        config=config,
        base=Path(base).resolve() if base is not None else None,
    )

    def read(spec: SourceSpec) -> tuple[list[AppliedSet], list[SourceFailure]]:
        try:
            got, failed = read_source(spec, root, config)
        except SourceError as exc:
            log.info("%s", exc.message)
            return [], [SourceFailure(exc.env or spec.env, exc.source, exc.reason, exc.schema)]
        except SnapshotError as exc:
            log.info("%s", exc.message)
            return [], [SourceFailure(spec.env or Path(spec.value).stem, spec.describe(), exc.message)]
        for failure in failed:
            log.info("%s", failure)
        return got, failed

    # Sources are independent: read them concurrently (network waits and Django subprocesses overlap, so one
    # unreachable host does not delay the others), and report them in the order they were given.
    if len(specs) > 1:
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(specs))) as pool:
            results = list(pool.map(read, specs))
    else:
        results = [read(spec) for spec in specs]
    sets: list[AppliedSet] = []
    failures: list[SourceFailure] = []
    for got, failed in results:
        sets += got
        failures += failed
    return AppliedState(tuple(sets), tuple(failures))
