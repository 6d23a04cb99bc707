"""Write the squashed migrations a plan proposes: generation through Django, post-processing with libcst.

:func:`squash` takes ranges (an app and its members, in plan order) and returns a frozen
:class:`SquashRun`: per range the squashed file's text or the reason it was refused, and one change set
creating the files.  Nothing is written here; ``run.changes.apply()`` writes all or nothing.

1. **Dependencies** (static, here): the sound minimal set of :mod:`squashkit.deps` for every member, the
   range's own members dropped, the same-app predecessor of the first member kept, dependencies implied by
   another one dropped (``swappable_dependency`` forms kept as written).  A dependency that comes after a
   member would make the squash depend on itself: the range is refused with the chain.
2. **Generation** (:mod:`squashkit.squash.generate`, one Django process for all ranges): operations in plan
   order without the elidable ones, Django's optimizer (or the autodetector for ``compact``), Django's
   writer; RunPython functions copied or referenced (:mod:`squashkit.squash.porting`).
3. **Post-processing** (:func:`finish_source`, libcst): the header, the imports and copied code the ported
   functions need, the members' ``run_before`` (Django's writer drops it), and a ``needs porting`` list.
   It is idempotent: run on its own output it changes nothing.
4. **Graph check** (static): the project with every new squash added must still have no cycle.

Django's naming: ``0001_squashed_0032_<name>`` for a range from the app's first migration (``initial =
True``), ``0005_<name>_squashed_0032_<name>`` from the middle.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import libcst as cst

from squashkit.errors import DjangoLoadError, SquashkitError
from squashkit.graph.helpers import marker_target, replaced_by, squashed_name
from squashkit.graph.model import Dependency, DependencyForm, MigrationInfo, MigrationKey, Project
from squashkit.rewrite.lists import RewriteError, rewrite_source
from squashkit.squash.porting import _binding_of

if TYPE_CHECKING:
    from squashkit.graph.graph import MigrationGraph
    from squashkit.rewrite.changeset import ChangeSet

__all__ = [
    "PortNote",
    "SquashError",
    "SquashOutcome",
    "SquashRun",
    "SquashTarget",
    "finish_source",
    "squash",
    "squash_dependencies",
    "target_for",
]

Strategy = Literal["optimize", "compact"]


class SquashError(SquashkitError):
    """The squash cannot be generated at all (Django's process failed, or the request makes no sense)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"cannot squash: {reason}", reason=reason)
        self.reason = reason


@dataclass(frozen=True)
class SquashTarget:
    """One range to squash: an app and its members in plan order."""

    app: str
    members: tuple[MigrationKey, ...]

    @property
    def first(self) -> MigrationKey:
        return self.members[0]

    @property
    def last(self) -> MigrationKey:
        return self.members[-1]


@dataclass(frozen=True)
class PortNote:
    """A RunPython function of a replaced migration, and what the squashed file does with it."""

    function: str
    source: MigrationKey
    path: Path
    status: Literal["copied", "referenced"]
    reason: str = ""
    line: int = 0

    @property
    def needs_porting(self) -> bool:
        return self.status == "referenced"

    def describe(self, root: Path | None = None) -> str:
        shown = self.path
        if root is not None:
            try:
                shown = self.path.relative_to(root)
            except ValueError:
                shown = self.path
        if self.needs_porting:
            return f"needs porting: {self.reason} ({shown})"
        where = f"{shown}:{self.line}" if self.line else str(shown)
        return f"copied `{self.function}` from {where}"

    def to_dict(self, root: Path | None = None) -> dict[str, Any]:
        return {
            "function": self.function,
            "source": str(self.source),
            "status": self.status,
            "reason": self.reason,
            "path": _relative(self.path, root) if root is not None else str(self.path),
            "line": self.line,
        }


@dataclass(frozen=True)
class SquashOutcome:
    """One range's squashed migration, or why it was refused (``refusal``, then ``text`` is empty)."""

    target: SquashTarget
    name: str
    path: Path
    dependencies: tuple[Dependency, ...] = ()
    initial: bool = False
    strategy: str = "optimize"
    note: str = ""
    text: str = ""
    ops_before: int = 0
    ops_elided: int = 0
    ops_after: int = 0
    ports: tuple[PortNote, ...] = ()
    run_before: tuple[Dependency, ...] = ()
    refusal: str = ""
    #: The squash exists already and replaces exactly this range: nothing to do.
    done: bool = False

    @property
    def key(self) -> MigrationKey:
        return MigrationKey(self.target.app, self.name)

    @property
    def ok(self) -> bool:
        """A new squashed file to write."""
        return not self.refusal and not self.done

    @property
    def needs_porting(self) -> tuple[PortNote, ...]:
        return tuple(p for p in self.ports if p.needs_porting)

    def to_dict(self, root: Path) -> dict[str, Any]:
        return {
            "app": self.target.app,
            "squash": str(self.key),
            "path": _relative(self.path, root),
            "replaces": [str(k) for k in self.target.members],
            "dependencies": [dependency_text(d) for d in self.dependencies],
            "initial": self.initial,
            "strategy": self.strategy,
            "note": self.note,
            "operations_before": self.ops_before,
            "operations_elided": self.ops_elided,
            "operations_after": self.ops_after,
            "ports": [p.to_dict(root) for p in self.ports],
            "refusal": self.refusal or None,
            "done": self.done,
        }


@dataclass(frozen=True)
class SquashRun:
    """Everything one ``squash run`` computed; ``changes`` creates the files of the ranges not refused."""

    root: Path
    outcomes: tuple[SquashOutcome, ...]
    changes: ChangeSet

    @property
    def written(self) -> tuple[SquashOutcome, ...]:
        """The new squashed files (what ``changes`` creates)."""
        return tuple(o for o in self.outcomes if o.ok)

    @property
    def refused(self) -> tuple[SquashOutcome, ...]:
        return tuple(o for o in self.outcomes if o.refusal)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def dependency_text(dep: Dependency) -> str:
    if dep.form is DependencyForm.SWAPPABLE:
        return f"swappable_dependency(settings.{dep.setting})"
    return str(dep.key)


# -- dependencies ---------------------------------------------------------------------------------------


def _replacement_map(graph: MigrationGraph) -> dict[MigrationKey, MigrationKey]:
    return replaced_by(graph)


def _resolve(dep: Dependency, graph: MigrationGraph, replaced: Mapping[MigrationKey, MigrationKey]) -> MigrationKey:
    key = dep.key
    if key.is_marker:
        if key.app_label not in graph.project.apps:
            return key
        found = marker_target(key, graph.migration_nodes(key.app_label), graph)
        return key if found is None else found
    return replaced.get(key, key)


def squash_dependencies(
    project: Project,
    target: SquashTarget,
    *,
    graph: MigrationGraph | None = None,
    minimal: Mapping[MigrationKey, Sequence[Dependency]] | None = None,
) -> tuple[tuple[Dependency, ...], str]:
    """The squash's dependencies and, when it would depend on itself, why (else ``""``).

    ``minimal`` maps members to their sound minimal dependencies (:func:`squashkit.deps.propose.propose`);
    a member missing from it keeps its dependencies as written.
    """
    graph = graph if graph is not None else project.graph()
    replaced = _replacement_map(graph)
    members = set(target.members)
    member_nodes = {replaced.get(k, k) for k in members}
    kept: list[tuple[Dependency, MigrationKey]] = []
    for member in target.members:
        info = project.migrations[member]
        written: Sequence[Dependency] = info.dependencies
        if minimal is not None and member in minimal:
            written = minimal[member]
        for dep in written:
            resolved = _resolve(dep, graph, replaced)
            if dep.key in members or resolved in member_nodes:
                continue
            if any(d.key == dep.key and d.form == dep.form and d.setting == dep.setting for d, _ in kept):
                continue
            kept.append((dataclasses.replace(dep, line=0), resolved))
    # A dependency reached from a member: the squash would come after itself.
    for _dep, resolved in kept:
        if resolved in graph:
            inside = graph.ancestors(resolved) & member_nodes
            if inside:
                first_inside = sorted(inside)[0]
                return (), (
                    f"the squash would depend on {resolved}, which comes after {first_inside} of the range "
                    "(a cycle): end the range before the migrations it needs"
                )
    ancestors = {resolved: graph.ancestors(resolved) if resolved in graph else set() for _, resolved in kept}
    result: list[Dependency] = []
    for dep, resolved in kept:
        implied = dep.form is not DependencyForm.SWAPPABLE and any(
            resolved in ancestors[other] for _, other in kept if other != resolved
        )
        if not implied:
            result.append(dep)
    swappable = sorted((d for d in result if d.form is DependencyForm.SWAPPABLE), key=lambda d: d.setting or "")
    plain = sorted((d for d in result if d.form is not DependencyForm.SWAPPABLE), key=lambda d: d.key)
    return tuple(swappable + plain), ""


def _run_before(project: Project, target: SquashTarget) -> tuple[Dependency, ...]:
    members = set(target.members)
    found: list[Dependency] = []
    for member in target.members:
        for dep in project.migrations[member].run_before:
            if dep.key not in members and all(d.key != dep.key for d in found):
                found.append(dataclasses.replace(dep, line=0))
    return tuple(found)


# -- post-processing ------------------------------------------------------------------------------------


def _module_imports(module: cst.Module) -> tuple[list[str], int]:
    """The module's top-level import statements (code) and the index after the last one."""
    lines: list[str] = []
    after = 0
    for i, stmt in enumerate(module.body):
        if isinstance(stmt, cst.SimpleStatementLine) and all(
            isinstance(s, cst.Import | cst.ImportFrom) for s in stmt.body
        ):
            lines.append(module.code_for_node(stmt).strip())
            after = i + 1
    return lines, after


def _is_import(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, cst.Import | cst.ImportFrom) for s in stmt.body
    )


