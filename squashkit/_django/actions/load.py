"""Actions of the Django loader: the project's records (``load``) and Django's own graph (``graph``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from squashkit._django.actions import action

__all__ = ["graph", "load"]


@action("load")
def load(payload: dict[str, Any]) -> Any:
    """The project's records through ``MigrationLoader`` (:func:`~squashkit.graph.django_loader.load_in_process`)."""
    from squashkit import codec
    from squashkit.graph.django_loader import load_in_process

    return codec.encode_project(load_in_process(Path(payload["root"]), payload["settings"]))


@action("graph")
def graph(payload: dict[str, Any]) -> Any:
    """Django's ``loader.graph``: nodes, edges, the error building it raised, applied migrations of ``database``."""
    from squashkit import codec
    from squashkit.graph.django_loader import graph_in_process

    result = graph_in_process(Path(payload["root"]), payload["settings"], payload.get("database") or None)
    return {
        "nodes": sorted(codec.encode_key(k) for k in result.nodes),
        "edges": sorted((codec.encode_key(p), codec.encode_key(c)) for p, c in result.edges),
        "graph_error": result.error,
        "applied": sorted(codec.encode_key(k) for k in result.applied),
    }
