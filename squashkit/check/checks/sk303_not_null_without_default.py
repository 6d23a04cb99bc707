"""SK303: AddField of a NOT NULL column without a default onto a model an earlier migration created."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from squashkit.analysis.findings import AnalysisContext, Finding
from squashkit.check.checks import register
from squashkit.rules import get_rule

RULE = get_rule("SK303")

#: fields that add no column, or whose column never needs a default
_NO_COLUMN = {"ManyToManyField", "GenericRelation", "GeneratedField"}
_AUTO = {"AutoField", "BigAutoField", "SmallAutoField"}
#: fields whose NOT NULL column Django fills with "" when ``blank=True`` (``empty_strings_allowed``)
_STRINGS = {
    "CharField", "TextField", "EmailField", "SlugField", "URLField", "FilePathField", "FileField", "ImageField",
    "BinaryField",
}  # fmt: skip
#: Django's other fields: ``blank=True`` gives them no default
_OTHERS = {
    "IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
    "PositiveSmallIntegerField", "FloatField", "DecimalField", "BooleanField", "DateField", "DateTimeField",
    "TimeField", "DurationField", "UUIDField", "JSONField", "GenericIPAddressField", "ForeignKey",
    "OneToOneField",
}  # fmt: skip


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _addfield_calls(path: Path) -> dict[int, ast.Call]:
    """``AddField(...)`` calls of a file by line (empty when the file cannot be parsed)."""
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    return {
        node.lineno: node for node in ast.walk(tree) if isinstance(node, ast.Call) and _name(node.func) == "AddField"
    }


def _needs_default(call: ast.Call) -> bool | None:
    """True for a field that adds a NOT NULL column with no default; None when the field cannot be read."""
    field = next((k.value for k in call.keywords if k.arg == "field"), None)
    if field is None and len(call.args) >= 3:
        field = call.args[2]
    if not isinstance(field, ast.Call):
        return None
    kind = _name(field.func)
    if kind in _NO_COLUMN or kind in _AUTO:
        return False
    options = {k.arg: k.value for k in field.keywords if k.arg}
    if "default" in options or "db_default" in options:
        return False
    if any(_true(options.get(name)) for name in ("auto_now", "auto_now_add")):
        return False  # Django fills existing rows with the current date
    if _true(options.get("blank")):
        if kind in _STRINGS:
            return False  # Django fills existing rows with ""
        if kind not in _OTHERS:
            return None  # a custom field: cannot tell what Django fills in
    if any(k.arg is None for k in field.keywords):  # **kwargs: cannot tell
        return None
    return not _true(options.get("null"))


def _true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


@register(RULE.code)
def check(context: AnalysisContext) -> Iterator[Finding]:
    for label in context.apps:
        for migration in context.project.app_migrations(label):
            adds = [op for op in migration.operations if op.kind == "AddField" and op.model]
            if not adds:
                continue
            created_here = {op.model for op in migration.operations if op.kind == "CreateModel"}
            calls = _addfield_calls(migration.path)
            for op in adds:
                call = calls.get(op.line)
                if op.model in created_here or call is None or not _needs_default(call):
                    continue
                yield RULE.finding(
                    message=f"{migration.key}: AddField {label}.{op.model}.{op.field} adds a NOT NULL column "
                    "without a default to a table an earlier migration created: it fails on a populated table",
                    hint="Give the field a default (or db_default), or add it with null=True, fill it, then make "
                    "it NOT NULL in a later migration.",
                    path=migration.path,
                    line=op.line,
                    migration=migration.key,
                )
