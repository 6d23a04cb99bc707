"""The report's graphs: DOT from :mod:`squashkit.export.dot`, SVG from graphviz, trimmed for inlining in HTML.

Trimming keeps what the page uses (``<title>`` of nodes and edges, shapes, text, tooltips) and drops what an
inline SVG does not need or must not have: the XML prolog and DOCTYPE, comments, the ``xmlns`` declarations
(the HTML parser knows SVG), element ids (several graphs share one page), and attributes equal to the
defaults the page's CSS sets once (font, text anchor, colours of plain nodes and edges); coordinates are
rounded to a tenth of a point.  The same DOT gives the same bytes with the same graphviz.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from squashkit.errors import SquashkitError
from squashkit.export.dot import TooManyNodesError, to_dot
from squashkit.export.render import GraphvizNotFoundError, render
from squashkit.graph.graph import MigrationGraph
from squashkit.graph.model import MigrationKey
from squashkit.report.data import Graphs

__all__ = ["APP_EDGE_LABELS_MAX", "MAX_APP_NODES", "clean_svg", "render_graphs"]

#: Apps' migration-level graphs with more nodes than this are not drawn (their table still is).
MAX_APP_NODES = 1500
#: The app-level graph labels its edges with their counts up to this many apps (beyond, counts are tooltips).
APP_EDGE_LABELS_MAX = 40

_PROLOG = re.compile(r"<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*|<!--.*?-->\s*", re.DOTALL)
_SVG_OPEN = re.compile(r"<svg\b[^>]*?\bviewBox=\"([^\"]*)\"[^>]*>")
_IDS = re.compile(r' id="[^"]*"')
_FONT = re.compile(r' font-family="[^"]*"')
# Attributes equal to the defaults the page's CSS gives (report.css: ``svg.sk-graph`` and its ``:not([...])`` rules).
_DEFAULTS = (
    (' font-size="10.00"', ""),
    (' text-anchor="middle"', ""),
    ('<path fill="none" stroke="#333333" ', "<path "),  # edges
    ('<polygon fill="#333333" stroke="#333333" ', "<polygon "),  # arrowheads
    ('<polygon fill="#ffffff" stroke="black" ', "<polygon "),  # plain nodes
)
_GEOMETRY = re.compile(r'(\s(?:points|d|x|y)=")([^"]*)"')
_NUMBER = re.compile(r"-?\d+\.\d+")


def clean_svg(svg: str, css_class: str = "") -> str:
    """graphviz's SVG reduced to what an inline ``<svg>`` of the report needs (see the module docstring)."""
    text = _PROLOG.sub("", svg)
    match = _SVG_OPEN.search(text)
    if match is None:
        raise ValueError("not an SVG document")
    cls = f' class="{css_class}"' if css_class else ""
    text = text[: match.start()] + f'<svg viewBox="{match.group(1)}"{cls}>' + text[match.end() :]
    text = _FONT.sub("", _IDS.sub("", text))
    for default, kept in _DEFAULTS:
        text = text.replace(default, kept)
    text = _GEOMETRY.sub(lambda m: m.group(1) + _NUMBER.sub(_round, m.group(2)) + '"', text)
    return text.strip() + "\n"


def _round(match: re.Match[str]) -> str:
    """A coordinate to a tenth of a point (graphviz writes hundredths), without a trailing ``.0``."""
    value = f"{float(match.group(0)):.1f}"
    value = value[:-2] if value.endswith(".0") else value
    return "0" if value == "-0" else value


def _svg(dot: str, css_class: str) -> str:
    return clean_svg(render(dot, "svg").decode("utf-8"), css_class)


def render_graphs(
    graph: MigrationGraph,
    *,
    removable: frozenset[tuple[MigrationKey, MigrationKey]] = frozenset(),
    applied: Mapping[str, frozenset[MigrationKey]] | None = None,
    workers: int | None = None,
) -> Graphs:
    """The app-level graph and each project app's migration-level graph as cleaned SVG.

    ``dot`` runs in ``workers`` threads (default: the CPU count; each waits on its own process).  Without the
    ``dot`` binary, or when it fails, the result has no SVG and ``note`` says why.
    """
    apps = graph.project.project_apps
    try:
        app_dot = to_dot(
            graph,
            level="app",
            applied=applied,
            removable=removable,
            edge_labels=len(apps) <= APP_EDGE_LABELS_MAX,
        )
        app_svg = _svg(app_dot, "sk-graph sk-apps")
    except GraphvizNotFoundError:
        return Graphs(
            note="Graphs are left out: the graphviz 'dot' binary is not on PATH (install graphviz, e.g. "
            "apt-get install graphviz, to draw them). The tables below are complete."
        )
    except SquashkitError as exc:
        return Graphs(note=f"Graphs are left out: {exc.message}")

    notes: list[str] = []

    def one(app: str) -> tuple[str, str, str]:  # (app, svg, note): one of the last two is empty
        try:
            dot = to_dot(
                graph,
                apps=[app],
                level="migration",
                applied=applied,
                removable=removable,
                legend=False,
                title=f"{app}: migrations",
                max_nodes=MAX_APP_NODES,
            )
            return app, _svg(dot, "sk-graph sk-migrations"), ""
        except TooManyNodesError as exc:
            return app, "", f"{app}: {exc.count} nodes, more than {MAX_APP_NODES}: not drawn (see its table)"
        except SquashkitError as exc:
            return app, "", f"{app}: not drawn: {exc.message}"

    per_app: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        for app, svg, note in pool.map(one, apps):
            if svg:
                per_app[app] = svg
            if note:
                notes.append(note)
    return Graphs(apps=app_svg, per_app=per_app, note="; ".join(notes))
