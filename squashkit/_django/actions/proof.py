"""Actions of :mod:`squashkit.proof`, run on the temporary database the runner was given.

* ``proof.schema``: migrate to ``targets`` (default: every leaf), time each migration, introspect;
* ``proof.sql``: the SQL of every migration of the plan, collected in one pass.
"""

from __future__ import annotations

from typing import Any

from squashkit._django.actions import action

__all__ = ["schema", "sql"]


@action("proof.schema")
def schema(payload: dict[str, Any]) -> Any:
    from django.db import connection

    from squashkit.proof.inprocess import introspect, migrate

    targets = payload.get("targets")
    timings = migrate(connection, [tuple(t) for t in targets] if targets is not None else None)
    return {"schema": introspect(connection).to_dict(), "timings": timings}


@action("proof.sql")
def sql(payload: dict[str, Any]) -> Any:
    from django.db import connection

    from squashkit import codec
    from squashkit.proof.inprocess import collect_sql

    collected, errors = collect_sql(connection)
    return {
        "sql": [[codec.encode_key(k), v] for k, v in collected.items()],
        "errors": [[codec.encode_key(k), v] for k, v in errors.items()],
    }
