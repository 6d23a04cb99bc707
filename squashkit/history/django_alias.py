"""Database aliases of the project's own settings (``--settings`` + ``--database ALIAS``).

Django is set up in a subprocess (the ``aliases`` action of :mod:`squashkit._django`) only to learn the
alias's connection parameters; the rows are then read
by squashkit's own read-only readers (:mod:`squashkit.history.sqlite`, :mod:`squashkit.history.postgres`),
so that nothing is ever created or written (Django would create a missing SQLite file on connect).  The
parameters travel through a pipe and are never printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from squashkit.errors import DjangoError
from squashkit.history.errors import SourceError
from squashkit.history.redact import scrub

__all__ = ["AliasParams", "alias_params", "postgres_conninfo"]

#: Keys of Django's PostgreSQL OPTIONS that are not libpq connection parameters.
_DJANGO_ONLY_OPTIONS = {"isolation_level", "server_side_binding", "assume_role", "pool", "cursor_factory"}


@dataclass(frozen=True)
class AliasParams:
    alias: str
    settings: str
    vendor: str  # "sqlite", "postgresql", or the engine's last dotted part
    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""
    options: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        if self.vendor == "sqlite":
            where = self.name
        else:
            user = f"{self.user}@" if self.user else ""
            host = self.host or "localhost"
            port = f":{self.port}" if self.port else ""
            where = f"postgresql://{user}{host}{port}/{self.name}" if self.vendor == "postgresql" else self.name
        return f"alias {self.alias!r} of {self.settings} ({self.vendor} {where})"


def postgres_conninfo(params: AliasParams) -> str:
    from psycopg.conninfo import make_conninfo

    kwargs: dict[str, Any] = {k: v for k, v in params.options if k not in _DJANGO_ONLY_OPTIONS}
    for key, value in (
        ("dbname", params.name),
        ("host", params.host),
        ("port", params.port),
        ("user", params.user),
        ("password", params.password),
    ):
        if value:
            kwargs[key] = value
    return make_conninfo("", **kwargs)


def alias_params(root: Path, settings: str, alias: str, env: str, *, timeout: float | None = None) -> AliasParams:
    """Connection parameters of ``alias`` in ``settings``, learnt in a subprocess."""
    from squashkit._django import resolve_timeout, run_action

    source = f"alias {alias!r} of {settings}"
    try:
        payload: dict[str, Any] = run_action(root, settings, "aliases", {"alias": alias}, timeout=timeout)
    except DjangoError as exc:
        if exc.stage == "timeout":
            limit = resolve_timeout(timeout) or 0
            raise SourceError(env, source, f"Django settings took more than {limit:g} s to load") from None
        raise SourceError(env, source, f"cannot load settings: {scrub(exc.reason)}") from None
    if "error" in payload:
        raise SourceError(env, source, scrub(payload["error"], payload.get("secrets", [])))
    return AliasParams(
        alias=alias,
        settings=settings,
        vendor=payload["vendor"],
        name=payload["name"],
        host=payload["host"],
        port=payload["port"],
        user=payload["user"],
        password=payload["password"],
        options=tuple((str(k), str(v)) for k, v in payload["options"]),
    )


def alias_in_process(alias: str) -> dict[str, Any]:
    """The ``aliases`` action (Django set up): ``alias``'s parameters, or ``{"error": ...}``."""
    from django.conf import settings as dj_settings

    databases = dj_settings.DATABASES
    if alias not in databases:
        known = ", ".join(sorted(databases)) or "none"
        return {"error": f"no database alias {alias!r} in settings (known aliases: {known})"}
    params = databases[alias]
    engine = str(params.get("ENGINE", ""))
    vendor = engine.rsplit(".", 1)[-1]
    if vendor in ("sqlite3", "spatialite"):
        vendor = "sqlite"
    elif vendor in ("postgresql", "postgis", "postgresql_psycopg2"):
        vendor = "postgresql"
    password = str(params.get("PASSWORD") or "")
    if vendor not in ("sqlite", "postgresql"):
        return {"error": f"database engine {engine!r} is not supported (sqlite3 and postgresql are)"}
    options = params.get("OPTIONS") or {}
    return {
        "vendor": vendor,
        "name": str(params.get("NAME") or ""),
        "host": str(params.get("HOST") or ""),
        "port": str(params.get("PORT") or ""),
        "user": str(params.get("USER") or ""),
        "password": password,
        "options": sorted([k, str(v)] for k, v in options.items() if isinstance(v, (str, int, float))),
    }
