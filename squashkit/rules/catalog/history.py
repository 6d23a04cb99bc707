"""SK4xx: the applied history (``django_migrations`` rows of databases, tenant schemas and snapshots).

Reported by ``squashkit history show`` per environment; the finding's hint is the fix to consider (squashkit
never runs it).
"""

from __future__ import annotations

from squashkit.rules.model import Rule, Severity
from squashkit.rules.registry import register_rule

SK401 = register_rule(
    Rule(
        code="SK401",
        name="applied-before-dependency",
        severity=Severity.ERROR,
        summary="Migration recorded as applied while one of its dependencies is not",
        explanation="""\
## What it does
Reports a migration recorded in `django_migrations` whose dependency is not recorded.

## Why is this bad?
Django's `migrate` checks the history first and raises `InconsistentMigrationHistory`: nothing is migrated
until it is fixed, and `migrate --fake` cannot help.

## Example
```text
sales_orders.0005_orderline is applied before its dependency sales_orders.0004_alter_order_status
```

## How to fix
If the dependency's changes are already in the database, record it (`INSERT INTO django_migrations ...` in
`manage.py dbshell`); otherwise revert the dependent migration's changes by hand and delete its row. The
finding's hint gives the exact SQL.
""",
    )
)

SK402 = register_rule(
    Rule(
        code="SK402",
        name="partial-squash",
        severity=Severity.WARNING,
        summary="Some, not all, of the migrations a squash replaces are recorded",
        explanation="""\
## What it does
Reports a squashed migration some of whose replaced migrations are recorded and others not. It is a warning,
and an error when replaced files that are not recorded have already been deleted.

## Why is this bad?
Django uses the replaced migrations instead of the squash until all of them are applied, so the squash cannot
be finalized; with the replaced files gone, Django cannot build the graph (`NodeNotFoundError`).

## Example
```text
billing.0001_squashed_0004_alter_invoice_amount: 3 of 4 replaced migrations recorded
```

## How to fix
Apply the rest (`manage.py migrate APP LAST_REPLACED`), and keep the replaced files until every database has
done so; restore deleted files from git history first.
""",
    )
)

SK403 = register_rule(
    Rule(
        code="SK403",
        name="stale-row",
        severity=Severity.WARNING,
        summary="A recorded migration has no file",
        explanation="""\
## What it does
Reports a `django_migrations` row whose migration file does not exist: renamed or deleted (warning), or
replaced by a squash in use (info: Django ignores the row).

## Why is this bad?
A renamed migration is run again under its new name; a deleted one hides what the database contains.

## Example
```text
inventory.0031_renamed_old is recorded but has no file; it was probably renamed to inventory.0031_stock_note
```

## How to fix
Rename the file back, or record the new name and delete the old row; `manage.py migrate APP --prune` deletes
rows of migrations removed on purpose.
""",
    )
)

SK404 = register_rule(
    Rule(
        code="SK404",
        name="edited-after-apply",
        severity=Severity.WARNING,
        summary="An applied migration's file changed since a snapshot",
        explanation="""\
## What it does
Compares the hash of each applied migration's file with the one a snapshot (`squashkit history snapshot`)
recorded, and reports files edited since.

## Why is this bad?
Databases that applied the migration ran the old version: a fresh database and a production one now differ.

## Example
```text
shop.0002_order_total is applied but shop/migrations/0002_order_total.py changed since the snapshot
```

## How to fix
Restore the file as it was applied (`git log -p -- PATH`) and make the change in a new migration.
""",
    )
)

SK405 = register_rule(
    Rule(
        code="SK405",
        name="squash-not-recorded",
        severity=Severity.INFO,
        summary="Every replaced migration is recorded but the squash itself is not",
        explanation="""\
## What it does
Reports a squash whose replaced migrations are all recorded while the squash is not: info while `replaces`
is kept (Django records the squash at the next `migrate`); an error once `replaces` was removed (Django would
run the squash again).

## Why is this bad?
Finalizing the squash (removing `replaces` and the replaced files) before every database recorded its name
makes Django apply it again on those databases.

## Example
```text
every migration billing.0001_squashed_0004_alter_invoice_amount replaces is recorded but it is not
```

## How to fix
Run `manage.py migrate APP` on that database before finalizing (it records the squash, nothing to apply);
after finalizing, record the name by hand as the finding's hint shows.
""",
    )
)
