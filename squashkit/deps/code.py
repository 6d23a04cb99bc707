"""How far a migration's code can be trusted: a second, stricter reading of its source for ``deps``.

The operation summaries (:mod:`squashkit.graph.operations`) say which models a ``RunPython`` function names
with ``apps.get_model``.  That is its whole footprint only when the function does nothing else that reaches
the database.  :func:`migration_code` reads the migration file again and decides, per operation:

* a ``RunPython`` is *precise* when its function (and the module-level functions it calls) uses only
  ``apps.get_model`` with literal names, runs no raw SQL (``schema_editor.execute``, ``connection.cursor``,
  ``.raw()``, ``.extra()``, ``RawSQL``), imports no project code (in the function or through a module-level
  import it uses), and follows no relation (``filter(tags__name=...)``, ``select_related``,
  ``item.tags.all()``, ``order.customer.name``).  Its footprint is then the models it names.  Otherwise it is
  opaque, with the reasons (``"runs raw SQL (line 21)"``);
* ``get_model`` inside a function that is only handed to a signal's ``connect`` (a ``post_migrate`` handler)
  runs after ``migrate`` has finished: it is not a read of the migration;
* a field operation's field is a primary key (``primary_key=True``): relations to the model change with it;
* an ``AddField``/``AlterField`` whose callable ``default`` is project code (``default=myapp.models.get_root_id``)
  is opaque: the schema editor calls it during ``migrate`` to fill existing rows, and it may read any table.

Anything not understood makes the operation opaque: soundness before cleverness.
"""

from __future__ import annotations

import ast
import builtins
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from squashkit.graph.model import MigrationInfo, ModelRef

__all__ = ["MigrationCode", "OperationCode", "migration_code"]


@dataclass(frozen=True)
class OperationCode:
    """What the source says about one top-level operation (aligned with ``MigrationInfo.operations``)."""

    kind: str
    line: int = 0
    #: RunPython: models its code reads (literal ``apps.get_model``), handlers left out
    reads: tuple[ModelRef, ...] = ()
    #: RunPython: why its footprint cannot be known (empty: precise); AddField/AlterField: why its callable
    #: default, which runs during migrate, may read anything
    opaque: tuple[str, ...] = ()
    #: field operations: the field is declared ``primary_key=True``
    primary_key: bool = False
    #: CreateModel: the fields declared ``primary_key=True``
    pk_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class MigrationCode:
    """Per-operation facts of one migration; ``operations`` is None when the file could not be matched."""

    operations: tuple[OperationCode, ...] | None = None
    problem: str = ""
    details: dict[int, OperationCode] = field(default_factory=dict)


#: Django modules whose names a precise RunPython may use (expressions, functions, signals, settings).
_SAFE_DJANGO = (
    "django.db.models",
    "django.db.migrations",
    "django.utils",
    "django.conf",
    "django.core.exceptions",
    "django.core.validators",
    "django.db.transaction",
    "django.db.IntegrityError",
    "django.db.models.signals",
)
#: Django names that reach the database or the real model registry (never precise).
_UNSAFE_DJANGO = (
    "django.db.connection",
    "django.db.connections",
    "django.db.models.expressions.RawSQL",
    "django.db.models.RawSQL",
    "django.apps",
    "django.core.management",
    "django.contrib",
)
_SQL_METHODS = frozenset({"execute", "executemany", "cursor", "raw", "extra", "executescript"})
#: Django's built-in lookups and common transforms: ``field__<one of these>`` follows no relation.
LOOKUPS = frozenset(
    [
        "exact",
        "iexact",
        "contains",
        "icontains",
        "in",
        "gt",
        "gte",
        "lt",
        "lte",
        "startswith",
        "istartswith",
        "endswith",
        "iendswith",
        "range",
        "isnull",
        "regex",
        "iregex",
        "date",
        "year",
        "month",
        "day",
        "week",
        "week_day",
        "iso_week_day",
        "quarter",
        "time",
        "hour",
        "minute",
        "second",
        "iso_year",
        "contained_by",
        "overlap",
        "has_key",
        "has_keys",
        "has_any_keys",
        "len",
        "search",
        "trigram_similar",
        "unaccent",
        "lower",
        "upper",
        "keys",
        "values",
    ]
)
_PATH_ARG_METHODS = frozenset(
    {"values", "values_list", "order_by", "only", "defer", "F", "distinct", "Count", "Sum", "Min", "Max", "Avg"}
)
_STDLIB = frozenset(sys.stdlib_module_names)
_BUILTINS = frozenset(dir(builtins))


