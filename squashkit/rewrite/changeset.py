"""What squashkit would do to a project's files, as one value; :meth:`ChangeSet.apply` writes it all or nothing.

A :class:`ChangeSet` holds edits (old text -> new text), creations and deletions of project files, each with the
reason and the migration it serves, plus :class:`Refusal` entries for what squashkit will not do (and why).
Commands compute one change set, show it (:meth:`ChangeSet.diff`) and, when asked to write, apply it once.

How :meth:`ChangeSet.apply` writes:

1. Before anything is written, every file is checked: an edited or deleted file must still hold the planned
   old text (compared by SHA-256), a created file must not exist, and each file and its folder must be
   writable.  A file whose mode has no write bit at all counts as read-only even for root, who could write it
   anyway.  Any problem raises :class:`ChangeSetError` naming every such file; nothing is written.
2. A journal (old and new text of every file) is written outside the project, in ``journal/`` of the cache
   folder (:func:`squashkit.graph.cache.default_cache_dir`), and synced to disk.
3. Each file is written as a temporary file in the same folder (keeping the file's mode and, when permitted,
   its owner), synced, and moved over the old one with :func:`os.replace`.  A
   symlink's target is written; the link stays.  A deletion unlinks the file (a symlink is removed, not its
   target).  Just before each file is replaced its content is compared with the plan again.  Each folder is
   synced once, after its last file (a rename is atomic either way; the sync makes it durable before the
   journal is removed).
4. When any step fails (permission, disk full, a file changed meanwhile) or SIGINT, SIGTERM or SIGHUP arrives
   while the set is applied (handlers are installed for the duration and put back afterwards), every file
   already changed is restored, and :class:`ChangeSetError` names the file and the cause.  A signal becomes a
   ``ChangeSetError`` whose ``exit_code`` is ``128 + signal number``.
5. When all files are written, the journal is removed.

After a SIGKILL or a power cut each file is either old or new (never truncated), and the journal is still
there: :func:`recover` (called by every writing command before it writes) **rolls the interrupted change
back**: a file holding the new text gets the old text again, a created file is removed, a deleted file is
restored; a file that holds neither (edited since) is left alone and named.  Rolling back rather than
completing was chosen because the interrupted command never reported success: its user sees the project as
it was and can simply run the command again.

Only one change set is applied to a project at a time (a lock next to the journal), and :meth:`ChangeSet.apply`
refuses to start while an interrupted change of the same project has not been recovered.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import hashlib
import json
import os
import secrets
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Literal

from squashkit.errors import SquashkitError
from squashkit.graph.cache import default_cache_dir
from squashkit.graph.model import MigrationKey

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory lock
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "JOURNAL_FORMAT",
    "ChangeSet",
    "ChangeSetError",
    "FileChange",
    "Refusal",
    "journal_path",
    "recover",
]

#: Bumped whenever the journal's layout changes; a journal of another format is not replayed.
JOURNAL_FORMAT = 1
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
_ENCODING = "utf-8"

ChangeKind = Literal["edit", "create", "delete"]

#: Called as ``hook(stage, path)`` at ``"journal"`` (journal written, no file touched yet), ``"write"``
#: (before a file is written) and ``"written"`` (after it is replaced); tests use it to interrupt an apply
#: at a known point.  ``None`` in normal use.
_stage_hook: Callable[[str, Path], None] | None = None


class ChangeSetError(SquashkitError):
    """A change set could not be applied (nothing of it is left written) or recovered.

    ``path`` is the (first) file concerned, ``problems`` every ``(path, reason)`` found, ``signal_number`` the
    signal that interrupted the apply (the CLI then exits ``128 + signal_number``).
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        problems: tuple[tuple[Path, str], ...] = (),
        signal_number: int | None = None,
    ) -> None:
        super().__init__(
            message,
            path=None if path is None else str(path),
            problems=[(str(p), reason) for p, reason in problems],
            signal_number=signal_number,
        )
        self.path = path
        self.problems = problems
        self.signal_number = signal_number
        if signal_number is not None:
            self.exit_code = 128 + signal_number


def _unified(old: str, new: str, fromfile: str, tofile: str) -> str:
    lines = []
    for line in difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=fromfile, tofile=tofile
    ):
        lines.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


def _shown(path: Path, root: Path | None) -> str:
    if root is not None:
        with contextlib.suppress(ValueError):
            return path.relative_to(root).as_posix()
    return path.as_posix()


