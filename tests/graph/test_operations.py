"""Operation summaries from source and from Django's operation objects must agree.

Each case is one operation written as a migration would write it: parsed with ``ast`` for
:func:`summarize_ast`, evaluated into a real Django operation for :func:`summarize_object`.  Relation fields
need Django's app registry to deconstruct, so the objects are built and summarised in one subprocess with a
minimal configured Django (this process stays unconfigured).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from squashkit.codec import decode_operation
from squashkit.graph.model import FieldRef, ModelRef, OperationSummary
from squashkit.graph.operations import ModuleContext, get_model_calls, summarize_ast, summarize_object

IMPORTS = {"migrations": "django.db.migrations", "models": "django.db.models", "settings": "django.conf.settings"}


def ctx(**settings: str) -> ModuleContext:
    return ModuleContext("shop", IMPORTS, {}, settings)


def from_source(source: str, context: ModuleContext | None = None) -> OperationSummary:
    node = ast.parse(source, mode="eval").body
    return summarize_ast(node, context or ctx())


OBJECT_SUMMARIES = """
import json, sys
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=[])
django.setup()
from django.db import migrations, models
from squashkit.graph.operations import summarize_object
from squashkit.codec import encode_operation
out = []
for source in json.load(sys.stdin):
    op = eval(source, {"migrations": migrations, "models": models})
    out.append(encode_operation(summarize_object(op, "shop", lambda code: ([], True))))
