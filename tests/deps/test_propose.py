"""Minimal dependency proposals on throwaway projects (static, no Django).

Graphs are drawn parent -> child; ``*`` marks the dependency the proposal removes.
"""

from __future__ import annotations

from pathlib import Path

from squashkit.deps.propose import EdgeChange, Proposal, propose
from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static
from tests.projects import add_field, build, create, fk, migration

K = MigrationKey


def crm() -> dict[str, str]:
    return {
        "0001_initial": migration(ops=[create("Customer")], initial=True),
        "0002_age": migration([("crm", "0001_initial")], ops=[add_field("Customer", "age")]),
        "0003_size": migration([("crm", "0002_age")], ops=[add_field("Customer", "size")]),
    }


def by_key(proposals: list[Proposal]) -> dict[MigrationKey, Proposal]:
    return {p.migration: p for p in proposals}


def keys(proposal: Proposal) -> list[str]:
    return [str(d.key) for d in proposal.proposed]


def test_over_specified_dependency_is_narrowed_to_the_provider(tmp_path: Path) -> None:
    """crm.0001 -> crm.0002 -> crm.0003 -*-> sales.0001 (FK to crm.customer): crm.0001 is enough."""
    root = build(
        tmp_path,
        {
            "crm": crm(),
            "sales": {
                "0001_initial": migration(
                    [("crm", "0003_size")], ops=[create("Order", f"('customer', {fk('crm', 'Customer')})")]
                )
            },
        },
    )
    proposal = by_key(propose(load_static(root)))[K("sales", "0001_initial")]
    assert proposal.pending
    assert keys(proposal) == ["crm.0001_initial"]
    assert proposal.changes == (
        EdgeChange(
            K("crm", "0003_size"),
            "remove",
            "over-specified",
            "needs only crm.0001_initial, which creates crm.customer",
            provider=K("crm", "0001_initial"),
        ),
        EdgeChange(
            K("crm", "0001_initial"),
            "add",
            "provider",
            "creates crm.customer; CreateModel order (line 10) relates to crm.customer",
            provider=K("crm", "0001_initial"),
        ),
    )


def test_unreferenced_app_and_transitive_edges_are_removed(tmp_path: Path) -> None:
    """sales.0002 references nothing of crm; sales.0003 reaches crm.0001 through sales.0002."""
    root = build(
        tmp_path,
        {
            "crm": crm(),
            "sales": {
                "0001_initial": migration(
                    [("crm", "0001_initial")], ops=[create("Order", f"('customer', {fk('crm', 'Customer')})")]
                ),
                "0002_n": migration([("sales", "0001_initial"), ("crm", "0003_size")], ops=[add_field("Order", "n")]),
                "0003_c": migration(
                    [("sales", "0002_n"), ("crm", "0001_initial")], ops=[add_field("Order", "c", fk("crm", "Customer"))]
                ),
            },
        },
    )
    proposals = by_key(propose(load_static(root)))
    assert not proposals[K("sales", "0001_initial")].pending
    second = proposals[K("sales", "0002_n")]
    assert keys(second) == ["sales.0001_initial"]
    assert second.changes[1] == EdgeChange(
        K("crm", "0003_size"), "remove", "over-specified", "nothing of 'crm' is referenced"
    )
    third = proposals[K("sales", "0003_c")]
    assert keys(third) == ["sales.0002_n"]
    assert third.changes[1] == EdgeChange(
        K("crm", "0001_initial"),
        "remove",
        "transitive",
        "already implied through sales.0002_n",
        provider=K("crm", "0001_initial"),
        via=K("sales", "0002_n"),
    )


def test_to_field_needs_the_migration_that_alters_the_field(tmp_path: Path) -> None:
    apps = {
        "crm": {
            **crm(),
            "0004_code": migration(
                [("crm", "0003_size")],
                ops=[add_field("Customer", "code", "models.CharField(max_length=5, unique=True)")],
            ),
            "0005_more": migration([("crm", "0004_code")], ops=[add_field("Customer", "x")]),
        },
        "sales": {
            "0001_initial": migration(
                [("crm", "0005_more")],
                ops=[
                    create(
                        "Order",
                        "('customer', models.ForeignKey(on_delete=models.CASCADE, to='crm.customer', to_field='code'))",
                    )
                ],
            )
        },
    }
    proposal = by_key(propose(load_static(build(tmp_path, apps))))[K("sales", "0001_initial")]
    assert keys(proposal) == ["crm.0004_code"]
    assert proposal.changes[0].reason == "needs only crm.0004_code, which adds crm.customer.code"


def test_opaque_operation_keeps_every_dependency(tmp_path: Path) -> None:
    apps = {
        "crm": crm(),
        "sales": {
            "0001_initial": migration(
                [("crm", "0003_size")], ops=["migrations.RunSQL('UPDATE crm_customer SET age = 1')"]
            )
        },
    }
    proposal = by_key(propose(load_static(build(tmp_path, apps))))[K("sales", "0001_initial")]
    assert not proposal.pending
    assert proposal.changes == (
        EdgeChange(K("crm", "0003_size"), "keep", "opaque", "RunSQL (line 10): the SQL is not analysed"),
    )