def _import_key(stmt: Any) -> str:
    code = cst.Module(body=[stmt.with_changes(leading_lines=[])]).code.strip()
    return code.split()[1]


def _bound_names(line: str) -> list[str]:
    import ast

    node = ast.parse(line).body[0]
    assert isinstance(node, ast.Import | ast.ImportFrom)
    return [a.asname or a.name.split(".")[0] for a in node.names]


def _defined(module: cst.Module) -> set[str]:
    names: set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef | cst.ClassDef):
            names.add(stmt.name.value)
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign):
                    names |= {t.target.value for t in small.targets if isinstance(t.target, cst.Name)}
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    names.add(small.target.value)
    return names


def _block_names(block: str) -> set[str]:
    return _defined(cst.parse_module(block))


def _migration_class(module: cst.Module) -> int:
    for i, stmt in enumerate(module.body):
        if isinstance(stmt, cst.ClassDef) and stmt.name.value == "Migration":
            return i
    raise RewriteError("no Migration class in the generated source")


class _AddRunBefore(cst.CSTTransformer):
    def __init__(self, statement: cst.SimpleStatementLine) -> None:
        self.statement = statement

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        if updated.name.value != "Migration" or not isinstance(updated.body, cst.IndentedBlock):
            return updated
        body = list(updated.body.body)
        at = len(body)
        for i, stmt in enumerate(body):
            if isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Assign):
                target = stmt.body[0].targets[0].target
                if isinstance(target, cst.Name) and target.value in ("replaces", "dependencies"):
                    at = i + 1
        statement = self.statement.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
        body.insert(at, statement)
        return updated.with_changes(body=updated.body.with_changes(body=body))


