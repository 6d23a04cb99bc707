"""A small project for the export tests, written into a temp dir.

::

    shop:    0001_initial --> 0002_order_total --> 0003_backfill (RunPython)
                 |   \\               |
                 |    `---------------+------------.   (redundant: implied through shop.0002)
                 v                    v             v
    billing:                     0001_initial --> 0002_invoice_sql (RunSQL)
                                      ^
    crm (label "customers"):  0001_initial --> 0002_customer_name
                              0001_squashed_0002 (replaces both)

``billing.0001_initial`` depends on ``shop.0002`` and ``shop.0001`` (the second is transitively redundant)
and on ``customers.__first__`` and ``auth.__first__`` (an app outside the project).
"""

from __future__ import annotations

from pathlib import Path

from tests.projects import add_field, build, create, fk, migration

RUN_PYTHON = "migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)"
RUN_SQL = "migrations.RunSQL('SELECT 1', 'SELECT 1')"


def make_shop(root: Path) -> Path:
    return build(
        root,
        {
            "shop": {
                "0001_initial": migration(ops=[create("Order")], initial=True),
                "0002_order_total": migration([("shop", "0001_initial")], [add_field("Order", "total")]),
                "0003_backfill": migration([("shop", "0002_order_total")], [RUN_PYTHON]),
            },
            "crm": {
                "0001_initial": migration(ops=[create("Customer")], initial=True),
                "0002_customer_name": migration([("customers", "0001_initial")], [add_field("Customer", "name")]),
                "0001_squashed_0002": migration(
                    ops=[create("Customer", "('name', models.IntegerField(default=0))")],
                    replaces=[("customers", "0001_initial"), ("customers", "0002_customer_name")],
                    initial=True,
                ),
            },
            "billing": {
                "0001_initial": migration(
                    [
                        ("shop", "0002_order_total"),
                        ("shop", "0001_initial"),
                        ("customers", "__first__"),
                        ("auth", "__first__"),
                    ],
                    [create("Invoice", f"('order', {fk('shop', 'Order')})", f"('c', {fk('customers', 'Customer')})")],
                    initial=True,
                ),
                "0002_invoice_sql": migration([("billing", "0001_initial")], [RUN_SQL]),
            },
        },
        labels={"crm": "customers"},
    )
