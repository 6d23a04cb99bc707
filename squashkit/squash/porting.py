"""Copy RunPython functions out of the migrations a squash replaces: pure, no Django, nothing executed.

Django's ``MigrationWriter`` refers to a RunPython function by its dotted path
(``code=inventory.migrations.0030_reset.reset``): not even valid Python (a module name starting with a digit)
and gone once the replaced files are deleted.  :func:`plan_ports` decides, per function, with Python's own
:mod:`symtable` (the compiler's view of which names are global):

* **copied** when everything it uses at module level can be copied with it: imports, other functions and
  classes (closed the same way), and constants whose value is built from literals and other copyable names
  without a call and which nothing in the module modifies;
* **referenced** otherwise: the squashed file loads it from the replaced module through :mod:`importlib`
  (``importlib.import_module("inventory.migrations.0030_reset").reset``), which works while the replaced
  files exist, and the reason is listed ("needs porting: `forwards` uses module-level `CACHE`, line 8").
  Code is never dropped.

Names that clash with a different definition already copied get the replaced migration's number as a suffix
(``forwards_0030``); identical definitions are shared.
"""

from __future__ import annotations

import ast
import builtins
import re
import symtable
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.metadata import GlobalScope, MetadataWrapper, ScopeProvider

from squashkit.errors import SquashkitError

__all__ = ["FunctionRef", "Port", "PortPlan", "plan_ports"]

#: Module attributes that differ in the squashed module: code using them is not copied.
_MODULE_DUNDERS = frozenset({"__name__", "__file__", "__spec__", "__package__", "__loader__", "__path__", "__cached__"})
_MUTATORS = frozenset(
    {"append", "extend", "insert", "remove", "pop", "popitem", "clear", "update", "setdefault", "add", "discard"}
)
_BUILTINS = frozenset(dir(builtins)) - _MODULE_DUNDERS


@dataclass(frozen=True)
class FunctionRef:
    """A function an operation of the squash calls: the module it lives in, its file and its qualified name."""

    module: str
    path: Path
    qualname: str


@dataclass(frozen=True)
class Port:
    """What the squashed file does with one function: ``expression`` is what the operation refers to."""

    function: FunctionRef
    status: str  # "copied" | "referenced"
    expression: str
    reason: str = ""
    line: int = 0

    @property
    def note(self) -> str:
        """``needs porting: ...`` for a referenced function, empty for a copied one."""
        return f"needs porting: {self.reason}" if self.status == "referenced" else ""


@dataclass(frozen=True)
class PortPlan:
    """The ports of one squashed file plus the code to add: import lines and top-level blocks, in order."""

    ports: tuple[Port, ...] = ()
    imports: tuple[str, ...] = ()
    blocks: tuple[str, ...] = ()

    def port_of(self, module: str, qualname: str) -> Port | None:
        for port in self.ports:
            if port.function.module == module and port.function.qualname == qualname:
                return port
        return None


class _NotCopyable(SquashkitError):
    """Internal: why a function cannot be copied (caught in :func:`plan_ports`, never raised out of it)."""

    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason, reason=reason, line=line)
        self.reason = reason
        self.line = line


@dataclass
class _Binding:
    name: str
    node: ast.stmt
    kind: str  # "import" | "def" | "class" | "assign"
    conditional: bool = False


@dataclass
class _Module:
    path: Path
    source: str
    tree: ast.Module
    table: symtable.SymbolTable
    bindings: dict[str, list[_Binding]] = field(default_factory=dict)
    mutated: dict[str, int] = field(default_factory=dict)

    @property
    def lines(self) -> list[str]:
        return self.source.splitlines()


def _targets(node: ast.expr) -> Iterable[str]:
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            yield from _targets(element)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)


def _bind(module: _Module, statements: Sequence[ast.stmt], conditional: bool) -> None:
    for node in statements:
        found: list[tuple[str, str]] = []
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                found.append((name, "import"))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append((node.name, "def"))
        elif isinstance(node, ast.ClassDef):
            found.append((node.name, "class"))
        elif isinstance(node, ast.Assign):
            found += [(name, "assign") for target in node.targets for name in _targets(target)]
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            found += [(name, "assign") for name in _targets(node.target)]
        elif isinstance(node, ast.If | ast.Try | ast.For | ast.While | ast.With):
            for child in ("body", "orelse", "finalbody"):
                _bind(module, getattr(node, child, []) or [], True)
            for handler in getattr(node, "handlers", []):
                _bind(module, handler.body, True)
            if isinstance(node, ast.For):
                found += [(name, "assign") for name in _targets(node.target)]
        for name, kind in found:
            module.bindings.setdefault(name, []).append(_Binding(name, node, kind, conditional))


