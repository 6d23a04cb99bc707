"""Operation summaries, from source (``ast``) and from Django's operation objects.

Both functions here must produce equal :meth:`OperationSummary.comparable` values for the same operation;
the test-suite checks it on every project it loads both ways.

What an operation *references* is what must exist before it can apply: relation targets of fields
(``to``/first positional argument, ``through=``, ``to_field=``), string bases of ``CreateModel``, and for
``RunPython`` the ``apps.get_model(...)`` calls visible in the function's own body.  Everything squashkit
cannot see is marked ``opaque``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from squashkit.graph.model import FieldRef, ModelRef, OperationSummary

__all__ = [
    "FIELD_OPERATIONS",
    "MODEL_NAME_OPERATIONS",
    "MODEL_OPERATIONS",
    "ModuleContext",
    "get_model_calls",
    "summarize_ast",
    "summarize_object",
]

#: Operations whose ``name`` argument is the model name.
MODEL_OPERATIONS = frozenset(
    {
        "CreateModel",
        "DeleteModel",
        "AlterModelTable",
        "AlterModelTableComment",
        "AlterUniqueTogether",
        "AlterIndexTogether",
        "AlterModelOptions",
        "AlterOrderWithRespectTo",
        "AlterModelManagers",
    }
)
#: Operations whose ``model_name`` argument is the model name.
MODEL_NAME_OPERATIONS = frozenset(
    {
        "AddIndex",
        "RemoveIndex",
        "RenameIndex",
        "AddField",
        "RemoveField",
        "AlterField",
        "RenameField",
        "AddConstraint",
        "RemoveConstraint",
        "AlterConstraint",
        "AddIndexConcurrently",
        "RemoveIndexConcurrently",
        "AddConstraintNotValid",
        "ValidateConstraint",
    }
)
FIELD_OPERATIONS = frozenset({"AddField", "RemoveField", "AlterField"})

#: Positional parameter names, for reading calls written with positional arguments.
_PARAMS: dict[str, tuple[str, ...]] = {
    "CreateModel": ("name", "fields", "options", "bases", "managers"),
    "DeleteModel": ("name",),
    "RenameModel": ("old_name", "new_name"),
    "AddIndex": ("model_name", "index"),
    "RemoveIndex": ("model_name", "name"),
    "RenameIndex": ("model_name", "new_name", "old_name", "old_fields"),
    "AddField": ("model_name", "name", "field", "preserve_default"),
    "RemoveField": ("model_name", "name", "field"),
    "AlterField": ("model_name", "name", "field", "preserve_default"),
    "RenameField": ("model_name", "old_name", "new_name"),
    "AddConstraint": ("model_name", "constraint"),
    "RemoveConstraint": ("model_name", "name"),
    "AlterConstraint": ("model_name", "name", "constraint"),
    "SeparateDatabaseAndState": ("database_operations", "state_operations"),
    "RunSQL": ("sql", "reverse_sql", "state_operations", "hints", "elidable"),
    "RunPython": ("code", "reverse_code", "atomic", "hints", "elidable"),
    "AddIndexConcurrently": ("model_name", "index"),
    "RemoveIndexConcurrently": ("model_name", "name"),
    "AddConstraintNotValid": ("model_name", "constraint"),
    "ValidateConstraint": ("model_name", "name"),
}
for _name in MODEL_OPERATIONS - _PARAMS.keys():
    _PARAMS[_name] = ("name", "value")

_RELATION_FIELDS = ("ForeignKey", "OneToOneField", "ManyToManyField", "ForeignObject", "TreeForeignKey")


def _model_ref(value: str, app_label: str, current_model: str | None) -> ModelRef | None:
    if value == "self":
        return ModelRef(app_label, current_model) if current_model else None
    if "." in value:
        app, _, model = value.rpartition(".")
        return ModelRef(app, model.lower())
    return ModelRef(app_label, value.lower())


@dataclass
class ModuleContext:
    """What the static summariser knows about the module an operation is written in."""

    app_label: str
    #: local name -> dotted path it was imported as (``migrations`` -> ``django.db.migrations``)
    imports: Mapping[str, str]
    #: module-level function definitions by name
    functions: Mapping[str, ast.FunctionDef]
    #: swappable settings: ``AUTH_USER_MODEL`` -> ``"accounts.User"``
    settings: Mapping[str, str]
    #: settings names read but not configured -> line of the first use (reported by the loader)
    unknown_settings: dict[str, int] = field(default_factory=dict)
    #: simple ``name = value`` assignments of the Migration class and the module (class first)
    names: Mapping[str, ast.expr] = field(default_factory=dict)

    def resolve(self, node: ast.expr | None) -> ast.expr | None:
        """``node``, or the value assigned to it when it is a plain name (followed a few times, not in cycles)."""
        for _ in range(5):
            if not (isinstance(node, ast.Name) and node.id in self.names):
                break
            node = self.names[node.id]
        return node

    def dotted(self, node: ast.expr) -> str | None:
        """``migrations.AddField`` -> ``django.db.migrations.AddField`` using the module's imports."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.append(node.id)
        parts.reverse()
        head = self.imports.get(parts[0])
        if head is None:
            return ".".join(parts) if parts[0] in self.functions else None
        return ".".join([head, *parts[1:]])

    def string_value(self, node: ast.expr) -> str | None:
        """A string literal, ``settings.X`` resolved through the configured swappable settings, or
        ``swapper.get_model_name("app", "Model")`` (the swapper package's swappable models)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Call):
            return self._swapper_model_name(node)
        dotted = self.dotted(node)
        if dotted and dotted.startswith("django.conf.settings."):
            name = dotted.rsplit(".", 1)[1]
            if name in self.settings:
                return self.settings[name]
            self.unknown_settings.setdefault(name, getattr(node, "lineno", 0))
        return None

    def _swapper_model_name(self, call: ast.Call) -> str | None:
        """``swapper.get_model_name(app_label, model)``: the setting ``<APP>_<MODEL>_MODEL`` when configured,
        else swapper's own default ``"app_label.Model"`` (a prefix set with ``swapper.set_app_prefix`` in app
        code is not seen: configure that setting's value under the unprefixed name to override)."""
        if self.dotted(call.func) != "swapper.get_model_name" or len(call.args) != 2 or call.keywords:
            return None
        app_label, model = (_const(arg) for arg in call.args)
        if not (isinstance(app_label, str) and isinstance(model, str)):
            return None
        return self.settings.get(f"{app_label.upper()}_{model.upper()}_MODEL", f"{app_label}.{model}")


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _arguments(call: ast.Call, kind: str) -> dict[str, ast.expr]:
    params = _PARAMS.get(kind, ())
    args: dict[str, ast.expr] = {}
    for i, arg in enumerate(call.args):
        if i < len(params):
            args[params[i]] = arg
    for kw in call.keywords:
        if kw.arg is not None:
            args[kw.arg] = kw.value
    return args