@dataclass(frozen=True)
class FileChange:
    """One file's change: ``old_text`` None creates it, ``new_text`` None deletes it."""

    path: Path
    old_text: str | None
    new_text: str | None
    reason: str
    migration: MigrationKey | None = None

    @property
    def kind(self) -> ChangeKind:
        if self.old_text is None:
            return "create"
        if self.new_text is None:
            return "delete"
        return "edit"

    def diff(self, root: Path | None = None) -> str:
        """This change as a unified diff (``/dev/null`` for the missing side), the path relative to ``root``."""
        shown = _shown(self.path, root)
        fromfile = "/dev/null" if self.old_text is None else f"a/{shown}"
        tofile = "/dev/null" if self.new_text is None else f"b/{shown}"
        return _unified(self.old_text or "", self.new_text or "", fromfile, tofile)


@dataclass(frozen=True)
class Refusal:
    """Something squashkit will not do, and why."""

    reason: str
    path: Path | None = None
    migration: MigrationKey | None = None


@dataclass(frozen=True)
class ChangeSet:
    """Edits, creations and deletions of files under ``root``, plus refusals; building returns new sets.

    Paths are kept absolute (a relative one is taken relative to ``root``).  An edit that changes nothing is
    left out.  A second change of the same file must start from the text the first one leaves (the two are
    then merged into one change, reasons joined with ``"; "``); anything else is a :class:`ValueError`.
    """

    root: Path
    changes: tuple[FileChange, ...] = ()
    refusals: tuple[Refusal, ...] = ()

    def _with(self, change: FileChange) -> ChangeSet:
        path = change.path if change.path.is_absolute() else self.root / change.path
        change = FileChange(path, change.old_text, change.new_text, change.reason, change.migration)
        changes = list(self.changes)
        for index, earlier in enumerate(changes):
            if earlier.path != path:
                continue
            if earlier.new_text != change.old_text:
                raise ValueError(f"{path}: a second change does not start from the text the first one leaves")
            reason = earlier.reason if change.reason in ("", earlier.reason) else f"{earlier.reason}; {change.reason}"
            merged = FileChange(path, earlier.old_text, change.new_text, reason, earlier.migration or change.migration)
            if merged.old_text == merged.new_text:
                del changes[index]
            else:
                changes[index] = merged
            return ChangeSet(self.root, tuple(changes), self.refusals)
        if change.old_text == change.new_text:
            return self
        return ChangeSet(self.root, (*self.changes, change), self.refusals)

    def edit(
        self, path: Path, old_text: str, new_text: str, reason: str, migration: MigrationKey | None = None
    ) -> ChangeSet:
        return self._with(FileChange(path, old_text, new_text, reason, migration))

    def create(self, path: Path, text: str, reason: str, migration: MigrationKey | None = None) -> ChangeSet:
        return self._with(FileChange(path, None, text, reason, migration))

    def delete(self, path: Path, old_text: str, reason: str, migration: MigrationKey | None = None) -> ChangeSet:
        return self._with(FileChange(path, old_text, None, reason, migration))

    def refuse(self, reason: str, path: Path | None = None, migration: MigrationKey | None = None) -> ChangeSet:
        if path is not None and not path.is_absolute():
            path = self.root / path
        return ChangeSet(self.root, self.changes, (*self.refusals, Refusal(reason, path, migration)))

    def __or__(self, other: ChangeSet) -> ChangeSet:
        if not isinstance(other, ChangeSet):
            return NotImplemented
        merged = self
        for change in other.changes:
            merged = merged._with(change)
        return ChangeSet(self.root, merged.changes, (*self.refusals, *other.refusals))

    def __bool__(self) -> bool:
        """True when there is something to write."""
        return bool(self.changes)

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(change.path for change in self.changes)

    def diff(self) -> str:
        """Every change as one unified diff, paths relative to ``root``."""
        return "".join(change.diff(self.root) for change in self.changes)

    def apply(self) -> None:
        """Write every change or none (see the module docstring); raises :class:`ChangeSetError`."""
        if not self.changes:
            return
        journal = journal_path(self.root)
        with _locked(journal, self.root):
            if journal.exists():
                raise ChangeSetError(
                    f"{self.root}: an interrupted write of this project has not been recovered yet "
                    f"(journal {journal}); nothing was written",
                    path=self.root,
                )
            token = secrets.token_hex(4)
            steps = [_Step.plan(change, token) for change in self.changes]
            problems = tuple((step.change.path, step.problem) for step in steps if step.problem)
            if problems:
                raise _problems_error(problems)
            with _deferred_signals() as caught:
                _write_journal(journal, self.root, token, steps)
                done: list[_Step] = []
                failing: Path | None = None
                try:
                    _stage("journal", journal)
                    _raise_if_signalled(caught)
                    for step in steps:
                        failing = step.change.path
                        _stage("write", step.change.path)
                        step.run()
                        done.append(step)
                        _stage("written", step.change.path)
                        _raise_if_signalled(caught)
                    for folder in dict.fromkeys(step.folder for step in steps):
                        _fsync_dir(folder)  # the renames are durable before the journal goes
                except BaseException as exc:
                    raise _rolled_back(exc, failing or journal, done, journal) from exc
                _remove(journal)


