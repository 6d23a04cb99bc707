"""Fixtures shared by the whole suite.

* ``sample_project``: the repository's sample project (read-only: never modify it in a test).
* ``sample_copy``: a fresh copy of it in a temp dir, for tests that write files or databases.
* ``run_cli``: run the ``squashkit`` CLI in-process and get ``(exit_code, stdout, stderr)``.

Markers (``pytest -m "not django and not slow"`` runs the pure graph/analysis/rewrite tests in seconds):
``django`` starts Django or another Python subprocess (a test using a fixture that migrates databases with
Django, listed in ``DJANGO_FIXTURES``, is marked automatically), ``slow`` takes a second or more without
Django, ``postgres`` needs a throwaway PostgreSQL cluster, ``graphviz`` the ``dot`` binary.

Other fixture modules are registered in ``pytest_plugins`` below (one per concern).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
SAMPLE_PROJECT = REPO / "sample_project"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

pytest_plugins: list[str] = []
pytest_plugins.append("tests.plugins.postgres")
pytest_plugins.append("tests.plugins.history")
pytest_plugins.append("tests.plugins.browser")

#: fixtures whose setup runs Django's ``migrate``: their tests are ``django`` tests
DJANGO_FIXTURES = frozenset({"history_shop", "history_shop_template"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DJANGO_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.django)


@pytest.fixture(autouse=True, scope="session")
def _isolated_record_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the parsed-record cache of the whole run in a temp dir, never in the user's cache."""
    if "SQUASHKIT_CACHE_DIR" not in os.environ:
        os.environ["SQUASHKIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("squashkit-cache"))


@pytest.fixture(autouse=True)
def _no_leaked_django_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts without DJANGO_SETTINGS_MODULE, and whatever a test sets is removed after it.

    A command run in process that sets Django up (``os.environ.setdefault`` in a loader or a manage.py
    imported by a test) would otherwise leave it set for the rest of the worker, and every later
    ``manage.py`` or squashkit subprocess would load that module instead of its own project's settings.
    """
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)


def copy_project(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3", "*.pyc"))
    return dest


@pytest.fixture
def sample_project() -> Path:
    return SAMPLE_PROJECT


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    return copy_project(SAMPLE_PROJECT, tmp_path / "sample_project")


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None


@pytest.fixture
def run_cli() -> Callable[..., CliResult]:
    from squashkit.cli import cli

    def run(*args: str | Path, env: dict[str, str] | None = None) -> CliResult:
        try:
            runner = CliRunner(mix_stderr=False)  # click < 8.2
        except TypeError:
            runner = CliRunner()  # click >= 8.2 keeps stderr apart
        result = runner.invoke(cli, [str(a) for a in args], env={"COLUMNS": "80", **(env or {})})
        exc = result.exception if not isinstance(result.exception, SystemExit) else None
        return CliResult(result.exit_code, result.stdout, result.stderr, exc)

    return run
