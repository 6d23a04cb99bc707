"""Which rule reports each loader problem code (:class:`squashkit.graph.model.ProblemCode`), with its hint.

One table, total over the enum (a test checks it): SK101 for files squashkit could not read, SK102 for lists
it could read but not evaluate without importing the project.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from squashkit.graph.model import ProblemCode

__all__ = ["PROBLEMS", "ProblemRule", "problem_rule"]


class ProblemRule(NamedTuple):
    rule: str
    hint: str


_COMPUTED = "Write the list as literal tuples, or pass --settings to load through Django."

PROBLEMS: Mapping[ProblemCode, ProblemRule] = {
    ProblemCode.SYNTAX: ProblemRule(
        "SK101",
        "Django cannot import it under this Python either; if the project runs on a newer Python, run "
        "squashkit with that interpreter; else fix the file before squashing or rewriting.",
    ),
    ProblemCode.BAD_DEPENDENCY: ProblemRule(
        "SK101",
        'Django fails on it: write each entry as ("app_label", "migration_name") or '
        "migrations.swappable_dependency(settings.X).",
    ),
    ProblemCode.NOT_A_FILE: ProblemRule(
        "SK101", "Rename or remove it: only modules (and packages without a .py suffix) belong in migrations/."
    ),
    ProblemCode.ENCODING: ProblemRule("SK101", "Save the file as UTF-8 (or declare its encoding on line 1 or 2)."),
    ProblemCode.NO_MIGRATION_CLASS: ProblemRule(
        "SK101", "Move helper modules out of migrations/ or prefix their name with an underscore."
    ),
    ProblemCode.UNREADABLE: ProblemRule("SK101", "Check the file's permissions."),
    ProblemCode.SOURCELESS: ProblemRule(
        "SK101", "Django imports this .pyc as a migration: delete it, or restore its .py source."
    ),
    ProblemCode.DUPLICATE_LABEL: ProblemRule(
        "SK101", "Give one of the apps another label in apps.py, or exclude a folder in [tool.squashkit]."
    ),
    ProblemCode.BAD_APPS_PY: ProblemRule(
        "SK101", "The folder name is used as the app label; fix apps.py so the label can be read."
    ),
    ProblemCode.COMPUTED_MIGRATION: ProblemRule(
        "SK101", "Define the class in the file (class Migration(migrations.Migration): ...)."
    ),
    ProblemCode.TOO_COMPLEX: ProblemRule(
        "SK101", "Split the deeply nested expression (a long chain of + or nested brackets) into parts."
    ),
    ProblemCode.INTERNAL: ProblemRule(
        "SK101", "A squashkit bug: please report it with the file; the rest of the project was analysed."
    ),
    ProblemCode.OPERATION: ProblemRule(
        "SK101",
        "The migration is analysed as if it had no operations; give the custom operation plain attributes "
        "(name, model_name, field) or report it with the operation's class.",
    ),
    ProblemCode.COMPUTED_DEPENDENCIES: ProblemRule("SK102", _COMPUTED),
    ProblemCode.COMPUTED_REPLACES: ProblemRule("SK102", _COMPUTED),
    ProblemCode.COMPUTED_RUN_BEFORE: ProblemRule("SK102", _COMPUTED),
    ProblemCode.UNKNOWN_SETTING: ProblemRule("SK102", _COMPUTED),
}


def problem_rule(code: ProblemCode) -> ProblemRule:
    """The rule code reporting ``code`` and the hint its findings carry."""
    return PROBLEMS[code]
