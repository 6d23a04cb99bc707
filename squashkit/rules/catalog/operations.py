"""SK3xx: operations inside migrations."""

from __future__ import annotations

from squashkit.rules.model import Rule, Severity
from squashkit.rules.registry import register_rule

SK301 = register_rule(
    Rule(
        code="SK301",
        name="irreversible-operation",
        severity=Severity.INFO,
        summary="Operation that cannot be reversed",
        explanation="""\
## What it does
Reports `RunPython` without `reverse_code` and `RunSQL` without `reverse_sql`.

## Why is this bad?
`migrate APP PREVIOUS` stops at such an operation with `IrreversibleError`, so a deployment cannot be rolled
back past it; a squash containing it is irreversible as a whole.

## Example
```python
operations = [migrations.RunPython(fill_references)]
```

## How to fix
Add the reverse: `migrations.RunPython(fill_references, migrations.RunPython.noop)` when nothing must be
undone, or a function (`reverse_sql=...` for `RunSQL`) that undoes the change.
""",
    )
)

SK302 = register_rule(
    Rule(
        code="SK302",
        name="custom-operation",
        severity=Severity.INFO,
        summary="Custom operation squashkit cannot see into",
        explanation="""\
## What it does
Reports operations of a class that is not one of Django's (a custom `Operation` subclass).

## Why is this bad?
squashkit cannot know which models such an operation reads or changes, so it keeps the migration's
dependencies as written and keeps the operation in place in squashes (soundness before cleverness).

## Example
```python
operations = [shop.operations.CreateExtension("hstore")]
```

## How to fix
Nothing is required. Give the operation a `references_model()` method so Django's optimizer and squashkit
can reason about it, or keep the migration out of squashes.
""",
    )
)
