"""Layering of the squashkit packages, checked on the source (ast, no import of the modules).

Data flows one way: sources -> ``graph`` -> analyses/plans -> change sets -> reports, and only ``cli`` talks
to the user.  The rules:

* ``graph`` imports no other squashkit package (top-level modules such as ``errors`` and ``config``, and the
  private infrastructure at the top level, ``squashkit._*``, are shared by every package);
* no library package imports ``cli`` (only ``cli`` itself and the ``manage.py squashkit`` command do);
* no module imports another package's private names (``_name`` or a ``_module``): a package's own private
  parts stay inside it;
* no import cycle between modules at import time (imports inside functions and under ``TYPE_CHECKING`` are
  left out: they do not run when the module is imported);
* ``__first__``/``__latest__`` are resolved in one place (:mod:`squashkit.graph.helpers`); besides it only
  the records (:mod:`squashkit.graph.model`) and the code that parses migrations name them.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

import squashkit

PACKAGE = Path(squashkit.__file__).parent
#: top-level packages every package may use (the Django runner starts Django for whichever layer needs it)
INFRASTRUCTURE = {"_django"}
#: packages allowed to import ``cli``
CLI_USERS = {"cli", "management"}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the module imported (``from a.b import c``: ``a.b``, and ``a.b.c`` when that is a module)
    names: tuple[str, ...]  # names imported from ``target``
    line: int
    at_import_time: bool  # module level, not under TYPE_CHECKING


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def package_of(module: str) -> str:
    """The first-level package of a module: ``squashkit.graph.model`` -> ``graph``; top-level modules -> ``""``."""
    parts = module.split(".")
    if len(parts) == 2 and (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return parts[1] if len(parts) > 2 else ""


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(module: str, path: Path, known: set[str]) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"

    def absolute(node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = module.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def walk(body: list[ast.stmt], top: bool) -> Iterator[Import]:
        for stmt in body:
            if isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    if alias.name.startswith("squashkit"):
                        yield Import(module, alias.name, (), stmt.lineno, top)
            elif isinstance(stmt, ast.ImportFrom):
                target = absolute(stmt)
                if not target.startswith("squashkit"):
                    continue
                plain = tuple(a.name for a in stmt.names if f"{target}.{a.name}" not in known)
                yield Import(module, target, plain, stmt.lineno, top)
                for alias in stmt.names:
                    if f"{target}.{alias.name}" in known:
                        yield Import(module, f"{target}.{alias.name}", (), stmt.lineno, top)
            elif isinstance(stmt, ast.If) and _is_type_checking(stmt.test):
                yield from walk(stmt.body, False)
                yield from walk(stmt.orelse, top)
            elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                yield from walk(stmt.body, False)
            else:  # class bodies, if/try/with/for blocks run at import time when their parent does
                for field in ("body", "orelse", "finalbody"):
                    inner = getattr(stmt, field, None)
                    if isinstance(inner, list):
                        yield from walk([s for s in inner if isinstance(s, ast.stmt)], top)
                for handler in getattr(stmt, "handlers", ()):
                    yield from walk(handler.body, top)

    yield from walk(tree.body, True)


@functools.cache
def all_imports() -> tuple[Import, ...]:
    found = modules()
    known = set(found)
    return tuple(imp for name, path in found.items() for imp in imports_of(name, path, known))


def test_the_scanner_sees_imports() -> None:
    edges = {(i.module, i.target) for i in all_imports()}
    assert ("squashkit.graph.build", "squashkit.graph.graph") in edges
    assert ("squashkit.cli.analyze", "squashkit.analysis") in {(m, t.rsplit(".", 1)[0]) for m, t in edges} | edges
    assert package_of("squashkit.graph.model") == "graph"
    assert package_of("squashkit.graph") == "graph"
    assert package_of("squashkit.errors") == ""


def test_graph_imports_no_other_squashkit_package() -> None:
    offenders = [
        f"{i.module}:{i.line} imports {i.target}"
        for i in all_imports()
        if package_of(i.module) == "graph" and package_of(i.target) not in ("", "graph", *INFRASTRUCTURE)
    ]
    assert offenders == []


def test_only_the_cli_imports_the_cli() -> None:
    offenders = [
        f"{i.module}:{i.line} imports {i.target}"
        for i in all_imports()
        if package_of(i.target) == "cli" and package_of(i.module) not in CLI_USERS and i.module != "squashkit.__main__"
    ]
    assert offenders == []


def test_no_module_imports_another_packages_private_names() -> None:
    offenders = []
    for i in all_imports():
        mine, theirs = package_of(i.module), package_of(i.target)
        if mine == theirs or (theirs in ("", *INFRASTRUCTURE) and not i.names):
            continue
        inner = i.target.split(".")[2:]  # below the first-level package
        if theirs and any(part.startswith("_") and part != "__init__" for part in inner):
            offenders.append(f"{i.module}:{i.line} imports private module {i.target}")
        private = [n for n in i.names if n.startswith("_") and not n.startswith("__")]
        if private:
            offenders.append(f"{i.module}:{i.line} imports private {', '.join(private)} from {i.target}")
    assert offenders == []


def test_no_import_cycles_at_import_time() -> None:
    graph = nx.DiGraph()
    found = modules()
    for i in all_imports():
        if i.at_import_time and i.target in found and i.target != i.module:
            graph.add_edge(i.module, i.target)
    cycles = sorted(sorted(c) for c in nx.simple_cycles(graph))
    assert cycles == []


MARKER_USERS = {
    "squashkit.graph.helpers",  # resolves them
    "squashkit.graph.model",  # the records: the FIRST/LATEST constants, Dependency.of
    "squashkit.graph.static",  # parses swappable_dependency into a __first__ key
    "squashkit.graph.django_loader",  # reads Django's records
    "squashkit.rewrite.lists",  # parses swappable_dependency entries of the file it rewrites
}


def _marker_uses(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant) and node.value in ("__first__", "__latest__") and id(node) not in docstrings
        ) or (
            isinstance(node, ast.ImportFrom)
            and (node.module or "").endswith("graph.model")
            and any(a.name in ("FIRST", "LATEST") for a in node.names)
        ):
            lines.append(node.lineno)
    return lines


def test_first_and_latest_are_resolved_in_one_place() -> None:
    offenders = [
        f"{name}:{line}" for name, path in modules().items() if name not in MARKER_USERS for line in _marker_uses(path)
    ]
    assert offenders == []
    assert _marker_uses(modules()["squashkit.graph.helpers"])  # the test sees them where they are