def _const(node: ast.expr | None) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    return None


def _ast_field_refs(
    field_node: ast.expr, ctx: ModuleContext, current_model: str | None
) -> tuple[list[ModelRef], list[FieldRef]]:
    refs: list[ModelRef] = []
    field_refs: list[FieldRef] = []
    if not isinstance(field_node, ast.Call):
        return refs, field_refs
    name = _call_name(field_node) or ""
    kwargs = {kw.arg: kw.value for kw in field_node.keywords if kw.arg}
    target_node = kwargs.get("to")
    if target_node is None and name.endswith(_RELATION_FIELDS) and field_node.args:
        target_node = field_node.args[0]
    target: ModelRef | None = None
    if target_node is not None:
        value = ctx.string_value(target_node)
        if value is not None:
            target = _model_ref(value, ctx.app_label, current_model)
            if target:
                refs.append(target)
    through = kwargs.get("through")
    if through is not None:
        value = ctx.string_value(through)
        if value is not None and (ref := _model_ref(value, ctx.app_label, current_model)):
            refs.append(ref)
    to_field = _const(kwargs.get("to_field"))
    if target is not None and isinstance(to_field, str):
        field_refs.append(FieldRef(target.app_label, target.model, to_field))
    return refs, field_refs


def get_model_calls(function: ast.AST) -> list[ModelRef]:
    """``apps.get_model("app", "Model")`` / ``apps.get_model("app.Model")`` calls with literal arguments."""
    found: list[ModelRef] = []
    for node in ast.walk(function):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr != "get_model":
            continue
        values = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if len(values) != len(node.args):
            continue
        if len(values) == 2:
            found.append(ModelRef(values[0], values[1].lower()))
        elif len(values) == 1 and "." in values[0]:
            app, _, model = values[0].partition(".")
            found.append(ModelRef(app, model.lower()))
    return found