class _Module:
    def __init__(self, tree: ast.Module) -> None:
        self.functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        self.imports: dict[str, str] = {}
        self.globals: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and node in tree.body:
                for alias in node.names:
                    name = alias.asname or alias.name.split(".", 1)[0]
                    self.imports[name] = alias.name if alias.asname else alias.name.split(".", 1)[0]
            elif isinstance(node, ast.ImportFrom) and node in tree.body:
                module = "." * node.level + (node.module or "")
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = f"{module}.{alias.name}"
        for node in tree.body:
            if isinstance(node, ast.Assign):
                self.globals.update(t.id for t in node.targets if isinstance(t, ast.Name))


def _module_kind(dotted: str) -> str:
    """``safe`` (stdlib, safe Django), ``db`` (Django reaching the database or real models), ``project``."""
    if dotted.startswith("."):
        return "project"
    if dotted.startswith("django"):
        if any(dotted == u or dotted.startswith(u + ".") for u in _UNSAFE_DJANGO):
            return "db"
        if any(dotted == s or dotted.startswith(s + ".") for s in _SAFE_DJANGO):
            return "safe"
        return "db"
    if dotted.split(".", 1)[0] in _STDLIB:
        return "safe"
    return "project"


def _relation_path(path: str) -> bool:
    """``tags__name`` follows the relation ``tags``; ``paid_at__isnull`` does not."""
    parts = path.split("__")
    return len(parts) > 1 and any(p not in LOOKUPS for p in parts[1:])


