"""squashkit: keep Django migration histories healthy.

Library entry points (no printing, no click; errors subclass :class:`SquashkitError`)::

    import squashkit

    project = squashkit.load_static("path/to/project")      # ast only: no settings, no imports, no DB
    report = squashkit.analyze(project)                      # metrics and findings, as frozen data
    project = squashkit.load_django("path", "mysite.settings")  # the same records through MigrationLoader
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from squashkit.errors import SquashkitError
from squashkit.graph.django_loader import load_django
from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static

try:
    __version__ = version("squashkit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["MigrationKey", "SquashkitError", "__version__", "analyze", "load_django", "load_static"]


def analyze(project, *, apps=None, applied=()):  # type: ignore[no-untyped-def]
    """Analyse a loaded project; see :func:`squashkit.analysis.analyze`."""
    from squashkit.analysis import analyze as _analyze

    return _analyze(project, apps=apps, applied=applied)