def _is_builtin(call: ast.Call, ctx: ModuleContext) -> bool:
    dotted = ctx.dotted(call.func)
    return bool(dotted and dotted.startswith("django."))


def summarize_ast(node: ast.expr, ctx: ModuleContext) -> OperationSummary:
    """Summarise one element of a migration's ``operations`` list as written in the source."""
    line = getattr(node, "lineno", 0)
    if not isinstance(node, ast.Call) or _call_name(node) is None:
        return OperationSummary(kind=type(node).__name__, category="unknown", opaque=True, line=line)
    kind = _call_name(node) or ""
    if not _is_builtin(node, ctx):
        return OperationSummary(kind=kind, category="custom", opaque=True, line=line)
    args = _arguments(node, kind)

    def lower(name: str) -> str | None:
        value = _const(args.get(name))
        return value.lower() if isinstance(value, str) else None

    if kind == "RunPython":
        code = args.get("code")
        refs: list[ModelRef] = []
        opaque = True
        if isinstance(code, ast.Name) and code.id in ctx.functions:
            refs = get_model_calls(ctx.functions[code.id])
            opaque = not refs
        elif code is not None and (ctx.dotted(code) or "").endswith("RunPython.noop"):
            opaque = False
        reverse = args.get("reverse_code")
        return OperationSummary(
            kind=kind,
            category="python",
            references=tuple(refs),
            reversible=_is_not_none(reverse),
            elidable=_const(args.get("elidable")) is True,
            opaque=opaque,
            line=line,
        )
    if kind == "RunSQL":
        return OperationSummary(
            kind=kind,
            category="sql",
            reversible=_is_not_none(args.get("reverse_sql")),
            elidable=_const(args.get("elidable")) is True,
            opaque=True,
            line=line,
        )
    if kind == "SeparateDatabaseAndState":
        state = ctx.resolve(args.get("state_operations"))
        inner = [summarize_ast(e, ctx) for e in state.elts] if isinstance(state, ast.List | ast.Tuple) else []
        return _state_summary(inner, line)

    model: str | None = None
    old_name: str | None = None
    field_name: str | None = None
    refs = []
    field_refs: list[FieldRef] = []
    if kind == "RenameModel":
        model, old_name = lower("new_name"), lower("old_name")
    elif kind in MODEL_OPERATIONS:
        model = lower("name")
    elif kind in MODEL_NAME_OPERATIONS:
        model = lower("model_name")
    if kind in FIELD_OPERATIONS:
        value = _const(args.get("name"))
        field_name = value if isinstance(value, str) else None
    elif kind == "RenameField":
        new, old = _const(args.get("new_name")), _const(args.get("old_name"))
        field_name = new if isinstance(new, str) else None
        old_name = old if isinstance(old, str) else None
    if kind == "CreateModel":
        fields = ctx.resolve(args.get("fields"))
        if isinstance(fields, ast.List | ast.Tuple):
            for item in fields.elts:
                element = ctx.resolve(item)
                field_node = ctx.resolve(element.elts[1]) if isinstance(element, ast.Tuple) else None
                if isinstance(element, ast.Tuple) and len(element.elts) == 2 and field_node is not None:
                    r, f = _ast_field_refs(field_node, ctx, model)
                    refs += r
                    field_refs += f
        bases = args.get("bases")
        if isinstance(bases, ast.List | ast.Tuple):
            for base in bases.elts:
                value = _const(base)
                if isinstance(value, str) and (ref := _model_ref(value, ctx.app_label, model)):
                    refs.append(ref)
    elif kind in ("AddField", "AlterField") and (field_node := ctx.resolve(args.get("field"))) is not None:
        refs, field_refs = _ast_field_refs(field_node, ctx, model)
    return OperationSummary(
        kind=kind,
        category="schema",
        model=model,
        field=field_name,
        old_name=old_name,
        references=tuple(refs),
        field_references=tuple(field_refs),
        line=line,
    )


def _is_not_none(node: ast.expr | None) -> bool:
    return node is not None and not (isinstance(node, ast.Constant) and node.value is None)


