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