class _FunctionReader(ast.NodeVisitor):
    def __init__(self, module: _Module, seen: set[str]) -> None:
        self.module = module
        self.seen = seen
        self.reads: list[ModelRef] = []
        self.reasons: list[str] = []
        #: names bound to a model class (``X = apps.get_model(...)``), the ``apps`` parameter, ``schema_editor``
        self.models: set[str] = set()
        self.params: set[str] = set()
        self.handlers: set[str] = set()

    def reason(self, text: str, node: ast.AST) -> None:
        line = getattr(node, "lineno", 0)
        entry = f"{text} (line {line})" if line else text
        if entry not in self.reasons:
            self.reasons.append(entry)

    def read_function(self, fn: ast.FunctionDef) -> None:
        args = [a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs]
        self.params.update(args)
        # Nested functions handed only to ``<signal>.connect(...)`` run after migrate: not reads.
        for node in ast.walk(fn):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "connect":
                for arg in node.args[:1]:
                    if isinstance(arg, ast.Name):
                        self.handlers.add(arg.id)
        for stmt in fn.body:
            self.visit(stmt)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if node.name in self.handlers:
            return
        self.params.update(a.arg for a in node.args.args)
        self.generic_visit(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.params.update(a.arg for a in node.args.args)
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._import(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "")
        for alias in node.names:
            self._import(f"{module}.{alias.name}", node)

    def _import(self, dotted: str, node: ast.AST) -> None:
        kind = _module_kind(dotted)
        if kind == "project":
            self.reason(f"imports project code {dotted.rsplit('.', 1)[0] or dotted}", node)
        elif kind == "db":
            self.reason(f"uses {dotted}", node)

    def visit_Assign(self, node: ast.Assign) -> None:
        if _is_get_model(node.value):
            self.models.update(t.id for t in node.targets if isinstance(t, ast.Name))
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if not isinstance(node.ctx, ast.Load):
            return
        name = node.id
        if name in self.module.imports:
            dotted = self.module.imports[name]
            kind = _module_kind(dotted)
            if kind == "project":
                self.reason(f"uses project code {dotted}", node)
            elif kind == "db":
                self.reason(f"uses {dotted}", node)
        elif name in self.module.functions and name not in self.seen:
            self.seen.add(name)
            self.read_function(self.module.functions[name])

    def visit_Attribute(self, node: ast.Attribute) -> None:
        chain: list[str] = []
        base: ast.expr = node
        while isinstance(base, ast.Attribute):
            chain.append(base.attr)
            base = base.value
        chain.reverse()
        if isinstance(base, ast.Name):
            root = base.id
            if root in ("connection", "connections") or ("connection" in chain[:-1] and chain[-1] == "cursor"):
                self.reason("runs raw SQL", node)
            if chain and chain[-1] in _SQL_METHODS and root not in self.module.imports:
                self.reason("runs raw SQL", node)
            elif chain and chain[0] in ("get_models", "all_models", "get_app_config"):
                self.reason("reads models it does not name", node)
            elif (
                len(chain) >= 2
                and root not in self.models
                and root not in self.module.imports
                and root not in ("apps", "schema_editor", "self")
                and chain[0] not in ("objects", "_default_manager", "_base_manager", "_meta")
            ):
                self.reason(f"follows a relation: {root}.{'.'.join(chain[:2])}", node)
            elif chain and chain[-1].endswith("_set"):
                self.reason(f"follows a relation: {root}.{chain[-1]}", node)
        elif chain and chain[-1] in _SQL_METHODS:
            self.reason("runs raw SQL", node)
        self.visit(base)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name == "get_model":
            ref = _literal_model(node)
            if ref is None:
                self.reason("reads a model whose name is computed", node)
            else:
                self.reads.append(ref)
        elif name in ("select_related", "prefetch_related", "RawSQL", "raw", "extra"):
            if name in ("select_related", "prefetch_related"):
                self.reason(f"follows relations: {name}", node)
            else:
                self.reason("runs raw SQL", node)
        elif name in ("call_command", "eval", "exec", "globals", "__import__", "import_module"):
            self.reason(f"calls {name}", node)
        for kw in node.keywords:
            if kw.arg and _relation_path(kw.arg):
                self.reason(f"follows relations: {kw.arg}", node)
        if name in _PATH_ARG_METHODS:
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _relation_path(arg.value):
                    self.reason(f"follows relations: {arg.value}", node)
        self.generic_visit(node)


def _is_get_model(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get_model"


def _literal_model(call: ast.Call) -> ModelRef | None:
    values = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if len(values) != len(call.args) or call.keywords:
        return None
    if len(values) == 2:
        return ModelRef(values[0], values[1].lower())
    if len(values) == 1 and "." in values[0]:
        app, _, model = values[0].partition(".")
        return ModelRef(app, model.lower())
    return None


def _arg(call: ast.Call, position: int, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return call.args[position] if len(call.args) > position else None


def _call_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute):
            return func.attr
        if isinstance(func, ast.Name):
            return func.id
    return ""


def _run_python(call: ast.Call, module: _Module) -> OperationCode:
    line = call.lineno
    code = _arg(call, 0, "code")
    if isinstance(code, ast.Attribute) and code.attr == "noop":
        return OperationCode("RunPython", line)
    if not isinstance(code, ast.Name) or code.id not in module.functions:
        what = ast.unparse(code) if code is not None else "?"
        if isinstance(code, ast.Name) and code.id in module.imports:
            why = f"runs {module.imports[code.id]}, code outside the migration"
        else:
            why = f"runs {what}, code squashkit cannot read"
        return OperationCode("RunPython", line, opaque=(why,))
    reader = _FunctionReader(module, {code.id})
    reader.read_function(module.functions[code.id])
    reads = tuple(dict.fromkeys(reader.reads))
    reasons = list(reader.reasons)
    return OperationCode("RunPython", line, reads=reads, opaque=tuple(reasons))


def _default_reasons(field_node: ast.expr | None, module: _Module) -> tuple[str, ...]:
    """Why a field's callable ``default`` makes its AddField/AlterField opaque (empty: it does not).

    The schema editor calls a callable default during ``migrate`` to fill the existing rows (and SQLite's
    table rebuild); a function of the project (``wagtail.models.get_root_collection_id``) may read any table,
    so the operation needs everything it followed before.  Defaults from the standard library and safe Django
    modules (``uuid.uuid4``, ``django.utils.timezone.now``), builtins (``dict``, ``list``), values, and
    functions of the migration file that reach nothing (read like a RunPython's) are not opaque.
    """
    if not isinstance(field_node, ast.Call):
        return ()
    default = next((kw.value for kw in field_node.keywords if kw.arg == "default"), None)
    if not isinstance(default, ast.Name | ast.Attribute):
        return ()  # absent, a literal, or a call evaluated when the migration is imported
    text = ast.unparse(default)
    chain: list[str] = []
    base: ast.expr = default
    while isinstance(base, ast.Attribute):
        chain.append(base.attr)
        base = base.value
    if not isinstance(base, ast.Name):
        return (f"its default {text} runs during migrate: code squashkit cannot read",)
    root = base.id
    if root in module.imports:
        dotted = ".".join([module.imports[root], *reversed(chain)])
        if _module_kind(dotted) == "safe":
            return ()
        where = f" ({dotted})" if dotted != text else ""
        return (f"its default {text}{where} is called during migrate: code outside the migration",)
    if not chain and root in module.functions:
        reader = _FunctionReader(module, {root})
        reader.read_function(module.functions[root])
        if reader.reasons:
            return (f"its default {text} runs during migrate and {'; '.join(reader.reasons)}",)
        return ()
    if not chain and root in _BUILTINS:
        return ()
    return (f"its default {text} runs during migrate: code squashkit cannot read",)


def _is_pk(field_node: ast.expr | None) -> bool:
    if not isinstance(field_node, ast.Call):
        return False
    return any(
        kw.arg == "primary_key" and isinstance(kw.value, ast.Constant) and bool(kw.value.value)
        for kw in field_node.keywords
    )


def _create_pks(call: ast.Call) -> tuple[str, ...]:
    fields = _arg(call, 1, "fields")
    found: list[str] = []
    if isinstance(fields, ast.List | ast.Tuple):
        for element in fields.elts:
            if isinstance(element, ast.Tuple) and len(element.elts) == 2 and _is_pk(element.elts[1]):
                name = element.elts[0]
                if isinstance(name, ast.Constant) and isinstance(name.value, str):
                    found.append(name.value)
    return tuple(found)


@lru_cache(maxsize=4096)
def _read(path: str, content_hash: str) -> MigrationCode:
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return MigrationCode(None, f"cannot read: {type(exc).__name__}")
    module = _Module(tree)
    ops_node: ast.expr | None = None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Migration":
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "operations" for t in stmt.targets
                ):
                    ops_node = stmt.value
    if not isinstance(ops_node, ast.List | ast.Tuple):
        line = getattr(ops_node, "lineno", 0)
        return MigrationCode(None, f"operations are computed (line {line})" if line else "no operations list")
    found: list[OperationCode] = []
    for element in ops_node.elts:
        kind = _call_name(element)
        if kind == "RunPython" and isinstance(element, ast.Call):
            found.append(_run_python(element, module))
        elif kind in ("AddField", "AlterField") and isinstance(element, ast.Call):
            field_node = _arg(element, 2, "field")
            found.append(
                OperationCode(
                    kind, element.lineno, opaque=_default_reasons(field_node, module), primary_key=_is_pk(field_node)
                )
            )
        elif kind == "CreateModel" and isinstance(element, ast.Call):
            found.append(OperationCode(kind, element.lineno, pk_names=_create_pks(element)))
        else:
            found.append(OperationCode(kind, getattr(element, "lineno", 0)))
    return MigrationCode(tuple(found))


def migration_code(info: MigrationInfo) -> MigrationCode:
    """The per-operation facts of ``info`` (None operations when the file does not match the summaries)."""
    if info.path is None:
        return MigrationCode(None, "no source file")
    code = _read(str(info.path), info.content_hash)
    if code.operations is not None and len(code.operations) != len(info.operations):
        return MigrationCode(None, code.problem or "operations do not match the loaded migration")
    return code
