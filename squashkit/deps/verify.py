"""Verify proposals with Django's own machinery before they are offered as safe.

In a subprocess (Django can be set up once per process, and the project is imported), with the project's
settings:

1. Django's ``MigrationLoader`` loads the migrations; the original final ``ProjectState`` is recorded;
2. the ``dependencies`` of every rewired migration class are replaced by the proposed ones and Django
   builds its graph again (its ``__first__``/swappable/``replaces`` rules, ``NodeNotFoundError``,
   ``CircularDependencyError``);
3. every migration whose set of ancestors changed is applied (``mutate_state``) on the state of its *new*
   ancestors only, the state is rendered (dangling relations raise), and the models its RunPython code
   reads with ``apps.get_model`` must exist;
4. the final ``ProjectState`` must equal the original (Django's ``ModelState.__eq__``: fields deconstructed,
   options, bases, managers).  On a difference each proposal is tried alone to find the culprits.

A proposal that fails is reported with the reason, never offered.  The same subprocess can also read which
migrations the project's default database has applied (:func:`default_database_applied`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from squashkit.config import discover_settings
from squashkit.deps.propose import Proposal, Verification
from squashkit.deps.references import references
from squashkit.errors import DjangoLoadError, SquashkitError
from squashkit.graph.model import MigrationKey, Project

__all__ = ["VerifyError", "default_database_applied", "find_settings", "verify"]


class VerifyError(SquashkitError):
    """The verification subprocess could not run at all."""

    def __init__(self, settings: str, reason: str, action: str = "verify") -> None:
        super().__init__(f"cannot {action} with settings {settings!r}: {reason}", settings=settings, reason=reason)
        self.settings = settings
        self.reason = reason


def find_settings(root: Path, explicit: str | None = None) -> str | None:
    """The settings module: ``explicit``, else ``[tool.squashkit] settings``, else manage.py's default."""
    if explicit:
        return explicit
    return discover_settings(root)


def _key(text: str) -> MigrationKey:
    app, _, name = text.partition("|")
    return MigrationKey(app, name)


def _run(
    root: Path, settings: str, payload: dict[str, Any], timeout: float | None, action: str = "verify"
) -> dict[str, Any]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = settings
    env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "squashkit.deps.verify", str(root), settings],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            env=env,
            cwd=str(root),
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise VerifyError(settings, f"timed out after {exc.timeout} s", action) from exc
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
        raise VerifyError(settings, lines[-1] if lines else f"subprocess exited {proc.returncode}", action)
    result: dict[str, Any] = json.loads(proc.stdout)
    if result.get("setup_error"):
        raise DjangoLoadError(settings, result["setup_error"])
    if result.get("error"):
        raise VerifyError(settings, result["error"], action)
    return result


def verify(
    project: Project,
    proposals: Sequence[Proposal],
    *,
    settings: str,
    root: Path | None = None,
    timeout: float | None = 600,
) -> list[Proposal]:
    """Return ``proposals`` with ``verification`` set on every pending one (the others are unchanged).

    Raises :class:`~squashkit.errors.DjangoLoadError` when Django cannot be set up with ``settings`` and
    :class:`VerifyError` when the subprocess fails.
    """
    root = Path(root or project.root).resolve()
    pending = [p for p in proposals if p.pending]
    if not pending:
        return list(proposals)
    reads = {
        f"{key.app_label}|{key.name}": sorted(
            {(n.target.app_label, n.target.model) for n in references(info).needs if n.kind == "state"}
        )
        for key, info in project.migrations.items()
        if project.in_project(key)
    }
    payload = {
        "rewired": {f"{p.migration.app_label}|{p.migration.name}": [list(d.key) for d in p.proposed] for p in pending},
        "reads": {k: v for k, v in reads.items() if v},
    }
    result = _run(root, settings, payload, timeout)
    failures: dict[str, str] = result["failures"]
    out: list[Proposal] = []
    for proposal in proposals:
        if not proposal.pending:
            out.append(proposal)
            continue
        name = f"{proposal.migration.app_label}|{proposal.migration.name}"
        if result.get("graph_error"):
            verification = Verification("failed", f"Django rejects the rewired graph: {result['graph_error']}")
        elif name in failures:
            verification = Verification("failed", failures[name])
        else:
            verification = Verification("verified", "applies on its new ancestors; final state unchanged")
        out.append(dataclasses.replace(proposal, verification=verification))
    return out


def default_database_applied(root: Path, settings: str, *, timeout: float | None = 120) -> tuple[set, str]:
    """Migrations recorded as applied in the project's ``default`` database, and a description of it.

    A SQLite database file that does not exist is not created: nothing is applied there.
    """
    result = _run(Path(root).resolve(), settings, {"applied_only": True}, timeout, "read applied migrations")
    return {MigrationKey(a, n) for a, n in result["applied"]}, result["database"]


# -- the subprocess ---------------------------------------------------------------------------------


