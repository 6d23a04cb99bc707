"""What a migration needs, read from its operation summaries."""

from __future__ import annotations

from pathlib import Path

from squashkit.deps.references import Need, Opaque, references
from squashkit.graph.model import FieldRef, MigrationKey, ModelRef
from squashkit.graph.static import load_static
from tests.projects import build, create, fk, migration


def test_needs_and_opaque_markers(tmp_path: Path) -> None:
    through = "models.ManyToManyField(to='crm.tag', through='crm.tagging')"
    ops = [
        create("Order", f"('customer', {fk('crm', 'Customer')})", f"('tags', {through})"),
        "migrations.AddField(model_name='order', name='c', field=models.ForeignKey("
        "on_delete=models.CASCADE, to='crm.customer', to_field='code'))",
        "migrations.DeleteModel(name='Old')",
        "migrations.RenameField(model_name='order', old_name='a', new_name='b')",
        "migrations.RunSQL('SELECT 1')",
    ]
    root = build(tmp_path, {"sales": {"0001_initial": migration(ops=ops)}})
    refs = references(load_static(root).migrations[MigrationKey("sales", "0001_initial")])
    assert [(n.kind, str(n.target)) for n in refs.needs] == [
        ("exists", "crm.customer"),
        ("exists", "crm.tag"),
        ("exists", "crm.tagging"),
        ("field", "crm.customer.code"),
        ("unreferenced", "sales.old"),
        ("field-unreferenced", "sales.order.a"),
    ]
    assert refs.needs[3] == Need(
        "field", FieldRef("crm", "customer", "code"), "AddField order.c (line 18) names to_field crm.customer.code", 18
    )
    assert refs.opaque == (Opaque("RunSQL", 21, "RunSQL (line 21): the SQL is not analysed"),)
    assert [str(n.target) for n in refs.cross_app()] == ["crm.customer", "crm.tag", "crm.tagging", "crm.customer.code"]
    assert [n.target for n in refs.own_removals()] == [ModelRef("sales", "old"), FieldRef("sales", "order", "a")]


def test_run_python_get_model_and_unreadable_code(tmp_path: Path) -> None:
    code = "\n\ndef forwards(apps, schema_editor):\n    apps.get_model('crm', 'Customer').objects.all()\n"
    seen = migration(ops=["migrations.RunPython(forwards)"]).replace(
        "\n\nclass Migration", code + "\n\nclass Migration"
    )
    unseen = migration(ops=["migrations.RunPython(helpers.forwards)"])
    root = build(tmp_path, {"sales": {"0001_initial": seen, "0002_x": unseen}})
    project = load_static(root)
    first = references(project.migrations[MigrationKey("sales", "0001_initial")])
    assert first.needs == (
        Need("state", ModelRef("crm", "customer"), "RunPython (line 14) calls apps.get_model('crm', 'customer')", 14),
    )
    assert first.opaque == ()
    second = references(project.migrations[MigrationKey("sales", "0002_x")])
    assert second.opaque == (
        Opaque("RunPython", 10, "RunPython (line 10): runs helpers.forwards, code squashkit cannot read"),
    )


# -- found by a mutation run: every removal kind, its sentence, and every opaque reason -------------------


def test_own_removals_and_renames_with_their_sentences() -> None:
    from squashkit.graph.model import MigrationInfo, OperationSummary

    key = MigrationKey("shop", "0005_x")
    ops = (
        OperationSummary("DeleteModel", "schema", model="basket", line=10),
        OperationSummary("RenameModel", "schema", model="order", old_name="purchase", line=11),
        OperationSummary("RemoveField", "schema", model="order", field="note", line=12),
        OperationSummary("AlterField", "schema", model="order", field="total", line=13),
        OperationSummary("RenameField", "schema", model="order", field="sum", old_name="amount", line=14),
        OperationSummary("AddField", "schema", model="order", field="qty", line=15),
        OperationSummary("RenameModel", "schema", model="cart"),  # no old name: nothing to say
    )
    found = references(MigrationInfo(key, Path("x.py"), operations=ops))
    assert found.needs == (
        Need("unreferenced", ModelRef("shop", "basket"), "DeleteModel basket (line 10) deletes shop.basket", 10),
        Need(
            "unreferenced",
            ModelRef("shop", "purchase"),
            "RenameModel purchase -> order (line 11) renames shop.purchase",
            11,
        ),
        Need(
            "field-unreferenced",
            FieldRef("shop", "order", "note"),
            "RemoveField order.note (line 12) removes shop.order.note",
            12,
        ),
        Need(
            "field-unreferenced",
            FieldRef("shop", "order", "total"),
            "AlterField order.total (line 13) alters shop.order.total",
            13,
        ),
        Need(
            "field-unreferenced",
            FieldRef("shop", "order", "amount"),
            "RenameField order.amount -> sum (line 14) renames shop.order.amount",
            14,
        ),
    )
    assert list(found.own_removals()) == list(found.needs)
    assert list(found.cross_app()) == []


def test_every_opaque_reason_and_cross_app_kinds() -> None:
    from squashkit.graph.model import MigrationInfo, OperationSummary

    key = MigrationKey("shop", "0006_y")
    ops = (
        OperationSummary("RunSQL", "sql", opaque=True, line=3),
        OperationSummary("SeparateDatabaseAndState", "state", opaque=True, line=5),
        OperationSummary("LogMessage", "custom", opaque=True, line=6),
        OperationSummary("computed", "unknown", opaque=True, line=7),
        OperationSummary("AddField", "schema", model="order", field="c", references=(ModelRef("crm", "lead"),)),
        OperationSummary("AddField", "schema", model="order", field="s", references=(ModelRef("shop", "item"),)),
        OperationSummary(
            "AddField", "schema", model="order", field="k", field_references=(FieldRef("crm", "deal", "code"),), line=9
        ),
        OperationSummary("RenameIndex", "schema", model="order", old_name="order_idx", line=10),
    )
    found = references(MigrationInfo(key, Path("y.py"), operations=ops))
    assert [o.why for o in found.opaque] == [
        "RunSQL (line 3): the SQL is not analysed",
        "SeparateDatabaseAndState (line 5): its database operations are not analysed",
        "custom operation LogMessage (line 6): not a Django operation",
        "operations are computed (line 7): not analysed",
    ]
    assert [(n.kind, str(n.target), n.line) for n in found.cross_app()] == [
        ("exists", "crm.lead", 0),
        ("exists", "crm.deal", 9),
        ("field", "crm.deal.code", 9),
    ]
    assert [n.why for n in found.needs if n.app_label == "crm"] == [
        "AddField order.c relates to crm.lead",
        "AddField order.k (line 9) relates to crm.deal",
        "AddField order.k (line 9) names to_field crm.deal.code",
    ]
    assert list(found.own_removals()) == []  # RenameIndex has an old name, but removes no model or field
