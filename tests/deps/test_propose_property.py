"""Property: on generated graphs with data migrations, no accepted proposal removes an ancestor of a migration
whose needs squashkit cannot see (RunSQL, RunPython running raw SQL, RunPython importing project code).

Each example is a small project written to a temp dir: apps ``a0``..``aN``, each a chain of migrations
created in one global order (so cross-app dependencies only point backwards and the graph is acyclic).  An
operation is a model creation, a field, a foreign key to another app's model, a precise RunPython
(``apps.get_model`` of an existing model), or an opaque one.  Every migration may carry extra, possibly
over-specified, dependencies on earlier migrations of other apps.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from squashkit.deps.propose import propose
from squashkit.deps.references import references
from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static
from tests.projects import add_field, build, create, fk, migration

OPAQUE = {
    "sql": "migrations.RunSQL('UPDATE {table} SET id = id', migrations.RunSQL.noop)",
    "raw": "migrations.RunPython(raw_sql, migrations.RunPython.noop)",
    "import": "migrations.RunPython(project_code, migrations.RunPython.noop)",
}
FUNCTIONS = {
    "raw": "\n\ndef raw_sql(apps, schema_editor):\n    schema_editor.execute('SELECT 1')\n",
    "import": "\n\ndef project_code(apps, schema_editor):\n    from a0.services import run\n\n    run()\n",
    "read": "\n\ndef read(apps, schema_editor):\n    apps.get_model({app!r}, {model!r}).objects.count()\n",
}


@st.composite
def projects(draw: st.DrawFn) -> dict[str, dict[str, str]]:
    n_apps = draw(st.integers(2, 4))
    total = draw(st.integers(n_apps + 2, 14))
    counts = [0] * n_apps
    created: list[tuple[MigrationKey, str, str]] = []  # (migration, app, model) of every created model
    order: list[MigrationKey] = []
    files: dict[str, dict[str, str]] = {f"a{i}": {} for i in range(n_apps)}
    for step in range(total):
        app_index = step if step < n_apps else draw(st.integers(0, n_apps - 1))
        app = f"a{app_index}"
        counts[app_index] += 1
        name = f"{counts[app_index]:04d}_m{step}"
        key = MigrationKey(app, name)
        deps: list[tuple[str, str]] = []
        previous = [k for k in order if k.app_label == app]
        if previous:
            deps.append((app, previous[-1].name))
        others = [k for k in order if k.app_label != app]
        extra = draw(st.lists(st.sampled_from(others), max_size=2, unique=True)) if others else []
        deps += [(k.app_label, k.name) for k in extra]
        ops: list[str] = []
        prefix = ""
        if not previous:
            model = f"M{app_index}"
            ops.append(create(model))
            created.append((key, app, model))
        else:
            kind = draw(st.sampled_from(["field", "fk", "read", "sql", "raw", "import"]))
            mine = [c for c in created if c[1] == app]
            model = mine[0][2]
            if kind == "field":
                ops.append(add_field(model, f"f{step}"))
            elif kind == "fk":
                ancestors_created = [c for c in created if c[1] != app and c[0] in order]
                if ancestors_created:
                    target = draw(st.sampled_from(ancestors_created))
                    ops.append(
                        add_field(
                            model,
                            f"r{step}",
                            fk(target[1], target[2]).replace("CASCADE", "SET_NULL").replace("to=", "null=True, to="),
                        )
                    )
                    if (target[0].app_label, target[0].name) not in deps:
                        deps.append((target[0].app_label, target[0].name))
                else:
                    ops.append(add_field(model, f"f{step}"))
            elif kind == "read":
                target = draw(st.sampled_from(created))
                prefix = FUNCTIONS["read"].format(app=target[1], model=target[2])
                ops.append("migrations.RunPython(read, migrations.RunPython.noop)")
                if target[1] != app and (target[0].app_label, target[0].name) not in deps:
                    deps.append((target[0].app_label, target[0].name))
            else:
                ops.append(OPAQUE[kind].format(table=f"{app}_{model.lower()}"))
                prefix = FUNCTIONS.get(kind, "")
        source = migration(deps, ops)
        if prefix:
            source = source.replace("\n\nclass Migration", prefix + "\n\nclass Migration")
        files[app][name] = source
        order.append(key)
    return files


def _ancestors(parents: dict[MigrationKey, set[MigrationKey]], node: MigrationKey) -> set[MigrationKey]:
    seen: set[MigrationKey] = set()
    todo = list(parents.get(node, ()))
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(parents.get(current, ()))
    return seen


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_no_accepted_proposal_removes_an_ancestor_of_an_opaque_migration(files: dict[str, dict[str, str]]) -> None:
    root = Path(tempfile.mkdtemp(prefix="squashkit-prop-"))
    try:
        build(root, files)
        project = load_static(root)
        proposals = {p.migration: p for p in propose(project)}
        before = {key: {d.key for d in info.dependencies} for key, info in project.migrations.items()}
        after = {
            key: {d.key for d in proposals[key].proposed} if key in proposals else deps for key, deps in before.items()
        }
        opaque = [key for key, info in project.migrations.items() if references(info).opaque]
        for key in opaque:
            lost = _ancestors(before, key) - _ancestors(after, key)
            assert not lost, f"{key} loses {sorted(map(str, lost))}"
        # and every precise migration still follows what it reads
        for key, info in project.migrations.items():
            for need in references(info).needs:
                if need.kind == "state" and need.app_label != key.app_label:
                    creators = {k for k in before if k.app_label == need.app_label and k.name.startswith("0001")}
                    assert creators & _ancestors(after, key), f"{key} no longer follows {need.target}"
    finally:
        shutil.rmtree(root, ignore_errors=True)
