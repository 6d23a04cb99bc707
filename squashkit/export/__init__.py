"""Exports of the migration graph: graphviz DOT text (deterministic) and SVG/PNG/PDF rendered from it.

* :mod:`squashkit.export.dot`: which nodes to draw (:func:`~squashkit.export.dot.select`) and the DOT text
  (:func:`~squashkit.export.dot.to_dot`), byte-identical for the same input so that diffs in PRs mean something.
* :mod:`squashkit.export.render`: DOT -> SVG/PNG/PDF through the ``dot`` binary of graphviz.

>>> from squashkit import load_static
>>> from squashkit.export import to_dot
>>> text = to_dot(load_static("sample_project").graph(), level="app")   # doctest: +SKIP
"""

from __future__ import annotations

from squashkit.export.dot import (
    LEVELS,
    Selection,
    TooManyNodesError,
    declared_edges,
    resolve_since,
    select,
    to_dot,
)
from squashkit.export.render import FORMATS, GraphvizNotFoundError, RenderError, format_for, render

__all__ = [
    "FORMATS",
    "LEVELS",
    "GraphvizNotFoundError",
    "RenderError",
    "Selection",
    "TooManyNodesError",
    "declared_edges",
    "format_for",
    "render",
    "resolve_since",
    "select",
    "to_dot",
]
