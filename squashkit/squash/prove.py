"""Prove a squash on temporary databases before anything is written.

On a temporary copy of the project with the squashed migrations added (the originals untouched, never a
configured database), for SQLite and for every PostgreSQL DSN given (a temporary database is created on
that server and dropped afterwards):

* **fresh**: ``migrate`` from an empty database with the original migrations and with the squashed ones;
  the introspected schemas (tables, columns with type, nullability and default, constraints, indexes and
  foreign keys) must be identical;
* **state**: the final project state (every model's fields, options, bases, managers) must be identical,
  and ``makemigrations --check`` must find nothing with the squashed migrations that it does not find with
  the original ones;
* **mid-range** (SQLite): a database migrated with the original migrations to the middle of each range,
  then migrated with the squashed ones in place, must reach the same schema as a fresh one.

A failed check lists the differences (the schema diff); the caller writes nothing then.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from squashkit.errors import DjangoLoadError
from squashkit.squash.execute import SquashError, SquashRun

__all__ = ["Proof", "ProofCheck", "compare_schemas", "prove"]

_IGNORE = shutil.ignore_patterns(
    "__pycache__", "*.pyc", "*.sqlite3", "*.db", ".git", ".hg", ".venv*", "venv", "node_modules", ".tox", ".mypy_cache"
)


@dataclass(frozen=True)
class ProofCheck:
    """One check: ``name`` (fresh, state, makemigrations, mid-range), the database, and the differences."""

    name: str
    database: str
    differences: tuple[str, ...] = ()
    seconds: float = 0.0
    notes: tuple[str, ...] = ()  # what the check left out, and why (not differences)

    @property
    def ok(self) -> bool:
        return not self.differences

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.name,
            "database": self.database,
            "ok": self.ok,
            "differences": list(self.differences),
            "notes": list(self.notes),
            "seconds": round(self.seconds, 2),
        }


@dataclass(frozen=True)
class Proof:
    checks: tuple[ProofCheck, ...]
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def lines(self) -> list[str]:
        out = [f"proof: {'passed' if self.ok else 'FAILED'} ({self.seconds:.1f} s)"]
        for check in self.checks:
            out.append(f"  {check.name} on {check.database}: {'ok' if check.ok else 'differs'}")
            out += [f"    {d}" for d in check.differences[:40]]
            out += [f"    {n}" for n in check.notes]
            if len(check.differences) > 40:
                out.append(f"    ... {len(check.differences) - 40} more")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "seconds": round(self.seconds, 2), "checks": [c.to_dict() for c in self.checks]}


def _step(root: Path, settings: str, payload: dict[str, Any], timeout: float | None) -> dict[str, Any]:
    """One proof step in a Django process (the runner's ``squash.prove`` action: no bytecode is written)."""
    from squashkit._django import DjangoError, run_action

    try:
        out: dict[str, Any] = run_action(root, settings, "squash.prove", payload, timeout=timeout)
    except DjangoError as exc:
        if exc.stage == "setup":
            raise DjangoLoadError(settings, exc.reason, path=exc.path, line=exc.line) from exc
        if exc.stage == "timeout":
            raise SquashError(f"the proof {exc.reason}") from exc
        return {"error": exc.reason}
    return out


def compare_schemas(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """Human-readable differences between two introspected schemas (``-`` original, ``+`` squashed)."""
    diffs: list[str] = []
    for table in sorted(set(a) | set(b)):
        if table not in b:
            diffs.append(f"- table {table}")
            continue
        if table not in a:
            diffs.append(f"+ table {table}")
            continue
        ca, cb = a[table]["columns"], b[table]["columns"]
        for column in sorted(set(ca) | set(cb)):
            if ca.get(column) != cb.get(column):
                if column in ca:
                    diffs.append(f"- {table}.{column}: {_column(ca[column])}")
                if column in cb:
                    diffs.append(f"+ {table}.{column}: {_column(cb[column])}")
        ka = Counter(json.dumps(c, sort_keys=True) for c in a[table]["constraints"])
        kb = Counter(json.dumps(c, sort_keys=True) for c in b[table]["constraints"])
        for item in sorted((ka - kb).elements()):
            diffs.append(f"- {table} constraint {_constraint(json.loads(item))}")
        for item in sorted((kb - ka).elements()):
            diffs.append(f"+ {table} constraint {_constraint(json.loads(item))}")
    return diffs


def _column(c: Mapping[str, Any]) -> str:
    null = "null" if c["null"] else "not null"
    default = f" default {c['default']}" if c["default"] is not None else ""
    size = f"({c['size']})" if c.get("size") not in (None, -1) else ""
    return f"{c['type']}{size} {null}{default}"


def _constraint(c: Mapping[str, Any]) -> str:
    kinds = [k for k in ("primary_key", "unique", "check", "index") if c[k]]
    if c["foreign_key"]:
        kinds.append(f"foreign key -> {'.'.join(c['foreign_key'])}")
    return f"{c['name']} ({', '.join(c['columns'])}) {' '.join(kinds)}".rstrip()


def _state_diff(a: Mapping[str, Mapping[str, str]], b: Mapping[str, Mapping[str, str]]) -> list[str]:
    diffs = []
    for model in sorted(set(a) | set(b)):
        if model not in b:
            diffs.append(f"- model {model}")
        elif model not in a:
            diffs.append(f"+ model {model}")
        else:
            for item in sorted(set(a[model]) | set(b[model])):
                if a[model].get(item) != b[model].get(item):
                    if item in a[model]:
                        diffs.append(f"- {model} {item}: {a[model][item]}")
                    if item in b[model]:
                        diffs.append(f"+ {model} {item}: {b[model][item]}")
    return diffs


@contextmanager
def _copy_with(run: SquashRun) -> Iterator[Path]:
    """A temporary copy of the project with the squashed migrations added."""
    base = Path(tempfile.mkdtemp(prefix="squashkit-proof-"))
    try:
        copy = base / run.root.name
        shutil.copytree(run.root, copy, ignore=_IGNORE, symlinks=True)
        for change in run.changes.changes:
            target = copy / change.path.relative_to(run.root)
            if change.new_text is None:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(change.new_text, encoding="utf-8")
        yield copy
    finally:
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def _postgres_database(dsn: str) -> Iterator[str]:
    """A new database on the server of ``dsn`` (dropped afterwards); yields its DSN."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"squashkit_proof_{secrets.token_hex(4)}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(dsn)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _label(database: str) -> str:
    if database.startswith("sqlite:"):
        return "SQLite"
    from urllib.parse import urlsplit

    parts = urlsplit(database)
    return f"PostgreSQL {parts.hostname}:{parts.port or 5432}"


def prove(
    run: SquashRun,
    settings: str,
    *,
    dsns: Sequence[str] = (),
    mid_range: bool = True,
    timeout: float | None = 1800,
    progress: Callable[[str], None] | None = None,
) -> Proof:
    """Run the checks of this module for the squashes of ``run`` (see the module docstring)."""
    started = time.perf_counter()
    checks: list[ProofCheck] = []
    say = progress or (lambda _text: None)
    if not run.written:
        return Proof((), 0.0)
    with _copy_with(run) as copy, tempfile.TemporaryDirectory(prefix="squashkit-proofdb-") as tmp:
        databases: list[str] = ["sqlite", *list(dsns)]
        for database in databases:
            with (
                _database(database, Path(tmp), "original") as original_db,
                _database(database, Path(tmp), "squashed") as squashed_db,
            ):
                label = _label(original_db)
                t0 = time.perf_counter()
                say(f"proof: migrating the original and the squashed migrations on {label}")
                first = database == "sqlite"
                asked = {"introspect": True, "state": first, "check": first}
                # Two independent Django processes (two databases): run side by side.
                with ThreadPoolExecutor(max_workers=2) as pool:
                    pending = pool.submit(_step, run.root, settings, {"database": original_db, **asked}, timeout)
                    squashed = _step(copy, settings, {"database": squashed_db, **asked}, timeout)
                    original = pending.result()
                errors = [f"original: {original['error']}"] if original.get("error") else []
                errors += [f"squashed: {squashed['error']}"] if squashed.get("error") else []
                if errors:
                    checks.append(ProofCheck("fresh migrate", label, tuple(errors), time.perf_counter() - t0))
                    continue
                diffs = compare_schemas(original["schema"], squashed["schema"])
                checks.append(ProofCheck("fresh migrate", label, tuple(diffs), time.perf_counter() - t0))
                if first:
                    checks.append(
                        ProofCheck("final state", label, tuple(_state_diff(original["state"], squashed["state"])))
                    )
                    # What makemigrations would write with the squashes and not without (a project whose
                    # models are already ahead of its migrations stays as it was).
                    before = set(original["changes"])
                    changes = tuple(f"makemigrations would write: {c}" for c in squashed["changes"] if c not in before)
                    checks.append(ProofCheck("makemigrations --check", label, changes))
                    if mid_range:
                        checks += _mid_range(run, copy, settings, original["schema"], Path(tmp), timeout, say)
    return Proof(tuple(checks), time.perf_counter() - started)


@contextmanager
def _database(database: str, tmp: Path, name: str) -> Iterator[str]:
    if database == "sqlite":
        path = tmp / f"{name}-{secrets.token_hex(4)}.sqlite3"
        try:
            yield f"sqlite:{path}"
        finally:
            path.unlink(missing_ok=True)
        return
    with _postgres_database(database) as dsn:
        yield dsn


def _mid_range(
    run: SquashRun,
    copy: Path,
    settings: str,
    expected: Mapping[str, Any],
    tmp: Path,
    timeout: float | None,
    say: Callable[[str], None],
) -> list[ProofCheck]:
    """One database migrated with the original migrations to the middle of every range, then with the squashed
    ones in place: two processes whatever the number of ranges.

    The middle state is one consistent set reached forward only (the middle of every range and its ancestors:
    see :func:`squashkit.squash.proving._migrate_mid_range`); a range that cannot be half applied in it is
    skipped with the reason, in the check's notes.
    """
    ranges = [o.target for o in run.written]
    middles = [t.members[(len(t.members) - 1) // 2] for t in ranges]
    t0 = time.perf_counter()
    shown = ", ".join(str(m) for m in middles)
    say(f"proof: migrating forward to {shown} and their dependencies, then with the squashes")
    path = tmp / f"mid-{secrets.token_hex(4)}.sqlite3"
    database = f"sqlite:{path}"
    payload = {"database": database, "mid_range": [[list(m) for m in t.members] for t in ranges]}
    try:
        before = _step(run.root, settings, payload, timeout)
        after = before
        if not before.get("error") and before.get("migrated_to"):
            after = _step(copy, settings, {"database": database, "introspect": True}, timeout)
    finally:
        path.unlink(missing_ok=True)
    notes = tuple(
        f"skipped {ranges[index].app} {ranges[index].first.name} .. {ranges[index].last.name}: {reason}"
        for index, reason in before.get("skipped") or ()
    )
    reached = before.get("migrated_to") or []
    shown = ", ".join(f"{app}.{name}" for app, name in reached) or ", ".join(str(m) for m in middles)
    name = f"migrated to {shown} before the squash"
    if after.get("error"):
        diffs = [str(after["error"])]
    elif not reached:
        diffs = []
    else:
        diffs = compare_schemas(expected, after["schema"])
    return [ProofCheck(name, "SQLite", tuple(diffs), time.perf_counter() - t0, notes)]