def _mutations(module: _Module) -> None:
    """Module-level names some code modifies in place (``CACHE[k] = v``, ``CACHE.update(...)``, ``global``)."""
    for node in ast.walk(module.tree):
        target: ast.expr | None = None
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
            for t in targets:
                if isinstance(t, ast.Subscript | ast.Attribute):
                    target = t.value
                    if isinstance(target, ast.Name):
                        module.mutated.setdefault(target.id, node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _MUTATORS:
            if isinstance(node.func.value, ast.Name):
                module.mutated.setdefault(node.func.value.id, node.lineno)
        elif isinstance(node, ast.Global):
            for name in node.names:
                module.mutated.setdefault(name, node.lineno)


def _read_module(path: Path) -> _Module:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, str(path))
    module = _Module(path, source, tree, symtable.symtable(source, str(path), "exec"))
    _bind(module, tree.body, False)
    _mutations(module)
    return module


def _scope_globals(table: symtable.SymbolTable) -> dict[str, bool]:
    """Global names a scope and its nested scopes use: name -> assigned (``global X; X = ...``)."""
    found: dict[str, bool] = {}
    for symbol in table.get_symbols():
        if symbol.is_global() and (symbol.is_referenced() or symbol.is_assigned()):
            name = symbol.get_name()
            found[name] = found.get(name, False) or (symbol.is_declared_global() and symbol.is_assigned())
    for child in table.get_children():
        for name, assigned in _scope_globals(child).items():
            found[name] = found.get(name, False) or assigned
    return found


def _find_table(table: symtable.SymbolTable, name: str, line: int) -> symtable.SymbolTable | None:
    for child in table.get_children():
        if child.get_name() == name and child.get_lineno() == line:
            return child
    for child in table.get_children():
        if child.get_name() == name:
            return child
    return None


def _expr_names(node: ast.expr) -> tuple[set[str], int]:
    """Names an expression loads, and the line of a call in it (0: none)."""
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    calls = [n for n in ast.walk(node) if isinstance(n, ast.Call | ast.Lambda | ast.Await | ast.NamedExpr)]
    return names, calls[0].lineno if calls else 0


