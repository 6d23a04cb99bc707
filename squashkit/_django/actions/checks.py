"""Actions of ``squashkit verify``, run on the temporary database the runner was given.

* ``verify.static``: model changes without a migration (the project's own ``makemigrations --dry-run``),
  the graph (``NodeNotFoundError``, ``CircularDependencyError``), conflicts (several leaves in one app);
* ``verify.migrate``: a fresh migrate with timings, then rollback checks of chosen migrations (back one step,
  schema compared, forward again, schema compared);
* ``verify.schemas``: the fresh migrate in N throwaway PostgreSQL schemas, timed.
"""

from __future__ import annotations

from typing import Any

from squashkit._django.actions import action

__all__ = ["migrate", "schemas", "static"]


@action("verify.static")
def static(payload: dict[str, Any]) -> Any:
    from squashkit.verify.inprocess import static_checks

    return static_checks()


@action("verify.migrate")
def migrate(payload: dict[str, Any]) -> Any:
    from django.db import connection

    from squashkit.verify.inprocess import migrate_and_roll_back

    return migrate_and_roll_back(connection, [tuple(k) for k in payload.get("rollback", ())])


@action("verify.schemas")
def schemas(payload: dict[str, Any]) -> Any:
    from django.db import connection

    from squashkit.verify.inprocess import migrate_schemas

    return migrate_schemas(connection, int(payload["count"]))