def _has_attribute(module: cst.Module, name: str) -> bool:
    index = _migration_class(module)
    cls = module.body[index]
    assert isinstance(cls, cst.ClassDef)
    for stmt in cls.body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets
                ):
                    return True
    return False


def _dependency_source(dep: Dependency) -> str:
    if dep.form is DependencyForm.SWAPPABLE:
        return f"migrations.swappable_dependency(settings.{dep.setting})"
    return f"({dep.key.app_label!r}, {dep.key.name!r})"


def finish_source(
    text: str,
    *,
    header: Sequence[str] = (),
    imports: Sequence[str] = (),
    blocks: Sequence[str] = (),
    run_before: Sequence[Dependency] = (),
    notes: Sequence[str] = (),
    settings: Mapping[str, str] | None = None,
) -> str:
    """Post-process the writer's text of a squash (idempotent: applied to its own output it changes nothing).

    * ``header``: the leading comment lines (replacing those there), followed by ``notes`` (``# needs
      porting: ...``) so that nobody misses them;
    * ``imports``: lines the copied code needs, added after the last import unless the name is already bound
      to the same thing;
    * ``blocks``: copied code, inserted before ``class Migration`` unless what it defines is already defined;
    * ``run_before``: the members' ``run_before``, set on the class (Django's writer drops it).
    """
    module = cst.parse_module(text)
    existing, after = _module_imports(module)
    body: list[Any] = list(module.body)
    added: list[cst.BaseStatement] = []
    for line in imports:
        names = _bound_names(line)
        if all(any(_binding_of(e, n) == _binding_of(line, n) for e in existing) for n in names):
            continue
        added.append(cst.parse_statement(line + "\n"))
        existing.append(line)
    if added:
        body[after:after] = added
        # One import block sorted as Django's writer sorts it ("import x" and "from x import" by module).
        in_block = [(i, stmt) for i, stmt in enumerate(body[: after + len(added)]) if _is_import(stmt)]
        ordered = sorted((stmt for _, stmt in in_block), key=_import_key)
        for (i, _), stmt in zip(in_block, ordered, strict=True):
            body[i] = stmt.with_changes(leading_lines=body[i].leading_lines)
    defined = _defined(module.with_changes(body=body))
    new_blocks: list[cst.BaseStatement] = []
    for block in blocks:
        block_names = _block_names(block)
        if block_names and block_names <= defined:
            continue
        parsed = cst.parse_module(block + "\n")
        statements = list(parsed.body)
        if statements:
            first = statements[0]
            comments = [cst.EmptyLine(), cst.EmptyLine(), *list(parsed.header)]
            statements[0] = first.with_changes(leading_lines=comments + list(first.leading_lines))
        new_blocks += statements
        defined |= block_names
    if new_blocks:
        index = _migration_class(module.with_changes(body=body))
        cls = body[index]
        body[index] = cls.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
        body[index:index] = new_blocks
    comment_lines = [*header, *(f"# {n}" for n in notes)]
    module = module.with_changes(
        body=body,
        header=[cst.EmptyLine(comment=cst.Comment(c)) for c in comment_lines]
        + ([cst.EmptyLine()] if comment_lines else []),
    )
    # Normalise the leading blank lines of the first statement (the header carries one).
    if module.body:
        first_stmt = module.body[0]
        module = module.with_changes(
            body=[first_stmt.with_changes(leading_lines=[]), *module.body[1:]],
        )
    code = module.code
    if run_before:
        if _has_attribute(module, "run_before"):
            code = rewrite_source(code, {"run_before": list(run_before)}, settings=settings)
        else:
            elements = "".join(f"    {_dependency_source(d)},\n" for d in run_before)
            statement = cst.parse_statement(f"run_before = [\n{elements}]\n")
            assert isinstance(statement, cst.SimpleStatementLine)
            code = cst.parse_module(code).visit(_AddRunBefore(statement)).code
    return code