# --- applying -------------------------------------------------------------------------------------------


class _Interrupted(SquashkitError):
    """A signal arrived during an apply (internal: turned into a :class:`ChangeSetError`)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"signal {signum}", signum=signum)
        self.signum = signum


def _stage(stage: str, path: Path) -> None:
    if _stage_hook is not None:
        _stage_hook(stage, path)


def _raise_if_signalled(caught: list[int]) -> None:
    if caught:
        raise _Interrupted(caught[0])


@contextlib.contextmanager
def _deferred_signals() -> Iterator[list[int]]:
    """Record SIGINT/SIGTERM/SIGHUP instead of acting on them (main thread only); handlers put back after."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        caught.append(signum)

    previous: dict[int, Any] = {}
    try:
        for signum in _SIGNALS:
            previous[signum] = signal.signal(signum, handler)
        yield caught
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _temp_name(target: Path, token: str) -> Path:
    return target.parent / f".{target.name}.{token}.squashkit-tmp"


def _write_file(
    target: Path,
    data: bytes,
    temp: Path,
    *,
    mode: int | None,
    owner: tuple[int, int] | None,
    replace: bool = True,
    sync_folder: bool = True,
) -> None:
    """Write ``data`` to ``temp``, sync it and move it to ``target`` (``replace=False``: fail if it exists)."""
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()  # left by an earlier interrupted run with the same token: never ours to keep
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            if owner is not None:
                with contextlib.suppress(OSError):
                    os.fchown(handle.fileno(), *owner)
            os.fsync(handle.fileno())
        if replace:
            os.replace(temp, target)
        else:
            try:
                os.link(temp, target)  # fails when target exists: a creation never overwrites
            except FileExistsError:
                raise
            except OSError:  # no hard links on this filesystem: check, then rename
                if os.path.lexists(target):
                    raise FileExistsError(errno.EEXIST, "File exists", str(target)) from None
                os.replace(temp, target)
            else:
                os.unlink(temp)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    if sync_folder:
        _fsync_dir(target.parent)


def _writable(path: Path, st: os.stat_result | None) -> str:
    """Why ``path`` (and its folder) cannot be written, or ``""``."""
    folder = path.parent
    if not folder.is_dir():
        return "its folder does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return "its folder is not writable"
    if st is not None and (not os.access(path, os.W_OK) or not st.st_mode & 0o222):
        return "read-only"
    return ""