def _applied(connection: Any) -> tuple[list[list[str]], str]:
    from django.db.migrations.recorder import MigrationRecorder

    params = connection.settings_dict
    described = f"default ({params.get('ENGINE', '').rsplit('.', 1)[-1]} {params.get('NAME')})"
    name = str(params.get("NAME") or "")
    if connection.vendor == "sqlite" and name != ":memory:" and "mode=memory" not in name and not Path(name).exists():
        return [], described
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return [], described
    return sorted([list(k) for k in recorder.applied_migrations()]), described


def _state_diff(original: Any, new: Any) -> list[str]:
    keys = sorted(set(original.models) | set(new.models))
    return [f"{a}.{m}" for a, m in keys if original.models.get((a, m)) != new.models.get((a, m))]


def _ancestry(graph: Any) -> dict[Any, int]:
    """Ancestor bit-sets of every node of a Django ``MigrationGraph`` (bits: sorted node order)."""
    index = {key: i for i, key in enumerate(sorted(graph.nodes))}
    parents = {key: [p.key for p in graph.node_map[key].parents] for key in graph.nodes}
    pending = {key: len(ps) for key, ps in parents.items()}
    children: dict[Any, list[Any]] = {}
    for key, ps in parents.items():
        for parent in ps:
            children.setdefault(parent, []).append(key)
    ready = [key for key, count in pending.items() if count == 0]
    bits: dict[Any, int] = {}
    while ready:
        key = ready.pop()
        value = 0
        for parent in parents[key]:
            value |= bits[parent] | (1 << index[parent])
        bits[key] = value
        for child in children.get(key, ()):
            pending[child] -= 1
            if pending[child] == 0:
                ready.append(child)
    return bits


def _subprocess(root: Path, settings: str, payload: dict[str, Any]) -> dict[str, Any]:
    from squashkit.graph.django_loader import _setup

    try:
        _setup(root, settings)
    except DjangoLoadError as exc:
        return {"setup_error": exc.reason}
    from django.db import connections

    if payload.get("applied_only"):
        try:
            applied, database = _applied(connections["default"])
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            return {"error": f"{type(exc).__module__}.{type(exc).__name__}: {first}"}
        return {"applied": applied, "database": database}

    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    original_state = loader.project_state()
    original_graph = loader.graph
    original_ancestors = _ancestry(original_graph)
    original_index = {key: i for i, key in enumerate(sorted(original_graph.nodes))}
    classes = {key: type(m) for key, m in loader.disk_migrations.items()}
    saved = {key: list(cls.dependencies) for key, cls in classes.items()}
    rewired = {_key(k): [tuple(d) for d in v] for k, v in payload["rewired"].items()}
    reads = {_key(k): [tuple(r) for r in v] for k, v in payload["reads"].items()}

    def build(which: dict[MigrationKey, list[tuple[str, str]]]) -> str | None:
        for key, cls in classes.items():
            cls.dependencies = which.get(key, saved[key])
        try:
            loader.build_graph()
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        return None

    error = build(rewired)
    if error:
        return {"graph_error": error, "failures": {}}
    failures: dict[str, str] = {}
    graph = loader.graph
    new_ancestors = _ancestry(graph)
    same_nodes = sorted(graph.nodes) == sorted(original_graph.nodes)
    for key in sorted(graph.nodes):
        if key not in rewired and same_nodes and new_ancestors.get(key) == original_ancestors.get(key):
            continue
        migration = graph.nodes[key]
        try:
            state = graph.make_state(nodes=[key], at_end=False, real_apps=loader.unmigrated_apps)
            state = migration.mutate_state(state, preserve=False)
            state.apps  # noqa: B018 - rendering raises on relations to models that do not exist yet
            missing = [f"{a}.{m}" for a, m in reads.get(MigrationKey(*key), []) if (a, m.lower()) not in state.models]
            if missing:
                raise LookupError(f"RunPython reads {', '.join(missing)}, not in the state of its new ancestors")
        except Exception as exc:
            reason = f"{key[0]}.{key[1]} does not apply on its new ancestors: {type(exc).__name__}: {exc}"
            before = original_ancestors.get(key, 0)
            culprits = [k for k in rewired if k == key or (k in original_index and before >> original_index[k] & 1)]
            for culprit in culprits or list(rewired):
                failures.setdefault(f"{culprit.app_label}|{culprit.name}", reason)
    final_state = loader.project_state()
    if final_state != original_state:
        differing = _state_diff(original_state, final_state)
        alone_failed = []
        for key in rewired:
            if build({key: rewired[key]}) is None and loader.project_state() != original_state:
                alone_failed.append(key)
        reason = f"the final project state differs for {', '.join(differing)}"
        for key in alone_failed or list(rewired):
            failures.setdefault(f"{key.app_label}|{key.name}", reason)
    build({})
    return {"graph_error": None, "failures": failures}


def _main(argv: list[str]) -> int:
    root, settings = Path(argv[0]), argv[1]
    payload = json.loads(sys.stdin.read() or "{}")
    sys.stdout.write(json.dumps(_subprocess(root, settings, payload)))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
