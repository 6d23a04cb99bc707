"""Replace the elements of a list attribute of a migration's ``Migration`` class with libcst.

Generic over the attribute (``dependencies``, ``run_before``, ``replaces``).  Given the *desired* entries,
in order, the rewrite:

* keeps every existing element whose key is desired, byte-identical with its comments;
* turns a removed element into a new one *in place* when a new entry belongs there (its comments stay:
  they describe the same need), otherwise removes it with its trailing comment and the own-line comments
  directly above it (comments separated by a blank line stay);
* inserts the remaining new entries after the previous kept element, formatted like their neighbours
  (same quotes, same tuple spacing, same indentation, trailing comma when the list has one).

Keys of elements: ``("app", "name")`` is ``MigrationKey("app", "name")``; ``swappable_dependency(settings.X)``
is ``(label of settings X, "__first__")`` and also matches a desired swappable entry naming setting ``X``.
An element that is not one of these cannot be evaluated and the rewrite fails (nothing is guessed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import libcst as cst

from squashkit.errors import SquashkitError
from squashkit.graph.model import FIRST, Dependency, DependencyForm, MigrationKey

__all__ = ["RewriteError", "remove_attribute", "rewrite_source"]


class RewriteError(SquashkitError):
    """A file cannot be rewritten safely; ``reason`` says why, ``attribute`` which list."""

    def __init__(self, reason: str, attribute: str | None = None) -> None:
        super().__init__(reason, reason=reason, attribute=attribute)
        self.reason = reason
        self.attribute = attribute


@dataclass(frozen=True)
class _Entry:
    key: MigrationKey | None
    setting: str | None


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _entry(node: cst.BaseExpression, settings: Mapping[str, str]) -> _Entry | None:
    if isinstance(node, cst.Tuple | cst.List) and len(node.elements) == 2:
        app, name = (_string(e.value) for e in node.elements)
        if app is not None and name is not None:
            return _Entry(MigrationKey(app, name), None)
        return None
    if isinstance(node, cst.Call) and len(node.args) == 1 and node.args[0].keyword is None:
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
        arg = node.args[0].value
        if name == "swappable_dependency" and isinstance(arg, cst.Attribute):
            setting = arg.attr.value
            value = settings.get(setting)
            key = MigrationKey(value.split(".", 1)[0], FIRST) if value else None
            return _Entry(key, setting)
    return None


def _matches(entry: _Entry, desired: Dependency) -> bool:
    if entry.setting is not None:
        if desired.form is not DependencyForm.SWAPPABLE:
            return False
        return desired.setting == entry.setting or (desired.setting is None and desired.key == entry.key)
    return desired.form is not DependencyForm.SWAPPABLE and entry.key == desired.key


def _template(elements: Sequence[cst.BaseElement]) -> cst.Tuple | None:
    for element in elements:
        value = element.value
        if (
            isinstance(value, cst.Tuple)
            and len(value.elements) == 2
            and all(isinstance(e.value, cst.SimpleString) for e in value.elements)
        ):
            return value
    return None


def _new_value(dep: Dependency, template: cst.Tuple | None) -> cst.BaseExpression:
    app, name = dep.key
    if template is None:
        return cst.Tuple(
            [
                cst.Element(cst.SimpleString(repr(app)), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                cst.Element(cst.SimpleString(repr(name))),
            ]
        )
    values = []
    for element, text in zip(template.elements, (app, name), strict=True):
        original = element.value
        assert isinstance(original, cst.SimpleString)
        quote = original.quote
        escaped = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
        values.append(element.with_changes(value=cst.SimpleString(f"{original.prefix}{quote}{escaped}{quote}")))
    return template.with_changes(elements=values)


_Gap = cst.BaseParenthesizableWhitespace


def _drop_attached(lines: Sequence[cst.EmptyLine]) -> list[cst.EmptyLine]:
    """Drop the own-line comments directly above an element (up to a blank line)."""
    kept = list(lines)
    while kept and kept[-1].comment is not None:
        kept.pop()
    return kept


def _merge(before: _Gap, after: _Gap, last: bool) -> _Gap:
    """The gap left when the element between ``before`` and ``after`` is removed."""
    pw = cst.ParenthesizedWhitespace
    if isinstance(before, pw) and isinstance(after, pw):
        return pw(
            first_line=before.first_line,
            empty_lines=[*_drop_attached(before.empty_lines), *after.empty_lines],
            indent=after.indent,
            last_line=after.last_line,
        )
    if isinstance(before, pw):
        return before.with_changes(empty_lines=_drop_attached(before.empty_lines))
    if isinstance(after, pw):
        return after.with_changes(first_line=cst.TrailingWhitespace())
    return after if last else before


def _split(gap: _Gap, indent: cst.SimpleWhitespace, separator: cst.SimpleWhitespace, at_end: bool) -> tuple[_Gap, _Gap]:
    """Split a gap for an inserted element: (gap before it, gap after it)."""
    if isinstance(gap, cst.ParenthesizedWhitespace):
        before = gap.with_changes(empty_lines=[], indent=True, last_line=indent)
        after = gap.with_changes(first_line=cst.TrailingWhitespace())
        return before, after
    return (separator, gap) if at_end else (gap, separator)


class _ListEditor:
    """The elements of one list as (value, comma-whitespace-before) plus the gaps between them."""

    def __init__(self, node: cst.List | cst.Tuple) -> None:
        self.node = node
        elements = list(node.elements)
        if isinstance(node, cst.List):
            opening, closing = node.lbracket.whitespace_after, node.rbracket.whitespace_before
        else:
            if not node.lpar or not node.rpar:
                raise RewriteError("a tuple without parentheses cannot be rewritten")
            opening, closing = node.lpar[0].whitespace_after, node.rpar[-1].whitespace_before
        self.values: list[cst.BaseExpression] = [e.value for e in elements]
        self.comma_before: list[cst.BaseParenthesizableWhitespace] = []
        self.gaps: list[_Gap] = [opening]
        for i, element in enumerate(elements):
            comma = element.comma
            ws_before = comma.whitespace_before if isinstance(comma, cst.Comma) else cst.SimpleWhitespace("")
            self.comma_before.append(ws_before)
            if i < len(elements) - 1:
                assert isinstance(comma, cst.Comma)
                self.gaps.append(comma.whitespace_after)
        if elements:
            self.gaps.append(closing)
            self.trailing = isinstance(elements[-1].comma, cst.Comma)
        else:
            self.gaps = [opening if isinstance(opening, cst.ParenthesizedWhitespace) else closing]
            self.trailing = isinstance(self.gaps[0], cst.ParenthesizedWhitespace)
        self.template = _template(elements)
        self.indent = self._indent()
        self.separator = self._separator()

    def _indent(self) -> cst.SimpleWhitespace:
        for gap in self.gaps[:-1] if self.values else ():
            if isinstance(gap, cst.ParenthesizedWhitespace):
                return gap.last_line
        last = self.gaps[-1]
        if isinstance(last, cst.ParenthesizedWhitespace):
            return cst.SimpleWhitespace(last.last_line.value + "    ")
        return cst.SimpleWhitespace("")

    def _separator(self) -> cst.SimpleWhitespace:
        for gap in self.gaps[1:-1]:
            if isinstance(gap, cst.SimpleWhitespace):
                return gap
        return cst.SimpleWhitespace(" ")

    def remove(self, i: int) -> None:
        last = i == len(self.values) - 1
        merged = _merge(self.gaps[i], self.gaps[i + 1], last)
        self.gaps[i : i + 2] = [merged]
        del self.values[i]
        del self.comma_before[i]

    def insert(self, i: int, value: cst.BaseExpression) -> None:
        """Insert before position ``i`` (``len(values)`` appends)."""
        before, after = _split(self.gaps[i], self.indent, self.separator, at_end=i == len(self.values))
        self.gaps[i : i + 1] = [before, after]
        self.values.insert(i, value)
        self.comma_before.insert(i, cst.SimpleWhitespace(""))

    def build(self) -> cst.List | cst.Tuple:
        count = len(self.values)
        trailing = self.trailing or (isinstance(self.node, cst.Tuple) and count == 1)
        elements = []
        for i, value in enumerate(self.values):
            if i < count - 1:
                comma: cst.Comma | cst.MaybeSentinel = cst.Comma(self.comma_before[i], self.gaps[i + 1])
            elif trailing:
                comma = cst.Comma(self.comma_before[i], cst.SimpleWhitespace(""))
            else:
                comma = cst.MaybeSentinel.DEFAULT
            elements.append(cst.Element(value, comma=comma))
        opening = self.gaps[0]
        closing = self.gaps[-1] if count else cst.SimpleWhitespace("")
        node = self.node
        if isinstance(node, cst.List):
            return node.with_changes(
                elements=elements,
                lbracket=node.lbracket.with_changes(whitespace_after=opening),
                rbracket=node.rbracket.with_changes(whitespace_before=closing),
            )
        lpar = [node.lpar[0].with_changes(whitespace_after=opening), *node.lpar[1:]]
        rpar = [*node.rpar[:-1], node.rpar[-1].with_changes(whitespace_before=closing)]
        return node.with_changes(elements=elements, lpar=lpar, rpar=rpar)


def _edit(
    node: cst.List | cst.Tuple,
    desired: Sequence[Dependency],
    settings: Mapping[str, str],
    attribute: str,
    expected: Sequence[Dependency] | None,
) -> cst.List | cst.Tuple:
    entries: list[_Entry] = []
    for element in node.elements:
        entry = None if isinstance(element, cst.StarredElement) else _entry(element.value, settings)
        if entry is None:
            code = cst.Module([]).code_for_node(element.value)
            code = f"*{code}" if isinstance(element, cst.StarredElement) else code
            raise RewriteError(f"{attribute} entry {code!r} cannot be evaluated; not rewritten", attribute)
        entries.append(entry)
    if expected is not None and (
        len(expected) != len(entries) or not all(_matches(e, d) for e, d in zip(entries, expected, strict=True))
    ):
        raise RewriteError(f"{attribute} changed since it was analysed; not rewritten", attribute)
    # Which existing element each desired entry keeps (first match), and which desired entries are new.
    used: set[int] = set()
    keeps: list[int | None] = []
    for dep in desired:
        found = next((i for i, e in enumerate(entries) if i not in used and _matches(e, dep)), None)
        if found is not None:
            used.add(found)
        keeps.append(found)
    kept_positions = sorted(used)
    if any(b < a for a, b in zip(kept_positions, [k for k in keeps if k is not None], strict=True)):
        raise RewriteError(f"{attribute}: reordering kept entries is not supported", attribute)
    editor = _ListEditor(node)
    removed = [i for i in range(len(entries)) if i not in used]
    # Place new entries: in the slot of a removed element between their kept neighbours, else after them.
    slot_of: dict[int, int] = {}  # desired index -> removed element index reused in place
    after_of: dict[int, int] = {}  # desired index -> insert after this original index (-1: at start)
    free = list(removed)
    previous = -1
    for d, keep in enumerate(keeps):
        if keep is not None:
            previous = keep
            continue
        following = next((k for k in keeps[d + 1 :] if k is not None), len(entries))
        candidates = [i for i in free if previous < i < following]
        wanted_app = desired[d].key.app_label
        same_app = [i for i in candidates if (k := entries[i].key) is not None and k.app_label == wanted_app]
        chosen: int | None = next(iter(same_app or candidates), None)
        if chosen is not None:
            free.remove(chosen)
            slot_of[d] = chosen
            previous = chosen
        else:
            after_of[d] = previous
    # Replacements in place keep the element's comma and comments.
    for d, i in slot_of.items():
        own = _template([cst.Element(editor.values[i])])
        editor.values[i] = _new_value(desired[d], own or editor.template)
    # Build the final sequence of original indexes and new insertions, then remove/insert from the end.
    for i in sorted(free, reverse=True):
        editor.remove(i)
    # Map original index -> current position after removals.
    position = {}
    current = 0
    for i in range(len(entries)):
        if i in free:
            continue
        position[i] = current
        current += 1
    inserted_after: dict[int, int] = {}
    for d in sorted(after_of):
        anchor = after_of[d]
        base = position[anchor] + 1 if anchor >= 0 else 0
        offset = inserted_after.get(anchor, 0)
        editor.insert(base + offset, _new_value(desired[d], editor.template))
        inserted_after[anchor] = offset + 1
        for i, pos in position.items():
            if pos >= base + offset:
                position[i] = pos + 1
    return editor.build()


class _Transformer(cst.CSTTransformer):
    def __init__(
        self,
        edits: Mapping[str, Sequence[Dependency]],
        settings: Mapping[str, str],
        expected: Mapping[str, Sequence[Dependency]],
    ) -> None:
        super().__init__()
        self.edits = edits
        self.settings = settings
        self.expected = expected
        self.depth = 0
        self.found: set[str] = set()
        self.in_migration = False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.depth += 1
        self.in_migration = self.depth == 1 and node.name.value == "Migration"
        return self.depth == 1

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.depth -= 1
        self.in_migration = False
        return updated

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> bool:
        # leave_Assign edits the whole statement; nothing below it (an operations list of thousands of nodes)
        # needs visiting.
        return False

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
        return False

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        if len(updated.targets) != 1:
            return updated
        value = self._edited(updated.targets[0].target, updated.value)
        return updated if value is None else updated.with_changes(value=value)

    def leave_AnnAssign(self, original: cst.AnnAssign, updated: cst.AnnAssign) -> cst.AnnAssign:
        """``dependencies: list[tuple[str, str]] = [...]`` is a class attribute to Django like any other."""
        if updated.value is None:
            return updated
        value = self._edited(updated.target, updated.value)
        return updated if value is None else updated.with_changes(value=value)

    def _edited(self, target: cst.BaseExpression, value: cst.BaseExpression) -> cst.BaseExpression | None:
        if not self.in_migration or not isinstance(target, cst.Name) or target.value not in self.edits:
            return None
        name = target.value
        if name in self.found:
            raise RewriteError(f"{name} is assigned more than once; not rewritten", name)
        self.found.add(name)
        if not isinstance(value, cst.List | cst.Tuple):
            raise RewriteError(f"{name} is not a literal list; not rewritten", name)
        return _edit(value, self.edits[name], self.settings, name, self.expected.get(name))


def rewrite_source(
    source: str,
    edits: Mapping[str, Sequence[Dependency]],
    *,
    settings: Mapping[str, str] | None = None,
    expected: Mapping[str, Sequence[Dependency]] | None = None,
) -> str:
    """Return ``source`` with each list attribute of ``edits`` holding exactly the desired entries.

    ``settings`` resolves ``swappable_dependency(settings.X)`` (``{"AUTH_USER_MODEL": "accounts.User"}``);
    ``expected``, when given, is what each list must hold now (else :class:`RewriteError`).  An attribute
    that is absent is only accepted when its desired list is empty.  Raises :class:`RewriteError`.
    """
    try:
        module = cst.parse_module(source)
        transformer = _Transformer(edits, settings or {}, expected or {})
        updated = module.visit(transformer)
        code = updated.code
    except cst.ParserSyntaxError as exc:
        raise RewriteError(f"cannot parse: {exc.message} (line {exc.raw_line})") from exc
    except (RecursionError, MemoryError) as exc:  # libcst recurses per nesting level: "x" + "x" + ... 900 times
        raise RewriteError("too deeply nested for libcst (beyond Python's recursion limit); not rewritten") from exc
    for name, desired in edits.items():
        if name not in transformer.found and desired:
            raise RewriteError(f"the Migration class has no {name} list; not rewritten", name)
    return code


class _RemoveAttribute(cst.CSTTransformer):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.depth = 0
        self.removed = 0

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.depth += 1
        return self.depth == 1 and node.name.value == "Migration"

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.depth -= 1
        return updated

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        if self.depth != 1 or len(updated.body) != 1:
            return updated
        statement = updated.body[0]
        targets: list[cst.BaseExpression] = []
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            targets = [statement.targets[0].target]
        elif isinstance(statement, cst.AnnAssign):
            targets = [statement.target]
        if any(isinstance(t, cst.Name) and t.value == self.name for t in targets):
            self.removed += 1
            return cst.RemoveFromParent()
        return updated


def remove_attribute(source: str, name: str) -> str:
    """Return ``source`` without the ``name = ...`` statement of its ``Migration`` class (and the comments and
    blank lines attached above it).  Unchanged when the class has no such attribute; raises
    :class:`RewriteError` when it is assigned more than once or the file cannot be parsed."""
    try:
        module = cst.parse_module(source)
        transformer = _RemoveAttribute(name)
        updated = module.visit(transformer)
        code = updated.code
    except cst.ParserSyntaxError as exc:
        raise RewriteError(f"cannot parse: {exc.message} (line {exc.raw_line})") from exc
    except (RecursionError, MemoryError) as exc:
        raise RewriteError("too deeply nested for libcst (beyond Python's recursion limit); not rewritten") from exc
    if transformer.removed > 1:
        raise RewriteError(f"{name} is assigned more than once; not rewritten", name)
    return code