@dataclass
class _Step:
    """One change with what apply needs: the file really written, its mode and owner, the temp file name."""

    change: FileChange
    target: Path  # the file written (a symlink's target) or removed
    temp: Path
    mode: int | None = None
    owner: tuple[int, int] | None = None
    link: str | None = None  # a deleted symlink's target, to restore it
    problem: str = ""

    @classmethod
    def plan(cls, change: FileChange, token: str) -> _Step:
        path = change.path
        if change.kind == "delete" and path.is_symlink():
            step = cls(change, path, _temp_name(path, token), link=os.readlink(path))
            step.problem = _writable(path, None)
            return step
        target = Path(os.path.realpath(path))
        step = cls(change, target, _temp_name(target, token))
        try:
            st = target.stat()
        except FileNotFoundError:
            st = None
        except OSError as exc:
            step.problem = f"cannot read: {exc.strerror or exc}"
            return step
        if change.kind == "create":
            if st is not None or path.is_symlink():
                step.problem = "exists already"
            else:
                step.problem = _writable(target, None)
            return step
        if st is None:
            step.problem = "does not exist any more"
            return step
        if not stat.S_ISREG(st.st_mode):
            step.problem = "not a regular file"
            return step
        step.mode = stat.S_IMODE(st.st_mode)
        step.owner = (st.st_uid, st.st_gid)
        try:
            current = target.read_bytes()
        except OSError as exc:
            step.problem = f"cannot read: {exc.strerror or exc}"
            return step
        if _sha(current) != _sha((change.old_text or "").encode(_ENCODING)):
            step.problem = "changed on disk since the change was planned"
            return step
        step.problem = _writable(target, st)
        return step

    def run(self) -> None:
        change = self.change
        if change.kind != "create":
            current = _read_bytes(self.target if self.link is None else self.change.path)
            expected = (change.old_text or "").encode(_ENCODING)
            if self.link is None and (current is None or _sha(current) != _sha(expected)):
                raise _Changed()
        if change.kind == "delete":
            os.unlink(change.path)
            return
        data = (change.new_text or "").encode(_ENCODING)
        _write_file(
            self.target,
            data,
            self.temp,
            mode=self.mode,
            owner=self.owner,
            replace=change.kind == "edit",
            sync_folder=False,  # each folder is synced once, after the last file (see ChangeSet.apply)
        )

    @property
    def folder(self) -> Path:
        return self.change.path.parent if self.link is not None else self.target.parent

    def undo(self) -> None:
        change = self.change
        if change.kind == "create":
            os.unlink(self.target)
            _fsync_dir(self.target.parent)
            return
        if self.link is not None:
            os.symlink(self.link, change.path)
            _fsync_dir(change.path.parent)
            return
        data = (change.old_text or "").encode(_ENCODING)
        _write_file(self.target, data, self.temp, mode=self.mode, owner=self.owner, replace=change.kind == "edit")

    def entry(self) -> dict[str, Any]:
        return {
            "path": str(self.change.path),
            "target": str(self.target),
            "temp": str(self.temp),
            "kind": self.change.kind,
            "old": self.change.old_text,
            "new": self.change.new_text,
            "mode": self.mode,
            "owner": None if self.owner is None else list(self.owner),
            "link": self.link,
        }


class _Changed(SquashkitError):
    """The file changed on disk between the plan and its write (internal: turned into a ChangeSetError)."""

    def __init__(self) -> None:
        super().__init__("changed on disk since the change was planned")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, _Changed):
        return "changed on disk since the change was planned"
    if isinstance(exc, OSError):
        return f"cannot write: {exc.strerror or exc}"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return f"{type(exc).__name__}: {exc}"


def _problems_error(problems: tuple[tuple[Path, str], ...]) -> ChangeSetError:
    if len(problems) == 1:
        ((path, reason),) = problems
        return ChangeSetError(f"{path}: {reason}; nothing was written", path=path, problems=problems)
    listed = "; ".join(f"{path}: {reason}" for path, reason in problems)
    return ChangeSetError(
        f"{len(problems)} files cannot be written, nothing was written: {listed}",
        path=problems[0][0],
        problems=problems,
    )


def _rolled_back(exc: BaseException, path: Path, done: list[_Step], journal: Path) -> ChangeSetError:
    """Undo ``done`` (newest first) and describe the failure; the journal stays when an undo fails."""
    left: list[tuple[Path, str]] = []
    for step in reversed(done):
        try:
            step.undo()
        except OSError as undo_exc:
            left.append((step.change.path, f"could not be restored: {undo_exc.strerror or undo_exc}"))
    if not left:
        _remove(journal)
        restored = f"the {len(done)} file(s) already written were restored, " if done else ""
        outcome = f"{restored}nothing was changed"
    else:
        names = "; ".join(f"{p}: {reason}" for p, reason in left)
        outcome = f"NOT everything could be restored ({names}); run the command again to recover from {journal}"
    if isinstance(exc, _Interrupted):
        name = signal.Signals(exc.signum).name
        return ChangeSetError(f"interrupted by {name} while writing; {outcome}", signal_number=exc.signum)
    reason = _describe(exc)
    return ChangeSetError(f"{path}: {reason}; {outcome}", path=path, problems=((path, reason), *left))


# --- the journal ----------------------------------------------------------------------------------------


def journal_path(root: Path) -> Path:
    """Where the journal of a change to ``root`` is kept (whether or not one exists)."""
    resolved = str(Path(root).resolve())
    name = hashlib.sha1(resolved.encode("utf-8", "surrogateescape")).hexdigest()
    return default_cache_dir() / "journal" / f"{name}.json"


