"""Every loader problem code is reported by one rule, including the Django loader's ``operation`` problem."""

from __future__ import annotations

from pathlib import Path

from squashkit.analysis import analyze
from squashkit.graph.model import FileProblem, ProblemCode
from squashkit.graph.static import load_static
from squashkit.rules import get_rule
from squashkit.rules.problems import PROBLEMS
from tests.projects import build, create, migration


def test_every_problem_code_has_a_rule_and_a_hint() -> None:
    assert set(PROBLEMS) == set(ProblemCode)
    for code, (rule, hint) in PROBLEMS.items():
        assert get_rule(rule).code in ("SK101", "SK102"), code
        assert hint.endswith("."), code


def test_operation_problem_is_reported(tmp_path: Path) -> None:
    """The Django loader's ``operation`` problem (operations that could not be summarised) is an SK101."""
    import dataclasses

    build(tmp_path, {"a": {"0001_initial": migration(ops=[create("Order")])}})
    project = load_static(tmp_path)
    path = tmp_path / "a/migrations/0001_initial.py"
    problem = FileProblem(path, 0, ProblemCode.OPERATION, "cannot summarise operations: boom", "a", "0001_initial")
    report = analyze(dataclasses.replace(project, problems=(problem,)))
    [finding] = report.by_code("SK101")
    assert finding.message == "cannot summarise operations: boom (operation)"
    assert finding.hint == (
        "The migration is analysed as if it had no operations; give the custom operation plain attributes "
        "(name, model_name, field) or report it with the operation's class."
    )
    assert finding.location(tmp_path) == "a/migrations/0001_initial.py"
    assert report.to_dict()["problems"] == [
        {
            "location": "a/migrations/0001_initial.py",
            "code": "operation",
            "message": "cannot summarise operations: boom",
        }
    ]
