"""The one Django runner: subprocess per action, no bytecode in the project, one timeout policy, one error."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from squashkit._django import DEFAULT_TIMEOUT, TIMEOUT_ENV, DjangoError, resolve_timeout, run_action
from squashkit.errors import DjangoLoadError
from squashkit.graph.django_loader import load_django
from tests.graph.helpers import copy_fixture, line_of, write_settings

SQUASHKIT = Path(__file__).resolve().parents[2] / "squashkit"

#: Modules allowed to start processes besides the runner, none of them Django: graphviz's ``dot`` (through the
#: graphviz package, so render.py starts nothing itself), ``git`` for ``report --before`` and ``verify --since``,
#: and ``initdb``/``pg_ctl`` for the throwaway PostgreSQL cluster of ``--local-postgres`` (proof/cluster.py).
#: history starts none.
ALLOWED = {"_django/runner.py", "export/render.py", "proof/cluster.py", "report/before.py", "verify/git.py"}
_PROCESS_MODULES = {"subprocess", "multiprocessing", "pty", "concurrent.futures.process"}
_OS_CALLS = {"system", "popen", "fork", "forkpty", "posix_spawn", "posix_spawnp"}


def _starts_processes(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name in _PROCESS_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module in _PROCESS_MODULES:
            found.append(f"from {node.module} import ...")
        elif isinstance(node, ast.ImportFrom) and node.module in ("os", "asyncio"):
            found += [
                f"from {node.module} import {a.name}"
                for a in node.names
                if a.name in _OS_CALLS or a.name.startswith(("spawn", "exec", "create_subprocess"))
            ]
        elif (
            isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("os", "asyncio")
        ):
            name = node.attr
            if name in _OS_CALLS or name.startswith(("spawn", "execv", "execl", "create_subprocess")):
                found.append(f"{node.value.id}.{name}")
    return found


def test_only_the_runner_starts_subprocesses():
    offenders = {}
    for path in sorted(SQUASHKIT.rglob("*.py")):
        relative = path.relative_to(SQUASHKIT).as_posix()
        if relative in ALLOWED:
            continue
        found = _starts_processes(ast.parse(path.read_text(encoding="utf-8")))
        if found:
            offenders[relative] = found
    assert offenders == {}
    assert _starts_processes(ast.parse((SQUASHKIT / "_django" / "runner.py").read_text())) == ["import subprocess"]


def test_the_scan_sees_each_way_of_starting_a_process():
    source = (
        "import subprocess\nimport os\nos.system('x')\nfrom os import execvp\n"
        "import asyncio\nasyncio.create_subprocess_exec('x')\n"
    )
    assert sorted(_starts_processes(ast.parse(source))) == [
        "asyncio.create_subprocess_exec",
        "from os import execvp",
        "import subprocess",
        "os.system",
    ]


def test_timeout_policy(monkeypatch):
    monkeypatch.delenv(TIMEOUT_ENV, raising=False)
    assert resolve_timeout() == DEFAULT_TIMEOUT == 600
    assert resolve_timeout(5) == 5
    assert resolve_timeout(0) is None
    monkeypatch.setenv(TIMEOUT_ENV, "42")
    assert resolve_timeout() == 42
    assert resolve_timeout(3) == 3
    monkeypatch.setenv(TIMEOUT_ENV, "0")
    assert resolve_timeout() is None


def test_migrating_actions_get_the_long_default(monkeypatch):
    """A fresh migrate of 100 apps x 50 migrations took 24 minutes on SQLite here; deps verification runs two
    of them and was killed at 600 s.  Reading actions keep 600 s; the variable still overrides both."""
    from squashkit._django import MIGRATE_TIMEOUT, MIGRATING_ACTIONS
    from squashkit._django.actions import all_actions

    monkeypatch.delenv(TIMEOUT_ENV, raising=False)
    assert resolve_timeout(None, "verify") == MIGRATE_TIMEOUT == 6 * 3600
    assert resolve_timeout(None, "load") == resolve_timeout(None, "aliases") == DEFAULT_TIMEOUT
    assert resolve_timeout(5, "verify") == 5
    monkeypatch.setenv(TIMEOUT_ENV, "42")
    assert resolve_timeout(None, "proof.schema") == 42
    assert set(all_actions()) >= MIGRATING_ACTIONS  # every name is a registered action


@pytest.fixture
def conflicts(tmp_path: Path) -> Path:
    root = copy_fixture("conflicts", tmp_path)
    write_settings(root, ["blog"])
    return root


def test_a_django_backed_command_leaves_no_pycache(sample_copy: Path):
    """Without PYTHONDONTWRITEBYTECODE, Django-backed commands wrote ~113 __pycache__ files into the project."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    migrate = [sys.executable, "-B", "manage.py", "migrate", "-v0"]
    subprocess.run(migrate, cwd=sample_copy, env=env, check=True, capture_output=True)
    for args in (
        ["analyze", str(sample_copy), "--settings", "sample_project.settings", "--format", "json"],
        ["analyze", str(sample_copy), "--cross-check", "--settings", "sample_project.settings", "--format", "json"],
        ["deps", str(sample_copy), "--settings", "sample_project.settings", "--format", "json"],
        ["history", "show", str(sample_copy), "--settings", "sample_project.settings", "--database", "default"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "squashkit", *args], capture_output=True, text=True, env=env, check=False
        )
        assert proc.returncode in (0, 1), proc.stderr
    assert sorted(str(p.relative_to(sample_copy)) for p in sample_copy.rglob("__pycache__")) == []
    assert list(sample_copy.rglob("*.pyc")) == []


