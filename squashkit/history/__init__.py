"""Applied state of migrations across databases, tenant schemas, environments and snapshots.

>>> state = collect_applied(root, envs=["staging"], dsns=["sqlite:///db.sqlite3"])
>>> state.applied_in(MigrationKey("sales_orders", "0002_order_note"))
['staging', 'db']

:mod:`squashkit.history.applied` holds the policy commands share (which sources count, what a missing or
unreadable one means): :func:`~squashkit.history.applied.collect_applied_state`.

Sources are read-only: SQLite files are opened with ``mode=ro``, PostgreSQL reads run in ``BEGIN READ ONLY``.
Descriptions and messages never contain a password.
"""

from __future__ import annotations

from squashkit.history.collect import SourceSpec, collect_applied, resolve_sources
from squashkit.history.environments import Environment, load_environments
from squashkit.history.errors import (
    AllSourcesFailedError,
    EnvironmentNotFoundError,
    HistoryError,
    NoSourceError,
    SnapshotError,
    SourceError,
)
from squashkit.history.model import AppliedRow, AppliedSet, AppliedState, SourceFailure
from squashkit.history.redact import redact_dsn, scrub
from squashkit.history.schemas import SchemaSelection

__all__ = [
    "AllSourcesFailedError",
    "AppliedRow",
    "AppliedSet",
    "AppliedState",
    "Environment",
    "EnvironmentNotFoundError",
    "HistoryError",
    "NoSourceError",
    "SchemaSelection",
    "SnapshotError",
    "SourceError",
    "SourceFailure",
    "SourceSpec",
    "collect_applied",
    "load_environments",
    "redact_dsn",
    "resolve_sources",
    "scrub",
]
