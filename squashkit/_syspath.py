"""Where the analysed project is imported from, for the places that hand it to Django."""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["add_to_sys_path", "django_command", "import_root", "pythonpath"]


def import_root(root: Path) -> Path:
    """The ``sys.path`` entry for a project analysed at ``root``.

    A project root (``manage.py``, no ``__init__.py``) is its own entry.  A package folder (``squashkit
    analyze site-packages/wagtail``) is not: on ``sys.path`` its subpackages would shadow top-level modules
    of the same name (wagtail's ``search`` hides the project's ``search`` app, and Django sees the label
    ``wagtailsearch`` twice); the entry is the folder above its top-level package.  A folder with a
    ``manage.py`` is its own entry, package or not: that is where ``manage.py`` runs from.
    """
    if (root / "manage.py").is_file():
        return root
    path = root
    while (path / "__init__.py").is_file() and path.parent != path:
        path = path.parent
    return path


def pythonpath(root: Path, environ: dict[str, str]) -> str:
    """``PYTHONPATH`` for a subprocess that imports the project at ``root`` (its entry first)."""
    return os.pathsep.join([str(import_root(root)), environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)


def django_command(root: Path, settings: str, module: str, *args: str) -> tuple[list[str], dict[str, str]]:
    """Command line and environment of a subprocess running squashkit's ``module`` with Django set up.

    It runs in ``root`` (relative paths in settings resolve as under ``manage.py``) as ``python -P -m``:
    ``-P`` keeps that working folder itself off ``sys.path``; ``PYTHONPATH`` puts the project's entry first.
    """
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = settings
    env["PYTHONPATH"] = pythonpath(root, env)
    return [sys.executable, "-P", "-m", module, *args], env


def add_to_sys_path(root: Path) -> None:
    """Make the project at ``root`` importable in this process (its entry first, once)."""
    entry = str(import_root(root))
    if entry not in sys.path:
        sys.path.insert(0, entry)