# -- the run -------------------------------------------------------------------------------------------

Progress = Callable[[str], None]


def _generate(root: Path, settings: str, payload: dict[str, Any], timeout: float | None) -> dict[str, Any]:
    """Run the generation in one Django process (the runner's ``squash.generate`` action)."""
    from squashkit._django import DjangoError, run_action

    try:
        out: dict[str, Any] = run_action(root, settings, "squash.generate", payload, timeout=timeout)
    except DjangoError as exc:
        if exc.stage == "setup":
            raise DjangoLoadError(settings, exc.reason, path=exc.path, line=exc.line) from exc
        raise SquashError(exc.reason) from exc
    return out


def _header(result: Mapping[str, Any], target: SquashTarget, now: datetime) -> list[str]:
    version = result.get("django_version", "")
    return [
        f"# Generated by Django {version} on {now.strftime('%Y-%m-%d %H:%M')}",
        f"# Squashed by squashkit ({result.get('strategy', 'optimize')}): {target.first} .. {target.last}, "
        f"{len(target.members)} migrations, {result.get('ops_before', 0)} operations -> {result.get('ops_after', 0)}",
    ]


def _new_record(outcome: SquashOutcome) -> MigrationInfo:
    return MigrationInfo(
        key=outcome.key,
        path=outcome.path,
        dependencies=outcome.dependencies,
        replaces=outcome.target.members,
        run_before=outcome.run_before,
        initial=outcome.initial,
    )


