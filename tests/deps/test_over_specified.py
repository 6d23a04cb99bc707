"""``over_specified()`` (what ``squashkit analyze`` uses for SK201) against ``propose()``: the same removals.

``over_specified`` skips the proposals (no rewired graph for every migration, no record per kept edge), so
it is checked here to give exactly the ``remove``/``over-specified`` changes of ``propose``, in the same
order, with the same reasons, providers and ``via``, on every project the tests know: the sample project,
the rich project, the fixtures, every small project of ``test_propose.py`` and generated projects.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

import tests.deps.test_propose as propose_tests
from benchmarks.generate import generate_project
from squashkit.deps.propose import OverSpecified, _rewire, _Setup, over_specified, propose
from squashkit.graph.model import Project
from squashkit.graph.static import load_static
from tests.conftest import FIXTURES, SAMPLE_PROJECT
from tests.deps.richproject import make_rich_project

Row = tuple[object, object, str, object, object]


def from_proposals(project: Project, apps: Iterable[str] | None = None) -> list[Row]:
    return [
        (p.migration, c.dependency, c.reason, c.provider, c.via)
        for p in propose(project, apps=apps)
        for c in p.changes
        if c.action == "remove" and c.reason_code == "over-specified"
    ]


def rows(found: list[OverSpecified]) -> list[Row]:
    return [(o.migration, o.dependency, o.reason, o.provider, o.via) for o in found]


def assert_same(project: Project, apps: Iterable[str] | None = None) -> int:
    apps = list(apps) if apps is not None else None
    expected = from_proposals(project, apps)
    assert rows(over_specified(project, apps=apps)) == expected
    assert rows(over_specified(project, apps=apps, graph=project.graph())) == expected
    assert_same_rewired_graph(project, apps)
    return len(expected)


def assert_same_rewired_graph(project: Project, apps: Iterable[str] | None) -> None:
    """``over_specified`` skips the candidate edges of migrations that change no cross-app edge
    (``all_candidates=False``); the rewired graph must imply exactly what the full one implies."""
    graph = project.graph()
    if not graph.is_acyclic:
        return
    setup = _Setup(project, graph, apps)
    plans = {key: setup.plan(key, shortcut=True) for key in setup.scope}
    full = _rewire(graph, project, setup.chains, plans)
    lean = _rewire(graph, project, setup.chains, plans, all_candidates=False)
    assert full is not None and lean is not None
    for key, plan in plans.items():
        for target in sorted({*graph.pred[key], *plan.required, *full[0][key]}):
            assert lean[1](key, target) == full[1](key, target), (key, target)


def test_sample_project() -> None:
    if not (SAMPLE_PROJECT / "manage.py").is_file():
        pytest.skip("sample_project is not in the repository")
    project = load_static(SAMPLE_PROJECT)
    assert assert_same(project) == 5  # four planted ones stay: an opaque RunSQL (purchase_orders.0007) follows them
    for app in project.project_apps:
        assert_same(project, [app])


def test_rich_project(tmp_path: Path) -> None:
    project = load_static(make_rich_project(tmp_path / "rich"))
    assert assert_same(project) > 0
    assert_same(project, ["sales", "billing"])


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "hostile"))
def test_fixture_projects(name: str) -> None:
    assert_same(load_static(FIXTURES / name))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("seed", "rates"),
    [
        (1, {}),
        (2, {}),
        (3, {}),
        (1, {"cross_app_rate": 0.5, "over_specified_rate": 0.6, "redundant_rate": 0.3}),
        (2, {"cross_app_rate": 0.5, "over_specified_rate": 0.6, "redundant_rate": 0.3}),
        (3, {"cross_app_rate": 0.5, "over_specified_rate": 0.6, "redundant_rate": 0.3}),
    ],
)
def test_generated_projects(tmp_path: Path, seed: int, rates: dict[str, float]) -> None:
    root = tmp_path / "generated"
    generate_project(root, 25, 15, seed, **rates)
    project = load_static(root)
    assert assert_same(project) > 0
    assert_same(project, project.project_apps[::3])


def _tmp_path_tests() -> list[Callable[[Path], None]]:
    return [
        function
        for name, function in sorted(vars(propose_tests).items())
        if name.startswith("test_") and list(inspect.signature(function).parameters) == ["tmp_path"]
    ]


@pytest.mark.parametrize("test", _tmp_path_tests(), ids=lambda f: f.__name__)
def test_every_propose_test_project(
    test: Callable[[Path], None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test of ``test_propose.py`` is run with ``propose`` checking ``over_specified`` on its project."""
    checked: list[int] = []

    def checking_propose(project: Project, **kwargs: object) -> list:
        apps = kwargs.get("apps")
        assert rows(over_specified(project, apps=apps)) == from_proposals(project, apps)  # type: ignore[arg-type]
        checked.append(1)
        return propose(project, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(propose_tests, "propose", checking_propose)
    test(tmp_path)
    assert checked