def _state_summary(inner: list[OperationSummary], line: int) -> OperationSummary:
    refs: list[ModelRef] = []
    field_refs: list[FieldRef] = []
    for op in inner:
        refs += op.references
        field_refs += op.field_references
    return OperationSummary(
        kind="SeparateDatabaseAndState",
        category="state",
        references=tuple(refs),
        field_references=tuple(field_refs),
        opaque=True,
        line=line,
    )


# -- from Django objects ---------------------------------------------------------------------------


def _object_field_refs(
    field_obj: Any, app_label: str, current_model: str | None
) -> tuple[list[ModelRef], list[FieldRef]]:
    refs: list[ModelRef] = []
    field_refs: list[FieldRef] = []
    remote = getattr(field_obj, "remote_field", None)
    if remote is None:
        return refs, field_refs
    target = _object_model_ref(remote.model, app_label, current_model)
    if target:
        refs.append(target)
    through = getattr(remote, "through", None)
    if through is not None and (ref := _object_model_ref(through, app_label, current_model)):
        refs.append(ref)
    to_field = getattr(remote, "field_name", None)
    # ForeignKey.deconstruct() only writes to_field when it was given; mirror what the file says.
    if target is not None and isinstance(to_field, str):
        kwargs = field_obj.deconstruct()[3]
        if "to_field" in kwargs:
            field_refs.append(FieldRef(target.app_label, target.model, to_field))
    return refs, field_refs


def _object_model_ref(value: Any, app_label: str, current_model: str | None) -> ModelRef | None:
    if isinstance(value, str):
        return _model_ref(value, app_label, current_model)
    meta = getattr(value, "_meta", None)
    if meta is not None:
        return ModelRef(meta.app_label, meta.model_name)
    return None


def summarize_object(
    op: Any,
    app_label: str,
    function_lookup: Callable[[Any], tuple[list[ModelRef], bool]],
) -> OperationSummary:
    """Summarise a Django operation object.

    ``function_lookup(code)`` returns ``(get_model references, opaque)`` for a RunPython callable; the Django
    loader implements it by parsing the function's module, so both loaders read the same source.
    """
    kind = type(op).__name__
    module = type(op).__module__
    if not module.startswith("django."):
        return OperationSummary(kind=kind, category="custom", opaque=True)
    if kind == "RunPython":
        from django.db.migrations import RunPython

        if op.code is RunPython.noop:
            refs, opaque = list[ModelRef](), False
        else:
            refs, opaque = function_lookup(op.code)
        return OperationSummary(
            kind=kind,
            category="python",
            references=tuple(refs),
            reversible=op.reverse_code is not None,
            elidable=bool(op.elidable),
            opaque=opaque,
        )
    if kind == "RunSQL":
        return OperationSummary(
            kind=kind,
            category="sql",
            reversible=op.reverse_sql is not None,
            elidable=bool(op.elidable),
            opaque=True,
        )
    if kind == "SeparateDatabaseAndState":
        inner = [summarize_object(o, app_label, function_lookup) for o in op.state_operations]
        return _state_summary(inner, 0)
    model: str | None = None
    old_name: str | None = None
    field_name: str | None = None
    refs = []
    field_refs: list[FieldRef] = []
    if kind == "RenameModel":
        model, old_name = op.new_name.lower(), op.old_name.lower()
    elif kind in MODEL_OPERATIONS:
        model = op.name.lower()
    elif kind in MODEL_NAME_OPERATIONS:
        model = op.model_name.lower()
    if kind in FIELD_OPERATIONS:
        field_name = op.name
    elif kind == "RenameField":
        field_name, old_name = op.new_name, op.old_name
    if kind == "CreateModel":
        for _fname, field_obj in op.fields:
            r, f = _object_field_refs(field_obj, app_label, model)
            refs += r
            field_refs += f
        for base in op.bases:
            if isinstance(base, str) and (ref := _model_ref(base, app_label, model)):
                refs.append(ref)
    elif kind in ("AddField", "AlterField"):
        refs, field_refs = _object_field_refs(op.field, app_label, model)
    return OperationSummary(
        kind=kind,
        category="schema",
        model=model,
        field=field_name,
        old_name=old_name,
        references=tuple(refs),
        field_references=tuple(field_refs),
    )
