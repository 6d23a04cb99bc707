"""squashkit: keep Django migration histories healthy.

Library entry points (no printing, no click; errors subclass :class:`SquashkitError`)::

    import squashkit

    project = squashkit.load_static("path/to/project")      # ast only: no settings, no imports, no DB
    report = squashkit.analyze(project)                      # metrics and findings, as frozen data
    project = squashkit.load_django("path", "mysite.settings")  # the same records through MigrationLoader
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from squashkit.errors import SquashkitError
from squashkit.graph.model import MigrationKey, Project
from squashkit.graph.static import load_static

if TYPE_CHECKING:
    from squashkit.analysis.report import Report
    from squashkit.graph.django_loader import load_django
    from squashkit.squash.plan import SquashPlan

__all__ = [
    "MigrationKey",
    "SquashkitError",
    "__version__",
    "analyze",
    "load_django",
    "load_static",
    "plan_squashes",
]


def __getattr__(name: str) -> Any:
    # ``load_django`` (subprocess, Django's helpers) and ``__version__`` (``importlib.metadata``, see
    # squashkit._version) are imported on first use: a static run needs neither.
    if name == "load_django":
        from squashkit.graph.django_loader import load_django

        return load_django
    if name == "__version__":
        from squashkit._version import get_version

        return get_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def analyze(project: Project, **options: Any) -> Report:
    """Analyse a loaded project: :func:`squashkit.analysis.analyze` (imported on first use: the analysis
    package imports the graph modules, which must be initialised first)."""
    from squashkit.analysis import analyze as _analyze

    return _analyze(project, **options)


def plan_squashes(project: Project, applied: Any = None, **options: Any) -> SquashPlan:
    """Safe squash ranges: :func:`squashkit.squash.plan.plan_squashes` (imported on first use)."""
    from squashkit.squash.plan import plan_squashes as _plan_squashes

    return _plan_squashes(project, applied, **options)
