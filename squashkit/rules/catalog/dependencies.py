"""SK2xx: dependencies between migrations."""

from __future__ import annotations

from squashkit.rules.model import Rule, Severity
from squashkit.rules.registry import register_rule

SK201 = register_rule(
    Rule(
        code="SK201",
        name="over-specified-dependency",
        severity=Severity.WARNING,
        summary="Cross-app dependency wider than needed",
        fix="squashkit deps --fix",
        explanation="""\
## What it does
Reports a cross-app dependency wider than what the migration references (a model, a field used by
`to_field`, a model's state): one on a later migration than the one providing it ("needs only X"), one on an
app nothing of which is referenced, and one whose provider is already in the list ("needs only X, ...,
already listed": the extra entry may be earlier or later than X).

## Why is this bad?
`makemigrations` makes a migration depend on the *latest* migration of every app it references. Such edges
tie apps together more than needed: they block squashes (a squash of the other app must keep the later
migration) and are how squashes end in `CircularDependencyError`.

## Example
```python
# purchase_orders/migrations/0004_purchaseorder_sales_order.py
dependencies = [
    ("purchase_orders", "0003_purchaseorderline"),
    ("sales_orders", "0016_order_shipped_at"),   # only sales_orders.Order is referenced,
]                                               # created in sales_orders.0001_initial
```

## How to fix
`squashkit deps --diff` shows the narrower dependency; `squashkit deps --fix` writes it (for migrations not
applied anywhere, after verifying with Django that the project state is unchanged).
""",
    )
)

SK202 = register_rule(
    Rule(
        code="SK202",
        name="redundant-dependency",
        severity=Severity.WARNING,
        summary="Transitively implied dependency",
        fix="squashkit deps --fix",
        explanation="""\
## What it does
Reports a dependency already implied by another dependency of the same migration (its target comes before
another listed target).

## Why is this bad?
It adds nothing to the order Django computes but is one more edge to keep when squashing or narrowing
dependencies, and it hides which dependency is really needed.

## Example
```python
dependencies = [
    ("inventory", "0009_warehouse_city"),    # implied: 0011 comes after 0009
    ("inventory", "0011_product_weight"),
]
```

## How to fix
Remove the implied entry; `squashkit deps` says whether it can go once the other edges are narrowed, and
`squashkit deps --fix` writes what it proposes.
""",
    )
)

SK203 = register_rule(
    Rule(
        code="SK203",
        name="latest-dependency",
        severity=Severity.WARNING,
        summary="Dependency on another app's __latest__",
        fix="squashkit deps --fix",
        explanation="""\
## What it does
Reports a dependency on `("other_app", "__latest__")`.

## Why is this bad?
`__latest__` means the last migration of the other app *at the time of loading*: every new migration there
moves the edge, so the order of a fresh `migrate` changes without any change to this file, and squashes of
the other app can turn it into a cycle.

## Example
```python
dependencies = [("customers", "__latest__")]
```

## How to fix
Depend on the migration that provides what is referenced; `squashkit deps` proposes it.
""",
    )
)
