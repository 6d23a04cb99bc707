"""Rules of the library code, checked on the source: no click, no printing, one base error."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import squashkit
from squashkit.errors import SquashkitError

PACKAGE = Path(squashkit.__file__).parent


def library_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "cli" not in p.relative_to(PACKAGE).parts)


def test_library_files_exist() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in library_files()}
    assert {"graph/static.py", "analysis/metrics.py", "errors.py"} <= names


def test_library_does_not_import_click_nor_print() -> None:
    offenders = []
    for path in library_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "click" for a in node.names):
                offenders.append(f"{path}:{node.lineno} imports click")
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "click":
                offenders.append(f"{path}:{node.lineno} imports click")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                offenders.append(f"{path}:{node.lineno} prints")
    assert offenders == []


def test_every_library_exception_subclasses_squashkit_error() -> None:
    found = []
    for module in pkgutil.walk_packages(squashkit.__path__, "squashkit."):
        if ".cli" in module.name or module.name.endswith("__main__"):
            continue
        mod = importlib.import_module(module.name)
        for _, obj in inspect.getmembers(mod, inspect.isclass):
            if issubclass(obj, Exception) and obj.__module__ == mod.__name__:
                found.append(obj)
                assert issubclass(obj, SquashkitError), f"{obj.__module__}.{obj.__name__}"
    assert SquashkitError in found


def test_errors_carry_data() -> None:
    from squashkit.errors import AppNotFoundError

    error = AppNotFoundError("nope", ["b", "a"])
    assert str(error) == "No app with label 'nope' (known apps: a, b)"
    assert error.data == {"label": "nope", "known": ["b", "a"]}
    assert error.exit_code == 2