def test_a_syntax_error_in_a_migration_names_file_and_line(tmp_path: Path):
    root = copy_fixture("syntax_error", tmp_path)
    write_settings(root, ["inventory"])
    migration = root / "inventory" / "migrations" / "0002_item_quantity.py"
    with pytest.raises(DjangoLoadError) as caught:
        load_django(root, "settings", isolate=True)
    error = caught.value
    assert (error.path, error.line) == (migration, 11)
    assert str(error) == (
        "Django could not load migrations with settings 'settings': SyntaxError: closing parenthesis ']' does not"
        " match opening parenthesis '(' on line 10 (at inventory/migrations/0002_item_quantity.py:11)"
    )
    assert isinstance(error, DjangoError)


def test_an_exception_in_project_code_names_the_deepest_project_frame(conflicts: Path):
    settings = conflicts / "settings.py"
    settings.write_text(settings.read_text() + "\nimport helper\n")
    (conflicts / "helper.py").write_text("X = 1\n\n\ndef boom():\n    raise RuntimeError('no config')\n\n\nboom()\n")
    with pytest.raises(DjangoError) as caught:
        run_action(conflicts, "settings", "aliases", {"alias": "default"})
    error = caught.value
    assert (error.stage, error.reason) == ("setup", "RuntimeError: no config (at helper.py:5)")
    assert (error.path, error.line) == (conflicts / "helper.py", line_of(conflicts / "helper.py", "raise"))
    assert error.exception == "builtins.RuntimeError"
    assert str(error) == (
        "Django failed (setup) running 'aliases' with settings 'settings': RuntimeError: no config (at helper.py:5)"
    )


def test_project_output_does_not_corrupt_the_result(conflicts: Path):
    settings = conflicts / "settings.py"
    settings.write_text(
        "import os, sys\nprint('{\"hello\": 1}')\nsys.stdout.flush()\nos.write(1, b'raw')\n" + settings.read_text()
    )
    assert run_action(conflicts, "settings", "aliases", {"alias": "default"})["vendor"] == "sqlite"


def test_timeout(conflicts: Path):
    settings = conflicts / "settings.py"
    settings.write_text("import time\ntime.sleep(30)\n" + settings.read_text())
    with pytest.raises(DjangoError) as caught:
        run_action(conflicts, "settings", "aliases", {"alias": "default"}, timeout=1)
    assert caught.value.stage == "timeout"
    assert caught.value.reason == f"timed out after 1 s (set {TIMEOUT_ENV} to allow longer, 0 for no limit)"


def test_a_process_that_dies_is_a_crash_with_its_last_words(conflicts: Path):
    settings = conflicts / "settings.py"
    settings.write_text("import os, sys\nsys.stderr.write('going away\\n')\nsys.stderr.flush()\nos._exit(3)\n")
    with pytest.raises(DjangoError) as caught:
        run_action(conflicts, "settings", "aliases", {"alias": "default"})
    assert (caught.value.stage, caught.value.reason) == ("crash", "going away")


def test_unknown_action(conflicts: Path):
    with pytest.raises(DjangoError) as caught:
        run_action(conflicts, "settings", "nope", None)
    assert caught.value.reason.startswith("LookupError: no Django action 'nope' (known: aliases, applied, graph, load,")


def test_env_and_databases_reach_the_subprocess(conflicts: Path, tmp_path: Path):
    settings = conflicts / "settings.py"
    settings.write_text(settings.read_text() + "\nimport os\nDATABASES['default']['NAME'] = os.environ['DB_NAME']\n")
    found = run_action(conflicts, "settings", "aliases", {"alias": "default"}, env={"DB_NAME": "from-env.db"})
    assert found["name"] == "from-env.db"
    other = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "x.db")}}
    found = run_action(conflicts, "settings", "aliases", {"alias": "default"}, env={"DB_NAME": "a"}, databases=other)
    assert found["name"] == str(tmp_path / "x.db")
