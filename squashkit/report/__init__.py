"""Reports built from the same data as the other commands: :class:`ReportData` in, one string out.

Formats are registered in :data:`FORMATS` (name -> module): each module defines ``render(data) -> str``, a
pure function of a :class:`ReportData`, and ``NEEDS_GRAPHS`` when it shows rendered graphs.  Adding a format
is adding a module and one entry here.

>>> from squashkit import load_static
>>> from squashkit.report import collect_report, render
>>> page = render(collect_report(load_static("sample_project")), "html")   # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from types import ModuleType

from squashkit.errors import UsageError
from squashkit.report.data import Graphs, ReportData, collect_report

__all__ = ["FORMATS", "Graphs", "ReportData", "collect_report", "needs_graphs", "render", "renderer"]

#: format name -> module defining ``render(data: ReportData) -> str``
FORMATS: dict[str, str] = {
    "html": "squashkit.report.html",
    "markdown": "squashkit.report.markdown",
}


def renderer(fmt: str) -> ModuleType:
    """The module rendering ``fmt``; :class:`~squashkit.errors.UsageError` for an unknown format."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown report format {fmt!r} (choose from {', '.join(sorted(FORMATS))})")
    return importlib.import_module(FORMATS[fmt])


def needs_graphs(fmt: str) -> bool:
    """True when the format shows SVG graphs (collect them with ``collect_report(..., graphs=True)``)."""
    return bool(getattr(renderer(fmt), "NEEDS_GRAPHS", False))


def render(data: ReportData, fmt: str) -> str:
    """``data`` as ``fmt`` (see :data:`FORMATS`)."""
    text: str = renderer(fmt).render(data)
    return text