class _Closure:
    """The top-level statements of one module a set of functions needs, or why they cannot be copied."""

    def __init__(self, module: _Module) -> None:
        self.module = module
        self.statements: dict[int, ast.stmt] = {}  # id -> statement, in source order when emitted
        self.done: set[str] = set()

    def need_name(self, name: str, user: str, line: int) -> None:
        module = self.module
        if name in self.done:
            return
        if name in _MODULE_DUNDERS:
            raise _NotCopyable(f"`{user}` uses `{name}`, which differs in the squashed module", line)
        bindings = module.bindings.get(name)
        if not bindings:
            if name in _BUILTINS:
                return
            raise _NotCopyable(f"`{user}` uses `{name}`, which the module does not define", line)
        first = bindings[0]
        if name in module.mutated:
            raise _NotCopyable(
                f"`{user}` uses module-level `{name}`, line {first.node.lineno}, which the module modifies "
                f"(line {module.mutated[name]})",
                first.node.lineno,
            )
        if len(bindings) > 1 or first.conditional:
            raise _NotCopyable(
                f"`{user}` uses module-level `{name}`, line {first.node.lineno} (bound more than once or "
                "conditionally)",
                first.node.lineno,
            )
        self.done.add(name)
        node = first.node
        if first.kind == "import":
            if isinstance(node, ast.ImportFrom) and node.module is None and not node.level:
                raise _NotCopyable(f"`{user}` uses `{name}`, imported in a way squashkit cannot copy", node.lineno)
            self.statements[id(node)] = node
            return
        if first.kind in ("def", "class"):
            assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            self.need_definition(node)
            return
        assert isinstance(node, ast.Assign | ast.AnnAssign)
        if node.value is None:
            raise _NotCopyable(f"`{user}` uses module-level `{name}`, line {node.lineno} (no value)", node.lineno)
        if isinstance(node, ast.Assign) and any(not isinstance(t, ast.Name) for t in node.targets):
            raise _NotCopyable(f"`{user}` uses module-level `{name}`, line {node.lineno} (unpacked)", node.lineno)
        names, call_line = _expr_names(node.value)
        if call_line:
            raise _NotCopyable(
                f"`{user}` uses module-level `{name}`, line {node.lineno} (computed at import time)", node.lineno
            )
        self.statements[id(node)] = node
        for other in sorted(names):
            self.need_name(other, name, node.lineno)

    def need_definition(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        module = self.module
        self.done.add(node.name)
        table = _find_table(module.table, node.name, node.lineno)
        if table is None:  # pragma: no cover - symtable always has a scope for a def
            raise _NotCopyable(f"`{node.name}` cannot be analysed", node.lineno)
        self.statements[id(node)] = node
        used = _scope_globals(table)
        # Decorators, defaults, annotations and bases are evaluated in the module scope.
        outer: set[str] = set()
        for expr in [
            *node.decorator_list,
            *getattr(node, "bases", []),
            *[k.value for k in getattr(node, "keywords", [])],
        ]:
            outer |= _expr_names(expr)[0]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for default in [*node.args.defaults, *[d for d in node.args.kw_defaults if d is not None]]:
                outer |= _expr_names(default)[0]
        for name, assigned in sorted(used.items()):
            if assigned:
                raise _NotCopyable(f"`{node.name}` assigns module-level `{name}`", node.lineno)
        for name in sorted(set(used) | outer):
            self.need_name(name, node.name, node.lineno)


def _segment(module: _Module, node: ast.stmt) -> str:
    start = node.lineno
    decorators = getattr(node, "decorator_list", [])
    if decorators:
        start = min(start, *(d.lineno for d in decorators))
    end = node.end_lineno or node.lineno
    return "\n".join(module.lines[start - 1 : end])


def _import_lines(module: _Module, node: ast.Import | ast.ImportFrom, needed: set[str]) -> list[str]:
    """One import line per needed alias (``from x import a, b`` keeps only what is used)."""
    lines: list[str] = []
    for alias in node.names:
        bound = alias.asname or alias.name.split(".")[0]
        if bound not in needed:
            continue
        as_part = f" as {alias.asname}" if alias.asname else ""
        if isinstance(node, ast.Import):
            lines.append(f"import {alias.name}{as_part}")
        else:
            lines.append(f"from {'.' * node.level}{node.module or ''} import {alias.name}{as_part}")
    return lines


def _bound_by_import(line: str) -> str:
    tree = ast.parse(line).body[0]
    assert isinstance(tree, ast.Import | ast.ImportFrom)
    alias = tree.names[0]
    return alias.asname or alias.name.split(".")[0]


class _Renamer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (ScopeProvider,)

    def __init__(self, nodes: set[cst.CSTNode], new: dict[cst.CSTNode, str]) -> None:
        self.nodes = nodes
        self.new = new

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        if original in self.nodes:
            return updated.with_changes(value=self.new[original])
        return updated


def _rename(text: str, renames: dict[str, str]) -> str:
    """Rename module-level names (their definitions and every reference to them) in ``text``."""
    if not renames:
        return text
    wrapper = MetadataWrapper(cst.parse_module(text))
    scopes = wrapper.resolve(ScopeProvider)
    nodes: set[cst.CSTNode] = set()
    new: dict[cst.CSTNode, str] = {}
    global_scope = next((s for s in scopes.values() if isinstance(s, GlobalScope)), None)
    if global_scope is None:
        return text
    for old, replacement in renames.items():
        for assignment in global_scope.assignments[old]:
            node = getattr(assignment, "node", None)
            name = getattr(node, "name", None)
            if isinstance(name, cst.Name):
                nodes.add(name)
                new[name] = replacement
            elif isinstance(node, cst.Name):
                nodes.add(node)
                new[node] = replacement
            for access in assignment.references:
                if isinstance(access.node, cst.Name):
                    nodes.add(access.node)
                    new[access.node] = replacement
    return wrapper.visit(_Renamer(nodes, new)).code


def _number(path: Path) -> str:
    return path.stem.split("_", 1)[0]


def _binding_of(line: str, name: str) -> tuple[str, ...] | None:
    """What ``line`` binds ``name`` to: ``("from", module, attribute)`` or ``("import", top package)``."""
    try:
        node = ast.parse(line).body[0]
    except (SyntaxError, IndexError):
        return None
    if isinstance(node, ast.ImportFrom):
        for alias in node.names:
            if (alias.asname or alias.name) == name:
                return ("from", "." * node.level + (node.module or ""), alias.name)
    elif isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname == name:
                return ("import", alias.name)
            if alias.asname is None and alias.name.split(".")[0] == name:
                return ("import", name)
    return None


def _compatible(line: str, owner: str, name: str) -> bool:
    """Two import lines binding ``name`` to the same thing (``import django.x`` and ``import django.y``)."""
    return line == owner or (
        _binding_of(line, name) is not None and _binding_of(line, name) == _binding_of(owner, name)
    )


def plan_ports(functions: Sequence[FunctionRef], taken: Mapping[str, str] | None = None) -> PortPlan:
    """Decide how the squashed file reaches each function.

    ``taken`` maps the names the squashed file's own code binds to the import line binding them (``"models":
    "from django.db import models"``; ``""`` for a name bound otherwise, e.g. ``Migration``).  Functions are
    handled in the order given; the same function asked twice gets one port.
    """
    bound: dict[str, str] = dict(taken or {})  # name -> import line, or "" (writer) / "def" (copied code)
    imports: list[str] = []
    blocks: list[str] = []
    ports: list[Port] = []
    seen: set[tuple[str, str]] = set()
    modules: dict[Path, _Module | str] = {}
    copied: dict[str, str] = {}  # name in the squashed file -> source text it was copied from
    for ref in functions:
        if (ref.module, ref.qualname) in seen:
            continue
        seen.add((ref.module, ref.qualname))
        try:
            port, new_imports, block = _port(ref, modules, bound, copied)
        except _NotCopyable as exc:
            port = Port(
                ref, "referenced", f'importlib.import_module("{ref.module}").{ref.qualname}', exc.reason, exc.line
            )
            new_imports, block = ([] if bound.get("importlib") == "import importlib" else ["import importlib"]), ""
            if bound.get("importlib", "import importlib") != "import importlib":
                port = Port(ref, "referenced", port.expression, exc.reason + "; `importlib` is taken", exc.line)
        for line in new_imports:
            if line not in imports:
                imports.append(line)
            bound.setdefault(_bound_by_import(line), line)
        if block:
            blocks.append(block)
        ports.append(port)
    return PortPlan(tuple(ports), tuple(imports), tuple(blocks))


def _port(
    ref: FunctionRef, modules: dict[Path, _Module | str], bound: dict[str, str], copied: dict[str, str]
) -> tuple[Port, list[str], str]:
    module = modules.get(ref.path)
    if module is None:
        try:
            module = _read_module(ref.path)
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError) as exc:
            module = f"cannot read {ref.path.name}: {exc}"
        modules[ref.path] = module
    if isinstance(module, str):
        raise _NotCopyable(module, 0)
    if "." in ref.qualname:
        raise _NotCopyable(f"`{ref.qualname}` is not a module-level function", 0)
    bindings = module.bindings.get(ref.qualname, [])
    if len(bindings) != 1 or bindings[0].kind != "def" or bindings[0].conditional:
        raise _NotCopyable(f"`{ref.qualname}` is not defined once at module level", 0)
    node = bindings[0].node
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    closure = _Closure(module)
    closure.need_definition(node)
    statements = sorted(closure.statements.values(), key=lambda n: n.lineno)
    new_imports: list[str] = []
    for stmt in statements:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            for line in _import_lines(module, stmt, closure.done):
                name = _bound_by_import(line)
                owner = bound.get(name)
                if owner is None or _compatible(line, owner, name):
                    new_imports.append(line)
                else:
                    raise _NotCopyable(
                        f"`{ref.qualname}` imports `{name}` ({line}), which the squashed file binds otherwise",
                        stmt.lineno,
                    )
    definitions = [s for s in statements if not isinstance(s, ast.Import | ast.ImportFrom)]
    texts = {n: _segment(module, s) for s in definitions for n in _stmt_names(s)}
    suffix = _number(ref.path)
    # Rename what clashes: a name bound by the file's own code, or copied before with another text; then
    # every definition using a renamed name (its text changes), until nothing more changes.
    renames = {
        n: f"{n}_{suffix}" for n in texts if (n in bound and n not in copied) or copied.get(n, texts[n]) != texts[n]
    }
    changed = True
    while changed:
        changed = False
        for n, text in texts.items():
            if n not in renames and n in copied and any(re.search(rf"\b{re.escape(r)}\b", text) for r in renames):
                renames[n] = f"{n}_{suffix}"
                changed = True
    for old, new in renames.items():
        if new in bound or new in texts:
            raise _NotCopyable(f"`{ref.qualname}`: cannot rename `{old}` to `{new}`, the name is taken", 0)
    fresh = [s for s in definitions if any(n not in copied or n in renames for n in _stmt_names(s))]
    part = ""
    for i, stmt in enumerate(fresh):
        simple = isinstance(stmt, ast.Assign | ast.AnnAssign)
        if i:
            part += "\n" if simple and isinstance(fresh[i - 1], ast.Assign | ast.AnnAssign) else "\n\n\n"
        part += _segment(module, stmt)
    part = _rename(part, renames) if part else ""
    for n, text in texts.items():
        final = renames.get(n, n)
        copied.setdefault(final, text)
        bound.setdefault(final, "def")
    block = ""
    if part:
        shown = "/".join(ref.path.parts[-3:])
        block = f"# Copied from {shown}\n{part}"
    return Port(ref, "copied", renames.get(ref.qualname, ref.qualname), line=node.lineno), new_imports, block


def _stmt_names(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [n for t in node.targets for n in _targets(t)]
    if isinstance(node, ast.AnnAssign):
        return list(_targets(node.target))
    return []
