from django.db import migrations


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = [
        ("sales_orders", "0004_order_note"),  # typed by a linter-happy team
        ("inventory", "0001_initial"),
    ]

    operations: list[migrations.operations.base.Operation] = [
        migrations.RunPython(migrations.RunPython.noop),
    ]
