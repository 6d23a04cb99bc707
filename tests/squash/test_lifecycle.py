"""squashkit.squash.lifecycle: the state of each squash per source, and what finalize changes.

sample_project's billing app has one squash::

    billing.0001_squashed_0004_alter_invoice_amount  replaces 0001_initial .. 0004_alter_invoice_amount
    billing.0005_invoice_paid_at                     depends on billing.0004_alter_invoice_amount
"""

from __future__ import annotations

from pathlib import Path

import pytest

from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static
from squashkit.history.model import AppliedRow, AppliedSet, AppliedState, SourceFailure
from squashkit.squash.lifecycle import SquashState, squash_status, unported_references

SQUASH = MigrationKey("billing", "0001_squashed_0004_alter_invoice_amount")
REPLACED = [
    MigrationKey("billing", name)
    for name in ("0001_initial", "0002_invoice_amount", "0003_invoice_customer", "0004_alter_invoice_amount")
]


def rows(*keys: MigrationKey) -> tuple[AppliedRow, ...]:
    return tuple(AppliedRow(k.app_label, k.name) for k in keys)


def one(status, key=SQUASH):
    found = status.get(key)
    assert found is not None
    return found


def test_each_state_of_a_source(sample_project: Path) -> None:
    project = load_static(sample_project, cache=False)
    state = AppliedState.of(
        [
            AppliedSet("prod", None, "p", rows(*REPLACED, SQUASH)),
            AppliedSet("dev", None, "d", rows(*REPLACED)),
            AppliedSet("staging", "tenant_a", "s", rows(*REPLACED[:2])),
            AppliedSet("ci", None, "c", ()),
        ],
        [SourceFailure("laptop", "sqlite:///x.db", "unable to open database file")],
    )
    squash = one(squash_status(project, state))
    assert [(s.label, s.state) for s in squash.sources] == [
        ("prod", SquashState.RECORDED),
        ("dev", SquashState.APPLIED_UNRECORDED),
        ("staging/tenant_a", SquashState.PENDING),
        ("ci", SquashState.PENDING),
        ("laptop", SquashState.UNKNOWN),
    ]
    assert not squash.ready
    assert list(squash.blockers) == [
        "dev: every replaced migration applied, the squash not recorded: run `manage.py migrate` once there",
        "staging/tenant_a: partly applied: 0001_initial, 0002_invoice_amount applied; 0003_invoice_customer, "
        "0004_alter_invoice_amount not",
        "ci: nothing of it applied",
        "laptop: cannot tell: unable to open database file",
    ]


def test_ready_only_when_every_source_recorded(sample_project: Path) -> None:
    project = load_static(sample_project, cache=False)
    recorded = rows(*REPLACED, SQUASH)
    state = AppliedState.of([AppliedSet("prod", None, "p", recorded), AppliedSet("staging", "t1", "s", recorded)])
    status = squash_status(project, state)
    assert one(status).ready
    assert one(status).state == "READY"
    assert status.all_ready


def test_no_source_is_never_ready(sample_project: Path) -> None:
    project = load_static(sample_project, cache=False)
    squash = one(squash_status(project, AppliedState()))
    assert not squash.ready
    assert squash.blockers == (
        "no applied-state source: squashkit cannot tell where it is applied (configure "
        "[tool.squashkit.environments] or pass --env/--dsn/--snapshot/--database)",
    )


def test_required_environment_must_be_read(sample_project: Path) -> None:
    project = load_static(sample_project, cache=False)
    state = AppliedState.of([AppliedSet("staging", None, "s", rows(*REPLACED, SQUASH))])
    squash = one(squash_status(project, state, require=["production"]))
    assert squash.blockers == (
        "required environment 'production' was not read (configure it and pass --env production)",
    )
    ready = one(squash_status(project, state, require=["staging"]))
    assert ready.ready


def test_unported_references(sample_copy: Path) -> None:
    path = sample_copy / "billing" / "migrations" / "0001_squashed_0004_alter_invoice_amount.py"
    text = path.read_text()
    text = text.replace(
        "    operations = [\n",
        "    operations = [\n"
        "        migrations.RunPython(importlib.import_module('billing.migrations.0003_invoice_customer').fill),\n",
    )
    text = text.replace("from django.db import", "import importlib\n\nfrom django.db import")
    path.write_text(text)
    project = load_static(sample_copy, cache=False)
    [reference] = unported_references(project.migrations[SQUASH])
    assert reference.describe() == (
        "needs porting: uses `fill` from replaced module billing.migrations.0003_invoice_customer (line 21)"
    )


def test_unported_reference_in_a_file_python_cannot_parse(sample_project: Path) -> None:
    """Django's squashmigrations writes ``code=billing.migrations.0003_x.fill`` (a syntax error)."""
    project = load_static(sample_project, cache=False)
    migration = project.migrations[SQUASH]
    source = migration.path.read_text().replace(
        "    operations = [\n",
        "    operations = [\n        migrations.RunPython(\n"
        "            code=billing.migrations.0003_invoice_customer.fill,\n        ),\n",
    )
    [reference] = unported_references(migration, source)
    assert (reference.line, reference.module, reference.function) == (
        20,
        "billing.migrations.0003_invoice_customer",
        "fill",
    )


@pytest.mark.parametrize("reference", ["'0002_invoice_amount'", "'billing.migrations.0002_invoice_amount'"])
def test_replaces_list_is_not_a_reference(sample_project: Path, reference: str) -> None:
    project = load_static(sample_project, cache=False)
    assert unported_references(project.migrations[SQUASH]) == ()
    source = project.migrations[SQUASH].path.read_text() + f"\nHELPER = {reference}\n"
    assert len(unported_references(project.migrations[SQUASH], source)) == 1


def test_a_dependency_on_another_app_is_not_a_reference(sample_project: Path) -> None:
    """("customers", "0001_initial") names another app's migration, not billing.0001_initial's module.

    A large open-source project's squashes depend on ("wagtailcore", "0002_initial_data") while replacing their
    own 0002_initial_data: `squashkit check` reported SK502 errors for the dependency lines.
    """
    project = load_static(sample_project, cache=False)
    migration = project.migrations[SQUASH]
    source = migration.path.read_text().replace(
        "        ('customers', '0004_alter_customer_email'),\n",
        "        ('customers', '0004_alter_customer_email'),\n        ('customers', '0001_initial'),\n",
    )
    assert "('customers', '0001_initial')" in source
    assert unported_references(migration, source) == ()
    run_before = source.replace(
        "    initial = True\n", "    initial = True\n    run_before = [('crm', '0002_invoice_amount')]\n"
    )
    assert unported_references(migration, run_before) == ()