@contextlib.contextmanager
def _locked(journal: Path, root: Path) -> Iterator[None]:
    folder = journal.parent
    resolved = Path(root).resolve()
    if folder.resolve() == resolved or resolved in folder.resolve().parents:
        raise ChangeSetError(
            f"{root}: the journal folder {folder} is inside the project; set SQUASHKIT_CACHE_DIR to a folder "
            "outside it; nothing was written",
            path=Path(root),
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(journal.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise ChangeSetError(
            f"{folder}: cannot keep the write journal there: {exc.strerror or exc}; nothing was written",
            path=folder,
        ) from exc
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                raise ChangeSetError(
                    f"{root}: another squashkit command is writing to this project; nothing was written",
                    path=Path(root),
                ) from exc
        yield
    finally:
        os.close(fd)


def _write_journal(journal: Path, root: Path, token: str, steps: list[_Step]) -> None:
    record = {
        "format": JOURNAL_FORMAT,
        "root": str(Path(root).resolve()),
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "pid": os.getpid(),
        "token": token,
        "entries": [step.entry() for step in steps],
    }
    data = json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass")
    try:
        _write_file(journal, data, journal.with_suffix(".tmp"), mode=0o600, owner=None)
    except OSError as exc:
        raise ChangeSetError(
            f"{journal}: cannot write the journal: {exc.strerror or exc}; nothing was written", path=journal
        ) from exc


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    _fsync_dir(path.parent)


def recover(root: Path) -> str | None:
    """Roll back a change to ``root`` that was interrupted (SIGKILL, power cut); say what was done.

    Returns ``None`` when there was nothing to recover.  A file holding the change's new text gets its old
    text back, a created file is removed, a deleted one restored; a file that holds neither was edited since
    and is left as it is (and named).  The journal is removed afterwards.  Raises :class:`ChangeSetError` when
    a file cannot be restored (the journal is kept for the next attempt) or the journal cannot be read.
    """
    journal = journal_path(root)
    if not journal.exists():
        return None
    with _locked(journal, root):
        try:
            record = json.loads(journal.read_bytes().decode("utf-8", "surrogatepass"))
            entries = record["entries"]
            if record.get("format") != JOURNAL_FORMAT:
                raise ValueError(f"format {record.get('format')!r}, not {JOURNAL_FORMAT}")
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ChangeSetError(
                f"{journal}: cannot read the journal of an interrupted write of {root}: {exc}; "
                "check the project's files and remove the journal",
                path=journal,
            ) from exc
        restored: list[str] = []
        kept: list[str] = []
        for entry in reversed(entries):
            outcome = _recover_entry(entry)
            if outcome == "restored":
                restored.append(entry["path"])
            elif outcome == "kept":
                kept.append(entry["path"])
        _remove(journal)
    started = f"started {record.get('started', '?')}, process {record.get('pid', '?')}"
    parts = [f"Rolled back an interrupted write to {root} ({started}):"]
    if restored:
        parts.append(f"restored {len(restored)} file(s): {', '.join(reversed(restored))}.")
    else:
        parts.append("no file had been changed yet.")
    if kept:
        parts.append(f"Left as found (edited since): {', '.join(reversed(kept))}.")
    return " ".join(parts)


def _recover_entry(entry: dict[str, Any]) -> str:
    """Put one journal entry's file back; ``restored``, ``untouched`` or ``kept`` (edited since)."""
    path, target, temp = Path(entry["path"]), Path(entry["target"]), Path(entry["temp"])
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()
    kind, link = entry["kind"], entry.get("link")
    old = None if entry["old"] is None else entry["old"].encode(_ENCODING)
    new = None if entry["new"] is None else entry["new"].encode(_ENCODING)
    owner = entry.get("owner")
    try:
        if kind == "delete" and link is not None:
            if path.is_symlink() or path.exists():
                return "untouched" if path.is_symlink() and os.readlink(path) == link else "kept"
            os.symlink(link, path)
            return "restored"
        current = _read_bytes(target)
        if current == old:
            return "untouched"
        if current != new:
            return "kept"
        if kind == "create":
            os.unlink(target)
            _fsync_dir(target.parent)
            return "restored"
        assert old is not None
        _write_file(
            target,
            old,
            temp,
            mode=entry.get("mode"),
            owner=None if owner is None else (owner[0], owner[1]),
            replace=kind == "edit",
        )
    except OSError as exc:
        raise ChangeSetError(
            f"{path}: cannot be restored from the journal of an interrupted write: {exc.strerror or exc}; "
            "the journal is kept for the next attempt",
            path=path,
        ) from exc
    return "restored"
