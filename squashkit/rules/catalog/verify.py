"""SK6xx: verification on real databases squashkit creates (``squashkit verify``).

Each step of ``squashkit verify`` reports one rule; the finding names the database (SQLite or PostgreSQL) in
its labels and the schema differences, line by line, in its hint.
"""

from __future__ import annotations

from squashkit.rules.model import Rule, Severity
from squashkit.rules.registry import register_rule

SK601 = register_rule(
    Rule(
        code="SK601",
        name="missing-migration",
        severity=Severity.ERROR,
        summary="Models changed without a migration (makemigrations --check would fail)",
        explanation="""\
## What it does
Runs Django's autodetector as `makemigrations --check --dry-run` does and names each app, model and operation
a new migration would hold.

## Why is this bad?
The database and the models disagree as soon as the change ships: queries fail on missing columns, or the
next `makemigrations` in another branch picks the change up and two migrations conflict.

## Example
```text
app inventory has model changes without a migration (models: warehouse);
makemigrations would write inventory/migrations/0033_warehouse_region.py
```

## How to fix
Run `manage.py makemigrations APP`, review and commit the migration.
""",
    )
)

SK602 = register_rule(
    Rule(
        code="SK602",
        name="invalid-graph",
        severity=Severity.ERROR,
        summary="Django cannot build the migration graph, or an app has conflicting leaves",
        explanation="""\
## What it does
Builds the graph with Django's `MigrationLoader` (a missing dependency raises `NodeNotFoundError`, a cycle
`CircularDependencyError`) and looks for apps with several leaf migrations.

## Why is this bad?
`migrate` stops before doing anything.

## Example
```text
conflicting migrations in blog: 0002_post_body, 0002_post_title (several leaves; makemigrations --merge)
```

## How to fix
Fix the dependency Django names, or merge the leaves (`manage.py makemigrations --merge`).
""",
    )
)

SK603 = register_rule(
    Rule(
        code="SK603",
        name="migrate-failed",
        severity=Severity.ERROR,
        summary="A fresh database does not migrate",
        explanation="""\
## What it does
Migrates a new, empty database (a SQLite file in a temporary folder; with `--dsn`, a new PostgreSQL database)
from nothing to every leaf, timing each migration.

## Why is this bad?
New environments (CI, a developer's laptop, a new tenant) cannot be created.

## Example
```text
a fresh migrate fails: OperationalError: no such table: legacy_order (at shop/migrations/0007_fill.py:12)
```

## How to fix
Fix the migration Django names; data migrations must use `apps.get_model` and tolerate empty tables.
""",
    )
)

SK604 = register_rule(
    Rule(
        code="SK604",
        name="rollback-changes-schema",
        severity=Severity.ERROR,
        summary="Rolling a migration back, or forward again, leaves another schema",
        explanation="""\
## What it does
Migrates back one step (the newest migration of each app, or what changed since `--since REF`), compares the
introspected schema with the one the migration was applied on, migrates forward again and compares with the
migrated schema. On SQLite tables and columns are compared (Django's table rebuilds drop indexes it does not
know); on PostgreSQL columns, constraints, indexes and foreign keys too.

## Why is this bad?
A rollback in production (a failed deploy) silently loses a column or leaves one behind.

## Example
```text
rolling back accounts.0003_wrong_reverse does not restore the schema it was applied on
    table accounts_user: column phone (varchar(30) NOT NULL) only before applying
```

## How to fix
Correct the `reverse_sql` (or the `reverse_code`) so it undoes exactly what the forward operation does.
""",
    )
)

SK605 = register_rule(
    Rule(
        code="SK605",
        name="irreversible-migration",
        severity=Severity.WARNING,
        summary="A migration to roll back has an operation without a reverse",
        explanation="""\
## What it does
Reports the operation Django stops on (`IrreversibleError`) while rolling back, with its file and line; the
rollback may reach it through migrations of other apps that depend on the one rolled back.

## Why is this bad?
A failed deploy cannot be rolled back past it: the database has to be restored from a backup instead.

## Example
```text
purchase_orders/migrations/0008_fill_references.py:20: rolling back sales_orders.0016_order_shipped_at
unapplies purchase_orders.0008_fill_references, which cannot be rolled back: RunPython has no reverse
```

## How to fix
Give `RunPython` a `reverse_code` (`migrations.RunPython.noop` when nothing needs undoing) and `RunSQL` a
`reverse_sql`; keep it irreversible only on purpose.
""",
    )
)

SK606 = register_rule(
    Rule(
        code="SK606",
        name="rollback-failed",
        severity=Severity.ERROR,
        summary="Rolling a migration back raises an error",
        explanation="""\
## What it does
Reports any other error Django raises while migrating back one step or forward again.

## Why is this bad?
The rollback a failed deploy needs would stop half way.

## Example
```text
rolling back shop.0009_order_code fails: IntegrityError: UNIQUE constraint failed: shop_order.code
```

## How to fix
Make the reverse operations work on the data the forward ones leave (a unique column needs unique values).
""",
    )
)

SK607 = register_rule(
    Rule(
        code="SK607",
        name="tenant-migrate-failed",
        severity=Severity.ERROR,
        summary="Migrating throwaway PostgreSQL schemas fails",
        explanation="""\
## What it does
With `--schemas N` and `--dsn`, migrates N new schemas of a throwaway database one after another (each with
its own `search_path`), as multi-tenant projects migrate per schema, and reports the total time.

## Why is this bad?
New tenants cannot be created, or migrating every tenant takes longer than the deploy window.

## Example
```text
migrating throwaway schemas fails: schema squashkit_tenant_0: ProgrammingError: relation "public.x" does not exist
```

## How to fix
Do not name schemas in migrations (`public.x`); let the `search_path` choose.
""",
    )
)
