"""Where the analysed project is imported from, for the places that hand it to Django."""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["add_to_sys_path", "import_root", "pythonpath"]


def import_root(root: Path, settings: str | None = None) -> Path:
    """The ``sys.path`` entry for a project analysed at ``root``.

    A project root (``manage.py``, no ``__init__.py``) is its own entry.  A package folder (``squashkit
    analyze site-packages/wagtail``) is not: on ``sys.path`` its subpackages would shadow top-level modules
    of the same name (wagtail's ``search`` hides the project's ``search`` app, and Django sees the label
    ``wagtailsearch`` twice); the entry is the folder above its top-level package.  A folder with a
    ``manage.py`` is its own entry, package or not: that is where ``manage.py`` runs from.

    With ``settings`` whose top-level package that entry does not hold (``--settings mysite.settings`` from a
    repository root whose ``manage.py`` and ``mysite/`` are in ``src/``), the shallowest folder below ``root``
    with a ``manage.py`` and that package is the entry instead: where Django users run ``manage.py`` from.
    """
    entry = _entry(root)
    if settings is None or _provides(entry, settings):
        return entry
    return manage_py_folder(root, settings) or entry


def _entry(root: Path) -> Path:
    if (root / "manage.py").is_file():
        return root
    path = root
    while (path / "__init__.py").is_file() and path.parent != path:
        path = path.parent
    return path


def _provides(folder: Path, settings: str) -> bool:
    top = settings.split(".", 1)[0]
    return (folder / top).is_dir() or (folder / f"{top}.py").is_file()


_SKIP = frozenset({"node_modules", "__pycache__", "site-packages", "venv", "env", "build", "dist"})


def manage_py_folder(root: Path, settings: str, depth: int = 3) -> Path | None:
    """The shallowest folder under ``root`` (at most ``depth`` levels down) holding a ``manage.py`` and the
    settings' top-level package, else None."""
    level = [root]
    for _ in range(depth):
        below: list[Path] = []
        for folder in level:
            try:
                children = sorted(p for p in folder.iterdir() if p.is_dir())
            except OSError:
                continue
            below += [c for c in children if not c.name.startswith(".") and c.name not in _SKIP]
        for folder in below:
            if (folder / "manage.py").is_file() and _provides(folder, settings):
                return folder
        level = below
    return None


def pythonpath(root: Path, environ: dict[str, str], settings: str | None = None) -> str:
    """``PYTHONPATH`` for a subprocess that imports the project at ``root`` (its entry first)."""
    return os.pathsep.join([str(import_root(root, settings)), environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)


def add_to_sys_path(root: Path, settings: str | None = None) -> None:
    """Make the project at ``root`` importable in this process (its entry first, once)."""
    entry = str(import_root(root, settings))
    if entry not in sys.path:
        sys.path.insert(0, entry)
