"""JSON snapshots of applied state: a snapshot can stand for a database CI cannot reach.

Format (``version`` 1)::

    {
      "format": "squashkit-history-snapshot",
      "version": 1,
      "env": "production",
      "taken": "2026-01-01T12:00:00+00:00",
      "sets": [
        {"schema": null, "source": "postgresql://app:***@db/shop",
         "rows": [{"app": "sales_orders", "name": "0001_initial",
                   "applied": "2025-12-01T10:00:00+00:00", "hash": "<sha256 of the file when snapshotted>"}]}
      ]
    }

``hash`` is recorded for every applied migration whose file exists when the snapshot is written; it lets
``squashkit history show`` report an applied migration whose file was edited since.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from squashkit.graph.model import MigrationKey
from squashkit.history.errors import SnapshotError
from squashkit.history.model import AppliedRow, AppliedSet

__all__ = ["FORMAT", "VERSION", "read_snapshot", "snapshot_dict", "write_snapshot"]

FORMAT = "squashkit-history-snapshot"
VERSION = 1
#: Largest snapshot read (bytes), overridden by $SQUASHKIT_SNAPSHOT_MAX_BYTES: a snapshot of 10,000 tenant
#: schemas x 500 migrations is about 60 MB; anything larger is not a snapshot.
MAX_BYTES = 256 * 1024 * 1024
MAX_BYTES_ENV = "SQUASHKIT_SNAPSHOT_MAX_BYTES"


def max_bytes() -> int:
    value = os.environ.get(MAX_BYTES_ENV, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else MAX_BYTES


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _read_text(path: Path) -> str:
    """The snapshot's text: regular files only (a FIFO or /dev/zero would block or never end), at most
    :func:`max_bytes` bytes."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise SnapshotError(path, "snapshot file does not exist") from None
    except OSError as exc:
        raise SnapshotError(path, f"cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise SnapshotError(path, f"not a regular file ({_kind(st.st_mode)}): a snapshot is a JSON file")
    limit = max_bytes()
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise SnapshotError(path, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise SnapshotError(path, f"larger than {limit} bytes (set ${MAX_BYTES_ENV} to read larger snapshots)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SnapshotError(path, f"not a JSON snapshot: {exc}") from None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def snapshot_dict(
    env: str,
    sets: Iterable[AppliedSet],
    hashes: Mapping[MigrationKey, str] | None = None,
    *,
    taken: datetime | None = None,
) -> dict[str, Any]:
    """The snapshot of ``sets`` (all of one environment); ``hashes`` are the current files' hashes."""
    hashes = hashes or {}
    taken = taken or datetime.now(UTC).replace(microsecond=0)
    return {
        "format": FORMAT,
        "version": VERSION,
        "env": env,
        "taken": taken.isoformat(),
        "sets": [
            {
                "schema": s.schema,
                "source": s.source,
                "rows": [
                    {
                        "app": r.app_label,
                        "name": r.name,
                        "applied": _iso(r.applied),
                        "hash": hashes.get(MigrationKey(r.app_label, r.name)) or r.content_hash,
                    }
                    for r in s.rows
                ],
            }
            for s in sets
        ],
    }


def write_snapshot(path: Path, data: Mapping[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise SnapshotError(path, f"cannot write: {exc.strerror or exc}") from exc


def _datetime(value: Any, path: Path) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise SnapshotError(path, f"not a valid date: {value!r}") from None


def read_snapshot(path: Path, env: str | None = None) -> list[AppliedSet]:
    """The applied sets of a snapshot file; ``env`` overrides the environment name it records."""
    text = _read_text(path)
    try:
        data = json.loads(text)
    except (RecursionError, MemoryError):
        raise SnapshotError(path, "not a JSON snapshot: nested too deeply to read") from None
    except ValueError as exc:
        raise SnapshotError(path, f"not a JSON snapshot: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SnapshotError(path, f'not a squashkit snapshot (expected "format": "{FORMAT}")')
    if data.get("version") != VERSION:
        raise SnapshotError(path, f"unsupported snapshot version {data.get('version')!r} (expected {VERSION})")
    name = env or str(data.get("env") or path.stem)
    taken = _datetime(data.get("taken"), path)
    sets: list[AppliedSet] = []
    try:
        for entry in data["sets"]:
            rows = tuple(
                AppliedRow(str(r["app"]), str(r["name"]), _datetime(r.get("applied"), path), r.get("hash") or None)
                for r in entry["rows"]
            )
            source = f"snapshot {path} (taken {data.get('taken')}; of {entry.get('source', 'unknown')})"
            sets.append(AppliedSet(name, entry.get("schema"), source, rows, kind="snapshot", taken=taken))
    except (KeyError, TypeError) as exc:
        raise SnapshotError(path, f"malformed snapshot: missing or bad field {exc}") from None
    return sets