def test_run_python_with_get_model_needs_the_latest_state_of_the_model(tmp_path: Path) -> None:
    code = (
        "\n\ndef forwards(apps, schema_editor):\n"
        "    Customer = apps.get_model('crm', 'Customer')\n"
        "    Customer.objects.update(age=1)\n"
    )
    source = migration([("crm", "0003_size")], ops=["migrations.RunPython(forwards, migrations.RunPython.noop)"])
    source = source.replace("\n\nclass Migration", code + "\n\nclass Migration")
    apps = {
        "crm": {**crm(), "0004_other": migration([("crm", "0003_size")], ops=[create("Other")])},
        "sales": {"0001_initial": source.replace("('crm', '0003_size')", "('crm', '0004_other')")},
    }
    proposal = by_key(propose(load_static(build(tmp_path, apps))))[K("sales", "0001_initial")]
    assert keys(proposal) == ["crm.0003_size"]
    assert proposal.changes[0].reason == "needs only crm.0003_size, which changes crm.customer (AddField)"


def test_first_and_latest_forms(tmp_path: Path) -> None:
    apps = {
        "crm": crm(),
        "sales": {
            "0001_initial": migration(
                [("crm", "__first__")], ops=[create("Order", f"('customer', {fk('crm', 'Customer')})")]
            ),
            "0002_x": migration(
                [("sales", "0001_initial"), ("crm", "__latest__")],
                ops=[add_field("Customer", "c", fk("crm", "Customer"))],
            ),
        },
    }
    proposals = by_key(propose(load_static(build(tmp_path, apps))))
    first = proposals[K("sales", "0001_initial")]
    assert not first.pending
    assert first.changes[0].reason_code == "needed"
    # __latest__ is over-specified here: crm.0001 provides the model and is implied through sales.0001.
    second = proposals[K("sales", "0002_x")]
    assert keys(second) == ["sales.0001_initial"]
    assert [c.reason_code for c in second.changes] == ["same-app", "over-specified"]


def test_deleting_a_model_keeps_the_other_apps_removal_of_references(tmp_path: Path) -> None:
    """crm.0002 deletes Customer after sales.0002 removed its FK to it: that edge is needed."""
    apps = {
        "crm": {
            "0001_initial": migration(ops=[create("Customer")]),
            "0002_delete": migration(
                [("crm", "0001_initial"), ("sales", "0002_drop")], ops=["migrations.DeleteModel(name='Customer')"]
            ),
        },
        "sales": {
            "0001_initial": migration(
                [("crm", "0001_initial")], ops=[create("Order", f"('customer', {fk('crm', 'Customer')})")]
            ),
            "0002_drop": migration(
                [("sales", "0001_initial")], ops=["migrations.RemoveField(model_name='order', name='customer')"]
            ),
        },
    }
    proposal = by_key(propose(load_static(build(tmp_path, apps))))[K("crm", "0002_delete")]
    assert not proposal.pending
    assert proposal.changes[1].reason == (
        "changes sales.order, which references crm.customer (RemoveField);"
        " it must come before: DeleteModel customer (line 10) deletes crm.customer"
    )


def test_swappable_dependency_is_kept_when_the_user_model_is_referenced(tmp_path: Path) -> None:
    user_fk = "models.ForeignKey(on_delete=models.CASCADE, to=settings.AUTH_USER_MODEL)"
    source = migration(ops=[create("Order", f"('owner', {user_fk})")])
    source = source.replace(
        "    dependencies = []", "    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]"
    ).replace("from django.db import", "from django.conf import settings\nfrom django.db import")
    unused = (
        migration(ops=[add_field("Order", "n")])
        .replace(
            "    dependencies = []",
            "    dependencies = [('sales', '0001_initial'), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]",
        )
        .replace("from django.db import", "from django.conf import settings\nfrom django.db import")
    )
    apps = {
        "accounts": {
            "0001_initial": migration(ops=[create("User")]),
            "0002_x": migration([("accounts", "0001_initial")]),
        },
        "sales": {"0001_initial": source, "0002_n": unused},
    }
    root = build(tmp_path, apps)
    (root / "pyproject.toml").write_text('[tool.squashkit]\nAUTH_USER_MODEL = "accounts.User"\n')
    proposals = by_key(propose(load_static(root)))
    kept = proposals[K("sales", "0001_initial")]
    assert not kept.pending
    assert kept.changes[0].reason == (
        "swappable_dependency(settings.AUTH_USER_MODEL) for accounts.user, the model that setting names"
    )
    removed = proposals[K("sales", "0002_n")]
    assert removed.changes[1] == EdgeChange(
        K("accounts", "__first__"), "remove", "over-specified", "nothing of 'accounts' is referenced"
    )


