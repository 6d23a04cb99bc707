"""Which folder the project is imported from when it is handed to Django."""

from __future__ import annotations

from pathlib import Path

import pytest

from squashkit._syspath import import_root, pythonpath


def _package(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "__init__.py").write_text("")
    return path


def test_a_project_root_is_its_own_entry(tmp_path: Path) -> None:
    (tmp_path / "manage.py").write_text("")
    assert import_root(tmp_path) == tmp_path
    assert import_root(tmp_path / "nothing-here") == tmp_path / "nothing-here"


def test_a_package_folder_is_imported_from_above_its_top_level_package(tmp_path: Path) -> None:
    """``squashkit analyze site-packages/wagtail`` must not put ``wagtail/`` itself on sys.path."""
    inner = _package(_package(tmp_path / "site-packages" / "wagtail") / "contrib")
    assert import_root(tmp_path / "site-packages" / "wagtail") == tmp_path / "site-packages"
    assert import_root(inner) == tmp_path / "site-packages"


def test_a_package_with_manage_py_is_its_own_entry(tmp_path: Path) -> None:
    """Old layouts put ``__init__.py`` next to ``manage.py``; ``manage.py`` runs from its own folder."""
    project = _package(tmp_path / "mysite")
    (project / "manage.py").write_text("")
    assert import_root(project) == project


@pytest.mark.slow
def test_pythonpath_puts_the_entry_first(tmp_path: Path) -> None:
    pkg = _package(tmp_path / "lib" / "vendor")
    assert pythonpath(pkg, {"PYTHONPATH": "/x"}) == f"{tmp_path / 'lib'}:/x"
    assert pythonpath(pkg, {}) == str(tmp_path / "lib")


def test_settings_from_a_repository_root_use_the_manage_py_folder(tmp_path: Path) -> None:
    """``--settings mysite.settings`` from a repository root whose manage.py and mysite/ are in src/."""
    src = tmp_path / "src"
    (src / "mysite").mkdir(parents=True)
    (src / "manage.py").write_text("")
    (tmp_path / "docs").mkdir()
    assert import_root(tmp_path) == tmp_path
    assert import_root(tmp_path, "mysite.settings") == src
    assert import_root(src, "mysite.settings") == src
    assert import_root(tmp_path, "other.settings") == tmp_path  # nowhere to be found: unchanged


def test_analyze_with_settings_from_the_repository_root(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.deps.djangoproject import make_project

    make_project(tmp_path / "repo" / "src")
    result = subprocess.run(
        [sys.executable, "-m", "squashkit", "analyze", str(tmp_path / "repo"), "--settings", "mysite.settings",
         "--format", "json"],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert '"source": "django"' in result.stdout