def _cycle_refusals(
    project: Project,
    outcomes: Sequence[SquashOutcome],
    minimal: Mapping[MigrationKey, Sequence[Dependency]],
) -> dict[MigrationKey, str]:
    """Ranges whose squash would put a cycle in the project's graph (every squash added at once).

    While the replaced files remain, Django re-points their dependencies to the squash: a member that still
    lists a later migration of another app than it needs can close a cycle the squash's own minimal
    dependencies do not; the reason then names those members and ``squashkit deps --fix``.
    """
    ok = [o for o in outcomes if o.ok]
    if not ok:
        return {}
    migrations = dict(project.migrations)
    for outcome in ok:
        migrations[outcome.key] = _new_record(outcome)
    combined = dataclasses.replace(project, migrations=migrations)
    cycles = combined.graph().cycles()
    found: dict[MigrationKey, str] = {}
    for cycle in cycles:
        text = " -> ".join(str(k) for k in cycle)
        for outcome in ok:
            if outcome.key not in cycle:
                continue
            wide = [
                str(m)
                for m in outcome.target.members
                if m in minimal and {d.key for d in project.migrations[m].dependencies} != {d.key for d in minimal[m]}
            ]
            hint = (
                f"; while the replaced files remain Django re-points their dependencies to the squash: narrow "
                f"{', '.join(wide)} first (`squashkit deps --fix`)"
                if wide
                else ""
            )
            found.setdefault(outcome.key, f"the squashes together make a dependency cycle: {text}{hint}")
    return found


def _minimal_dependencies(project: Project) -> dict[MigrationKey, tuple[Dependency, ...]]:
    """The sound minimal dependencies of every project migration (all apps: a proposal for some apps keeps
    edges whose descendants in the other apps are not analysed)."""
    from squashkit.deps.propose import propose

    return {p.migration: p.proposed for p in propose(project)}


