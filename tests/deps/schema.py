"""Run ``migrate`` from empty in a subprocess and introspect the schema Django created.

The database comes from the project's settings, which read ``SAMPLE_DB_ENGINE/NAME/HOST/PORT/USER/PASSWORD``
(the sample project's convention).  Constraint names are left out of the comparison (SQLite has none for
foreign keys); tables, columns (type, size, nullability), constraints and indexes are compared.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

_CODE = r"""
import json
import django
django.setup()
from django.core.management import call_command
from django.db import connection

call_command("migrate", verbosity=0, interactive=False)
schema = {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names(cursor)):
        columns = [
            [c.name, str(c.type_code), c.internal_size, bool(c.null_ok)]
            for c in connection.introspection.get_table_description(cursor, table)
        ]
        constraints = sorted(
            json.dumps(
                {
                    "columns": c["columns"],
                    "primary_key": c["primary_key"],
                    "unique": c["unique"],
                    "foreign_key": c["foreign_key"],
                    "check": c["check"],
                    "index": c["index"],
                    "type": c.get("type"),
                },
                sort_keys=True,
            )
            for c in connection.introspection.get_constraints(cursor, table).values()
        )
        schema[table] = {"columns": sorted(columns), "constraints": constraints}
print(json.dumps(schema))
"""


def migrate_and_introspect(root: Path, settings: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    environ = {**os.environ, **(env or {}), "DJANGO_SETTINGS_MODULE": settings, "PYTHONPATH": str(root)}
    proc = subprocess.run(
        [sys.executable, "-c", _CODE], capture_output=True, text=True, cwd=root, env=environ, check=False
    )
    assert proc.returncode == 0, proc.stderr
    schema: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    schema.pop("django_migrations", None)
    return schema
