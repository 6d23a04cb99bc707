"""SK101: a migration file (or an app's apps.py) squashkit could not read; every other file is analysed."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, Severity, register

HINTS = {
    "syntax": "Django cannot import it under this Python either; if the project runs on a newer Python, run "
    "squashkit with that interpreter; else fix the file before squashing or rewriting.",
    "bad-dependency": 'Django fails on it: write each entry as ("app_label", "migration_name") or '
    "migrations.swappable_dependency(settings.X).",
    "encoding": "Save the file as UTF-8 (or declare its encoding on line 1 or 2).",
    "no-migration-class": "Move helper modules out of migrations/ or prefix their name with an underscore.",
    "unreadable": "Check the file's permissions.",
    "not-a-file": "Rename or remove it: only modules (and packages without a .py suffix) belong in migrations/.",
    "sourceless": "Django imports this .pyc as a migration: delete it, or restore its .py source.",
    "duplicate-label": "Give one of the apps another label in apps.py, or exclude a folder in [tool.squashkit].",
    "bad-apps-py": "The folder name is used as the app label; fix apps.py so the label can be read.",
    "computed-migration": "Define the class in the file (class Migration(migrations.Migration): ...).",
    "too-complex": "Split the deeply nested expression (a long chain of + or nested brackets) into parts.",
    "internal": "A squashkit bug: please report it with the file; the rest of the project was analysed.",
}


@register("SK101", "unreadable-file", Severity.ERROR, "A migration file could not be parsed")
def check(context: AnalysisContext) -> Iterator[Finding]:
    for problem in context.project.problems:
        if problem.code not in HINTS:
            continue
        if problem.app_label is not None and problem.app_label not in context.apps:
            continue
        yield Finding(
            code="SK101",
            severity=Severity.ERROR,
            message=f"{problem.message} ({problem.code})",
            hint=HINTS[problem.code],
            path=problem.path,
            line=problem.line,
        )