def squash(
    project: Project,
    targets: Sequence[SquashTarget],
    *,
    settings: str,
    strategy: Strategy = "optimize",
    timeout: float | None = 900,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> SquashRun:
    """Generate the squashed migration of every target; nothing is written (see :class:`SquashRun`).

    Raises :class:`SquashError` when Django's process fails and :class:`~squashkit.errors.DjangoLoadError`
    when Django cannot be set up with ``settings``.
    """
    from squashkit.rewrite.changeset import ChangeSet

    root = Path(project.root).resolve()
    now = now or datetime.now(timezone.utc)  # noqa: UP017 - Python 3.11 spelling kept explicit
    graph = project.graph()
    minimal = _minimal_dependencies(project)
    outcomes: list[SquashOutcome] = []
    specs: list[dict[str, Any]] = []
    for target in targets:
        app = project.apps[target.app]
        if target.last in graph:
            chain = [k for k in graph.forwards_plan(target.last) if k.app_label == target.app]
        else:  # squashed already (the squash is in use): the chain of the files it replaces
            unreplaced = project.graph(replace_migrations=False)
            chain = [k for k in unreplaced.forwards_plan(target.last) if k.app_label == target.app]
        initial = bool(chain) and chain[0] == target.first
        name = squashed_name(target.app, target.first.name, target.last.name, from_first=initial)
        path = app.migrations_path / f"{name}.py"
        outcome = SquashOutcome(target, name, path, initial=initial, run_before=_run_before(project, target))
        if path.exists():
            existing = project.migrations.get(MigrationKey(target.app, name))
            if existing is not None and tuple(existing.replaces) == target.members:
                outcomes.append(dataclasses.replace(outcome, done=True))
            else:
                outcomes.append(dataclasses.replace(outcome, refusal=f"{_relative(path, root)} exists already"))
            continue
        dependencies, problem = squash_dependencies(project, target, graph=graph, minimal=minimal)
        outcome = dataclasses.replace(outcome, dependencies=dependencies, refusal=problem)
        outcomes.append(outcome)
        if outcome.ok:
            specs.append(
                {
                    "app": target.app,
                    "members": [k.name for k in target.members],
                    "name": name,
                    "initial": initial,
                    "strategy": strategy,
                    "dependencies": [[d.key.app_label, d.key.name, d.setting] for d in dependencies],
                }
            )
    if progress is not None and specs:
        progress(f"generating {len(specs)} squash(es) with Django")
    results = iter(_generate(root, settings, {"ranges": specs}, timeout)["ranges"] if specs else [])
    finished: list[SquashOutcome] = []
    for outcome in outcomes:
        if not outcome.ok:
            finished.append(outcome)
            continue
        result = next(results)
        if result.get("error"):
            finished.append(dataclasses.replace(outcome, refusal=result["error"]))
            continue
        ports = tuple(_port_note(p, root, project) for p in result["ports"])
        notes = [p.describe(root) for p in ports if p.needs_porting]
        text = finish_source(
            result["text"],
            header=_header(result, outcome.target, now),
            imports=result["imports"],
            blocks=result["blocks"],
            run_before=outcome.run_before,
            notes=notes,
            settings=project.settings,
        )
        finished.append(
            dataclasses.replace(
                outcome,
                text=text,
                strategy=result["strategy"],
                note=result["note"],
                ops_before=result["ops_before"],
                ops_elided=result["ops_elided"],
                ops_after=result["ops_after"],
                ports=ports,
            )
        )
    cycles = _cycle_refusals(project, finished, minimal)
    finished = [dataclasses.replace(o, refusal=cycles[o.key], text="") if o.key in cycles else o for o in finished]
    changes = ChangeSet(root)
    for outcome in finished:
        if outcome.done:
            continue
        if outcome.ok:
            changes = changes.create(
                outcome.path,
                outcome.text,
                f"squash of {outcome.target.first} .. {outcome.target.last}",
                migration=outcome.key,
            )
        else:
            changes = changes.refuse(outcome.refusal, path=outcome.path, migration=outcome.key)
    return SquashRun(root, tuple(finished), changes)


def _port_note(data: Mapping[str, Any], root: Path, project: Project) -> PortNote:
    path = Path(data["path"])
    source = MigrationKey("", path.stem)
    for key, info in project.migrations.items():
        if info.path.resolve() == path.resolve():
            source = key
            break
    return PortNote(data["qualname"], source, path, data["status"], data["reason"], data["line"])


def _by_prefix(project: Project, app: str, prefix: str) -> MigrationKey:
    """The app's migration named ``prefix`` or starting with it (Django's ``get_migration_by_prefix``)."""
    keys = [k for k in project.migrations if k.app_label == app]
    exact = [k for k in keys if k.name == prefix]
    if exact:
        return exact[0]
    found = sorted(k for k in keys if k.name.startswith(prefix))
    if len(found) > 1:
        raise SquashError(f"more than one migration matches {prefix!r} in app {app!r}: please be more specific")
    if not found:
        raise SquashError(f"cannot find a migration matching {prefix!r} in app {app!r}")
    return found[0]


def target_for(project: Project, app: str, end: str, start: str | None = None) -> SquashTarget:
    """The range ``squashmigrations APP [START] END`` would squash: the app's migrations before ``END`` in
    apply order (a fresh database's graph), from ``START`` (default: the app's first)."""
    if app not in project.project_apps:
        from squashkit.errors import AppNotFoundError

        raise AppNotFoundError(app, project.project_apps)
    graph = project.graph()
    last = _by_prefix(project, app, end)
    if last not in graph:  # replaced by a squash in use: the range as the files before the squash give it
        graph = project.graph(replace_migrations=False)
    chain = [k for k in graph.forwards_plan(last) if k.app_label == app]
    if start is not None:
        first = _by_prefix(project, app, start)
        if first not in chain:
            raise SquashError(f"{first} does not come before {last} (or is replaced by a squash in use)")
        chain = chain[chain.index(first) :]
    if len(chain) < 2:
        raise SquashError(f"{app}: nothing to squash up to {last.name} (a squash needs at least two migrations)")
    return SquashTarget(app, tuple(chain))
