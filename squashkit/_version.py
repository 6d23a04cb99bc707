"""squashkit's installed version, found without importing :mod:`importlib.metadata` when possible.

``importlib.metadata`` costs about 30 ms to import (it pulls in the ``email`` package), a tenth of a whole
``squashkit analyze`` run on a big project.  The version is read from the ``Version:`` line of the first
``squashkit-*.dist-info/METADATA`` on ``sys.path`` (the distribution ``importlib.metadata`` would find
first); anything unusual falls back to ``importlib.metadata``.
"""

from __future__ import annotations

import os
import sys

__all__ = ["get_version"]

_DIST = "squashkit"
_version: str | None = None


def _from_dist_info() -> str | None:
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found = [
            n
            for n in names
            if n.lower().endswith((".dist-info", ".egg-info")) and n.rsplit(".", 1)[0].split("-", 1)[0].lower() == _DIST
        ]
        if not found:
            continue
        if len(found) != 1 or not found[0].endswith(".dist-info"):
            return None  # several or legacy metadata: let importlib.metadata decide
        try:
            with open(os.path.join(entry or ".", found[0], "METADATA"), encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        break
                    if line.startswith("Version:"):
                        return line.split(":", 1)[1].strip() or None
        except OSError:
            return None
        return None
    return None


def get_version() -> str:
    """The installed version, ``"0.0.0"`` when squashkit runs from a source tree without installation."""
    global _version
    if _version is None:
        found = _from_dist_info()
        if found is None:
            from importlib.metadata import PackageNotFoundError, version

            try:
                found = version(_DIST)
            except PackageNotFoundError:  # pragma: no cover - source tree without install
                found = "0.0.0"
        _version = found
    return _version