print(json.dumps(out))
"""


def from_objects(sources: list[str]) -> list[OperationSummary]:
    proc = subprocess.run(
        [sys.executable, "-c", OBJECT_SUMMARIES], input=json.dumps(sources), capture_output=True, text=True, check=True
    )
    return [decode_operation(v) for v in json.loads(proc.stdout)]


PK = "('id', models.BigAutoField(primary_key=True))"

CASES = {
    "create-with-relations": (
        f"migrations.CreateModel(name='Order', fields=[{PK},"
        " ('customer', models.ForeignKey(on_delete=models.CASCADE, to='crm.customer', to_field='code')),"
        " ('parent', models.ForeignKey('self', models.CASCADE)),"
        " ('tags', models.ManyToManyField(to='catalog.Tag', through='shop.OrderTag'))],"
        " bases=('shop.basemodel', models.Model))",
        OperationSummary(
            kind="CreateModel",
            category="schema",
            model="order",
            references=(
                ModelRef("crm", "customer"),
                ModelRef("shop", "order"),
                ModelRef("catalog", "tag"),
                ModelRef("shop", "ordertag"),
                ModelRef("shop", "basemodel"),
            ),
            field_references=(FieldRef("crm", "customer", "code"),),
            line=1,
        ),
    ),
    "create-positional": (
        f"migrations.CreateModel('Line', [{PK}, ('order', models.ForeignKey('Order', models.CASCADE))])",
        OperationSummary(
            kind="CreateModel", category="schema", model="line", references=(ModelRef("shop", "order"),), line=1
        ),
    ),
    "add-field-fk-positional": (
        "migrations.AddField('order', 'customer', models.ForeignKey('crm.Customer', models.CASCADE))",
        OperationSummary(
            kind="AddField",
            category="schema",
            model="order",
            field="customer",
            references=(ModelRef("crm", "customer"),),
            line=1,
        ),
    ),
    "alter-field": (
        "migrations.AlterField(model_name='Order', name='note', field=models.TextField(blank=True))",
        OperationSummary(kind="AlterField", category="schema", model="order", field="note", line=1),
    ),
    "remove-field": (
        "migrations.RemoveField(model_name='order', name='note')",
        OperationSummary(kind="RemoveField", category="schema", model="order", field="note", line=1),
    ),
    "rename-field": (
        "migrations.RenameField(model_name='order', old_name='note', new_name='comment')",
        OperationSummary(
            kind="RenameField", category="schema", model="order", field="comment", old_name="note", line=1
        ),
    ),
    "rename-model": (
        "migrations.RenameModel(old_name='Order', new_name='Purchase')",
        OperationSummary(kind="RenameModel", category="schema", model="purchase", old_name="order", line=1),
    ),
    "delete-model": (
        "migrations.DeleteModel(name='Order')",
        OperationSummary(kind="DeleteModel", category="schema", model="order", line=1),
    ),
    "model-options": (
        "migrations.AlterModelOptions(name='order', options={'ordering': ['id']})",
        OperationSummary(kind="AlterModelOptions", category="schema", model="order", line=1),
    ),
    "unique-together": (
        "migrations.AlterUniqueTogether(name='order', unique_together={('a', 'b')})",
        OperationSummary(kind="AlterUniqueTogether", category="schema", model="order", line=1),
    ),
    "add-index": (
        "migrations.AddIndex(model_name='order', index=models.Index(fields=['note'], name='note_idx'))",
        OperationSummary(kind="AddIndex", category="schema", model="order", line=1),
    ),
    "run-sql-reversible": (
        "migrations.RunSQL('SELECT 1', 'SELECT 2', elidable=True)",
        OperationSummary(kind="RunSQL", category="sql", elidable=True, opaque=True, line=1),
    ),
    "run-sql-irreversible": (
        "migrations.RunSQL(sql='SELECT 1')",
        OperationSummary(kind="RunSQL", category="sql", reversible=False, opaque=True, line=1),
    ),
    "run-sql-reverse-none": (
        "migrations.RunSQL('SELECT 1', reverse_sql=None)",
        OperationSummary(kind="RunSQL", category="sql", reversible=False, opaque=True, line=1),
    ),
    "run-python-noop": (
        "migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)",
        OperationSummary(kind="RunPython", category="python", line=1),
    ),
    "run-python-noop-irreversible": (
        "migrations.RunPython(migrations.RunPython.noop, elidable=True)",
        OperationSummary(kind="RunPython", category="python", reversible=False, elidable=True, line=1),
    ),
    "separate-database-and-state": (
        "migrations.SeparateDatabaseAndState(state_operations=["
        "migrations.AddField('order', 'owner', models.ForeignKey(to='crm.person', on_delete=models.CASCADE))],"
        " database_operations=[migrations.RunSQL('ALTER TABLE ...')])",
        OperationSummary(
            kind="SeparateDatabaseAndState",
            category="state",
            references=(ModelRef("crm", "person"),),
            opaque=True,
            line=1,
        ),
    ),
}


@pytest.mark.parametrize("source, expected", CASES.values(), ids=CASES.keys())
def test_source_summary(source, expected):
    assert from_source(source) == expected


@pytest.mark.slow
def test_object_summaries_agree_with_source():
    sources = [source for source, _expected in CASES.values()]
    summaries = dict(zip(CASES, from_objects(sources), strict=True))
    for name, (_source, expected) in CASES.items():
        assert (name, summaries[name].comparable()) == (name, expected.comparable())
        assert summaries[name].line == 0


def test_custom_operation_and_non_calls():
    context = ModuleContext("shop", {**IMPORTS, "LogMessage": "shop.operations.LogMessage"}, {}, {})
    assert from_source("LogMessage('x')", context) == OperationSummary("LogMessage", "custom", opaque=True, line=1)
    assert from_source("OPERATIONS[0]") == OperationSummary("Subscript", "unknown", opaque=True, line=1)


def test_runpython_reads_get_model_calls_of_a_module_function():
    tree = ast.parse(
        "def forwards(apps, schema_editor):\n"
        "    Order = apps.get_model('shop', 'Order')\n"
        "    Person = apps.get_model('crm.Person')\n"
        "    Other = apps.get_model(app_label, 'Other')\n"
    )
    context = ModuleContext("shop", IMPORTS, {"forwards": tree.body[0]}, {})
    assert from_source("migrations.RunPython(forwards)", context) == OperationSummary(
        "RunPython",
        "python",
        references=(ModelRef("shop", "order"), ModelRef("crm", "person")),
        reversible=False,
        line=1,
    )
    # A function that names no model cannot be seen through.
    empty = ast.parse("def forwards(apps, schema_editor):\n    pass\n")
    context = ModuleContext("shop", IMPORTS, {"forwards": empty.body[0]}, {})
    assert from_source("migrations.RunPython(forwards, forwards)", context).opaque is True


def test_get_model_calls():
    tree = ast.parse("apps.get_model('a', 'B'); apps.get_model('c.D'); apps.get_model('nodot'); x.get_model(y)")
    assert get_model_calls(tree) == [ModelRef("a", "b"), ModelRef("c", "d")]


def test_swappable_setting_targets():
    source = "migrations.AddField('order', 'user', models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE))"
    assert from_source(source, ctx(AUTH_USER_MODEL="people.Member")).references == (ModelRef("people", "member"),)
    unknown = ctx()
    assert from_source(source, unknown).references == ()
    assert unknown.unknown_settings == {"AUTH_USER_MODEL": 1}


def test_swapper_model_names():
    """wagtail writes ``to=swapper.get_model_name("wagtailcore", "Page")``: swapper's default unless the setting
    ``WAGTAILCORE_PAGE_MODEL`` is configured, imported as a module or as a name."""
    source = "migrations.AddField('order', 'page', models.ForeignKey(to=swapper.get_model_name('cms', 'Page'),"
    source += " on_delete=models.CASCADE))"
    swapper = ModuleContext("shop", {**IMPORTS, "swapper": "swapper"}, {}, {})
    assert from_source(source, swapper).references == (ModelRef("cms", "page"),)
    swapped = ModuleContext("shop", {**IMPORTS, "swapper": "swapper"}, {}, {"CMS_PAGE_MODEL": "site.HomePage"})
    assert from_source(source, swapped).references == (ModelRef("site", "homepage"),)
    by_name = ModuleContext("shop", {**IMPORTS, "get_model_name": "swapper.get_model_name"}, {}, {})
    named = source.replace("swapper.get_model_name", "get_model_name")
    assert from_source(named, by_name).references == (ModelRef("cms", "page"),)
    # anything else that is a call stays unknown (no reference guessed)
    other = source.replace("swapper.get_model_name('cms', 'Page')", "helpers.model_name('cms', 'Page')")
    assert from_source(other, ModuleContext("shop", {**IMPORTS, "helpers": "helpers"}, {}, {})).references == ()


def test_object_summary_of_a_non_django_operation():
    class Custom:  # what matters is the class's module: not django.*
        pass

    assert summarize_object(Custom(), "shop", lambda code: ([], True)) == OperationSummary(
        "Custom", "custom", opaque=True
    )


@pytest.mark.parametrize(
    "field",
    [
        'models.ForeignKey("crm.Customer", on_delete=models.CASCADE)',
        'models.ForeignKey("crm.Customer", models.CASCADE)',
        'models.ForeignKey(to="crm.Customer", on_delete=models.CASCADE)',
        'models.OneToOneField("crm.Customer", on_delete=models.CASCADE, to_field="code")',
        'models.ManyToManyField("crm.Customer")',
    ],
)
def test_relation_target_positional_or_keyword_is_referenced(field: str) -> None:
    """A positional target with a keyword ``on_delete`` (how people write it) keeps its reference: a slip in
    argument handling would drop it, and with it the dependency deps keeps (found by a mutation run)."""
    summary = from_source(f"migrations.AddField(model_name='order', name='customer', field={field})")
    assert summary.references == (ModelRef("crm", "customer"),)
    if "to_field" in field:
        assert summary.field_references == (FieldRef("crm", "customer", "code"),)