def test_apps_filter_and_cycles(tmp_path: Path) -> None:
    apps = {
        "crm": crm(),
        "sales": {"0001_initial": migration([("crm", "0003_size")], ops=[create("Order")])},
    }
    project = load_static(build(tmp_path, apps))
    assert [str(p.migration) for p in propose(project, apps=["sales"])] == ["sales.0001_initial"]
    cyclic = load_static(
        build(
            tmp_path / "cyclic",
            {
                "a": {"0001_initial": migration([("b", "0001_initial")])},
                "b": {"0001_initial": migration([("a", "0001_initial")])},
            },
        )
    )
    assert propose(cyclic) == []


def test_field_needs_look_at_every_ancestor_not_only_direct_dependencies(tmp_path: Path) -> None:
    """crm.0004 (adds code) -> sales.0001 -> sales.0002 (to_field='code', declares only crm.0001):
    crm.0001 alone would not provide the field; crm.0004 is reached through sales.0001."""
    to_code = "models.ForeignKey(on_delete=models.CASCADE, to='crm.customer', to_field='code')"
    apps = {
        "crm": {
            **crm(),
            "0004_code": migration(
                [("crm", "0003_size")],
                ops=[add_field("Customer", "code", "models.CharField(max_length=5, unique=True)")],
            ),
        },
        "sales": {
            "0001_initial": migration([("crm", "0004_code")], ops=[create("Order", f"('a', {to_code})")]),
            "0002_b": migration(
                [("sales", "0001_initial"), ("crm", "0001_initial")], ops=[add_field("Order", "b", to_code)]
            ),
        },
    }
    proposals = by_key(propose(load_static(build(tmp_path, apps))))
    assert not proposals[K("sales", "0001_initial")].pending
    second = proposals[K("sales", "0002_b")]
    assert keys(second) == ["sales.0001_initial"]
    assert second.changes[1].reason == (
        "needs only crm.0004_code, which adds crm.customer.code, already implied through sales.0001_initial"
    )


def test_dependencies_on_apps_outside_the_project_are_kept(tmp_path: Path) -> None:
    apps = {
        "sales": {"0001_initial": migration([("auth", "0012_alter_user_first_name_max_length")], ops=[create("Order")])}
    }
    proposal = by_key(propose(load_static(build(tmp_path, apps))))[K("sales", "0001_initial")]
    assert proposal.changes == (
        EdgeChange(
            K("auth", "0012_alter_user_first_name_max_length"),
            "keep",
            "external",
            "the migrations of 'auth' are not visible; kept",
        ),
    )


def test_same_app_dependency_implied_by_another_is_transitive(tmp_path: Path) -> None:
    apps = {"crm": {**crm(), "0004_x": migration([("crm", "0001_initial"), ("crm", "0003_size")])}}
    proposal = by_key(propose(load_static(build(tmp_path, apps))))[K("crm", "0004_x")]
    assert keys(proposal) == ["crm.0003_size"]
    assert proposal.changes[0] == EdgeChange(
        K("crm", "0001_initial"),
        "remove",
        "transitive",
        "already implied through crm.0003_size",
        provider=K("crm", "0001_initial"),
        via=K("crm", "0003_size"),
    )


def _frontier_by_definition(graph, chains, node: MigrationKey, app: str) -> MigrationKey | None:
    """The latest node of ``app`` in chain order among the strict ancestors of ``node`` (networkx)."""
    import networkx as nx

    found = [n for n in nx.ancestors(graph.dg, node) if n in chains[app].index]
    return max(found, key=chains[app].index.__getitem__) if found else None


def test_frontier_reads_the_shared_ancestor_bits_in_and_out_of_name_order() -> None:
    """The frontier is the ancestor of an app that comes last in the app's chain.  In ``b`` the chain order is
    not the name order (0002 comes after 0003), in ``c`` a used squash removed nodes from the middle of the
    app's bits, and ``z`` has a dependency on a missing migration (a node outside the app's bit range)."""
    from squashkit.deps.propose import _Frontier
    from squashkit.deps.providers import build_chains
    from tests.graph.helpers import project

    p = project(
        {
            "a.0001": [],
            "a.0002": ["a.0001"],
            "b.0001": ["a.0001"],
            "b.0003": ["b.0001", "a.0002"],
            "b.0002": ["b.0003"],
            "c.0001": [],
            "c.0002": ["c.0001"],
            "c.0003": ["c.0002"],
            "c.0001_squashed_0002": [],
            "z.0001": ["b.0002", "c.0003", "z.0000_gone"],
            "z.0002": ["z.0001", "b.0003"],
        },
        replaces={"c.0001_squashed_0002": ["c.0001", "c.0002"]},
    )
    graph = p.graph()
    chains = build_chains(graph, p.migrations)
    assert chains["b"].nodes == [K("b", "0001"), K("b", "0003"), K("b", "0002")]
    frontier = _Frontier(graph, chains)
    assert frontier(K("z", "0001"), "b") == K("b", "0002")
    assert frontier(K("z", "0001"), "c") == K("c", "0003")
    assert frontier(K("b", "0002"), "b") == K("b", "0003")
    assert frontier(K("a", "0001"), "b") is None
    for node in graph.migration_nodes():
        for app in chains:
            assert frontier(node, app) == _frontier_by_definition(graph, chains, node, app), (node, app)
