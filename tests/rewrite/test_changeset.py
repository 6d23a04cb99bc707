"""The change set: building, diffs, all-or-nothing apply on the real filesystem, the journal and recover()."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from squashkit.graph.model import MigrationKey
from squashkit.rewrite import changeset
from squashkit.rewrite.changeset import ChangeSet, ChangeSetError, FileChange, Refusal, journal_path, recover

K = MigrationKey
OLD = "class Migration:\n    dependencies = [('a', '1'), ('b', '2')]\n"
NEW = "class Migration:\n    dependencies = [('a', '1')]\n"


@pytest.fixture
def hook() -> Iterator[Callable[[Callable[[str, Path], None]], None]]:
    """Set ``changeset._stage_hook`` for one test."""

    def install(func: Callable[[str, Path], None]) -> None:
        changeset._stage_hook = func

    yield install
    changeset._stage_hook = None


def files(root: Path, count: int = 3, text: str = OLD) -> list[Path]:
    folder = root / "app" / "migrations"
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"000{i + 1}_m.py" for i in range(count)]
    for path in paths:
        path.write_text(text)
    return paths


def edits(root: Path, paths: list[Path]) -> ChangeSet:
    changes = ChangeSet(root)
    for path in paths:
        changes = changes.edit(path, OLD, NEW, "drop ('b', '2')", K("app", path.stem))
    return changes


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_building_and_diff(tmp_path: Path) -> None:
    changes = (
        ChangeSet(tmp_path)
        .edit(Path("app/migrations/0001_m.py"), OLD, NEW, "drop b", K("app", "0001_m"))
        .edit(tmp_path / "same.py", OLD, OLD, "nothing")  # a no-op edit is left out
        .create(tmp_path / "app/migrations/0002_new.py", "x = 1\n", "new")
        .delete(tmp_path / "app/migrations/0003_old.py", "y = 2\nz = 3", "gone")
        .refuse("applied in prod", Path("app/migrations/0004_p.py"), K("app", "0004_p"))
    )
    assert changes.paths == (
        tmp_path / "app/migrations/0001_m.py",
        tmp_path / "app/migrations/0002_new.py",
        tmp_path / "app/migrations/0003_old.py",
    )
    assert [c.kind for c in changes.changes] == ["edit", "create", "delete"]
    assert changes.refusals == (Refusal("applied in prod", tmp_path / "app/migrations/0004_p.py", K("app", "0004_p")),)
    assert changes.diff() == (
        "--- a/app/migrations/0001_m.py\n+++ b/app/migrations/0001_m.py\n@@ -1,2 +1,2 @@\n class Migration:\n"
        "-    dependencies = [('a', '1'), ('b', '2')]\n+    dependencies = [('a', '1')]\n"
        "--- /dev/null\n+++ b/app/migrations/0002_new.py\n@@ -0,0 +1 @@\n+x = 1\n"
        "--- a/app/migrations/0003_old.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-y = 2\n-z = 3\n"
        "\\ No newline at end of file\n"
    )
    assert bool(changes) and not ChangeSet(tmp_path)


def test_merging(tmp_path: Path) -> None:
    first = ChangeSet(tmp_path).edit(Path("a.py"), "1\n", "2\n", "one").refuse("no")
    second = ChangeSet(tmp_path).edit(Path("a.py"), "2\n", "3\n", "two").create(Path("b.py"), "b\n", "new")
    merged = first | second
    assert merged.changes == (
        FileChange(tmp_path / "a.py", "1\n", "3\n", "one; two"),
        FileChange(tmp_path / "b.py", None, "b\n", "new"),
    )
    assert merged.refusals == (Refusal("no"),)
    assert (first | ChangeSet(tmp_path).edit(Path("a.py"), "2\n", "1\n", "back")).changes == ()
    with pytest.raises(ValueError, match="does not start from the text the first one leaves"):
        first.edit(Path("a.py"), "9\n", "3\n", "other")


def test_apply_then_nothing_left(tmp_path: Path) -> None:
    root = tmp_path / "project"
    paths = files(root)
    changes = edits(root, paths).create(root / "app/migrations/0009_new.py", "x = 1\n", "new")
    changes.apply()
    assert [p.read_text() for p in paths] == [NEW] * 3
    assert (root / "app/migrations/0009_new.py").read_text() == "x = 1\n"
    assert not journal_path(root).exists()
    assert [p.name for p in (root / "app/migrations").iterdir() if p.name.startswith(".")] == []
    before = snapshot(root)
    again = ChangeSet(root)
    for path in paths:  # recomputing from what is on disk now changes nothing
        again = again.edit(path, path.read_text(), NEW, "drop ('b', '2')")
    assert not again
    again.apply()
    assert snapshot(root) == before
    with pytest.raises(ChangeSetError) as stale:  # the same set twice: the files are not the planned ones now
        changes.apply()
    assert str(stale.value).startswith("4 files cannot be written, nothing was written: ")
    assert snapshot(root) == before


def test_delete_and_recreate(tmp_path: Path) -> None:
    (old,) = files(tmp_path, 1)
    ChangeSet(tmp_path).delete(old, OLD, "replaced by a squash").apply()
    assert not old.exists()
    ChangeSet(tmp_path).create(old, OLD, "back").apply()
    assert old.read_text() == OLD
    with pytest.raises(ChangeSetError) as exists:
        ChangeSet(tmp_path).create(old, NEW, "again").apply()
    assert str(exists.value) == f"{old}: exists already; nothing was written"


def test_mode_and_owner_kept(tmp_path: Path) -> None:
    executable, private = files(tmp_path, 2)
    executable.chmod(0o755)
    private.chmod(0o640)
    edits(tmp_path, [executable, private]).apply()
    assert stat.S_IMODE(executable.stat().st_mode) == 0o755
    assert stat.S_IMODE(private.stat().st_mode) == 0o640
    assert private.read_text() == NEW


def test_symlink_target_is_written(tmp_path: Path) -> None:
    (real,) = files(tmp_path / "elsewhere", 1)
    link = tmp_path / "app" / "0001_m.py"
    link.parent.mkdir()
    link.symlink_to(real)
    ChangeSet(tmp_path).edit(link, OLD, NEW, "drop b").apply()
    assert link.is_symlink() and link.readlink() == real
    assert real.read_text() == NEW
    ChangeSet(tmp_path).delete(link, NEW, "gone").apply()  # deleting removes the link, not its target
    assert not link.is_symlink() and real.read_text() == NEW


def test_read_only_file_among_several_changes_nothing(tmp_path: Path) -> None:
    paths = files(tmp_path, 4)
    paths[2].chmod(0o444)  # no write bit: refused even for root, who could write it anyway
    before = snapshot(tmp_path)
    with pytest.raises(ChangeSetError) as error:
        edits(tmp_path, paths).apply()
    assert str(error.value) == f"{paths[2]}: read-only; nothing was written"
    assert error.value.path == paths[2]
    assert error.value.exit_code == 2
    assert snapshot(tmp_path) == before
    assert not journal_path(tmp_path).exists()


def test_changed_between_plan_and_apply_is_refused(tmp_path: Path) -> None:
    paths = files(tmp_path, 3)
    changes = edits(tmp_path, paths)
    paths[1].write_text(OLD + "# edited\n")
    before = snapshot(tmp_path)
    with pytest.raises(ChangeSetError) as error:
        changes.apply()
    assert str(error.value) == f"{paths[1]}: changed on disk since the change was planned; nothing was written"
    assert snapshot(tmp_path) == before


def test_changed_during_apply_restores_the_written_ones(tmp_path: Path, hook) -> None:
    paths = files(tmp_path, 3)

    def edit_the_last(stage: str, path: Path) -> None:
        if stage == "written" and path == paths[0]:
            paths[2].write_text(OLD + "# edited meanwhile\n")

    hook(edit_the_last)
    with pytest.raises(ChangeSetError) as error:
        edits(tmp_path, paths).apply()
    assert str(error.value) == (
        f"{paths[2]}: changed on disk since the change was planned; "
        "the 2 file(s) already written were restored, nothing was changed"
    )
    assert [p.read_text() for p in paths] == [OLD, OLD, OLD + "# edited meanwhile\n"]
    assert not journal_path(tmp_path).exists()


def test_write_error_during_apply_restores(tmp_path: Path, hook) -> None:
    paths = files(tmp_path, 3)
    created = tmp_path / "app/migrations/0009_new.py"

    def disk_full(stage: str, path: Path) -> None:
        if stage == "write" and path == paths[2]:
            raise OSError(28, "No space left on device")

    hook(disk_full)
    changes = ChangeSet(tmp_path).create(created, "x = 1\n", "new") | edits(tmp_path, paths)
    with pytest.raises(ChangeSetError) as error:
        changes.apply()
    assert str(error.value) == (
        f"{paths[2]}: cannot write: No space left on device; "
        "the 3 file(s) already written were restored, nothing was changed"
    )
    assert [p.read_text() for p in paths] == [OLD] * 3
    assert not created.exists()


def test_sigterm_during_apply_restores_everything(tmp_path: Path, hook) -> None:
    paths = files(tmp_path, 8)
    deleted = tmp_path / "app/migrations/0000_gone.py"
    deleted.write_text("gone = True\n")
    before_handler = signal.getsignal(signal.SIGTERM)
    before = snapshot(tmp_path)

    def terminate(stage: str, path: Path) -> None:
        if stage == "written" and path == paths[1]:
            os.kill(os.getpid(), signal.SIGTERM)

    hook(terminate)
    changes = ChangeSet(tmp_path).delete(deleted, "gone = True\n", "replaced") | edits(tmp_path, paths)
    with pytest.raises(ChangeSetError) as error:
        changes.apply()
    assert str(error.value) == (
        "interrupted by SIGTERM while writing; the 3 file(s) already written were restored, nothing was changed"
    )
    assert error.value.exit_code == 128 + signal.SIGTERM
    assert snapshot(tmp_path) == before
    assert signal.getsignal(signal.SIGTERM) == before_handler


def test_sigint_during_apply_restores_everything(tmp_path: Path, hook) -> None:
    paths = files(tmp_path, 3)
    hook(lambda stage, path: os.kill(os.getpid(), signal.SIGINT) if stage == "journal" else None)
    with pytest.raises(ChangeSetError) as error:
        edits(tmp_path, paths).apply()
    assert str(error.value) == "interrupted by SIGINT while writing; nothing was changed"
    assert error.value.exit_code == 130
    assert [p.read_text() for p in paths] == [OLD] * 3


# A separate process applies a big change set and pauses at a chosen stage; the test SIGKILLs it there.
KILLED = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from squashkit.rewrite import changeset
    from squashkit.rewrite.changeset import ChangeSet

    root, stage, nth, marker = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    seen = []

    def pause(at, path):
        if at == stage:
            seen.append(path)
            if len(seen) == nth:
                marker.write_text(str(path))
                time.sleep(120)

    changeset._stage_hook = pause
    changes = ChangeSet(root)
    for path in sorted((root / "app" / "migrations").glob("*.py")):
        old = path.read_text()
        changes = changes.edit(path, old, old.replace("OLD", "NEW"), "rename")
    changes = changes.create(root / "app" / "migrations" / "0999_new.py", "NEW\\n" * 1000, "created")
    changes.apply()
    """
)


def killed_apply(root: Path, tmp_path: Path, stage: str, nth: int) -> None:
    marker = tmp_path / "paused"
    process = subprocess.Popen([sys.executable, "-c", KILLED, str(root), stage, str(nth), str(marker)])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert process.poll() is None, "the apply ended without pausing"
            assert time.monotonic() < deadline, "the apply never paused"
            time.sleep(0.02)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL


def big_project(root: Path, count: int = 40) -> dict[Path, str]:
    folder = root / "app" / "migrations"
    folder.mkdir(parents=True)
    texts = {}
    for i in range(count):
        path = folder / f"{i:04d}_m.py"
        texts[path] = f"# migration {i}\n" + "OLD = 'x' * 80\n" * 5000  # ~80 kB each
        path.write_text(texts[path])
    return texts


@pytest.mark.django  # a Python subprocess
@pytest.mark.parametrize(("stage", "nth"), [("written", 7), ("write", 12), ("journal", 1)])
def test_sigkill_during_apply_then_recover(tmp_path: Path, stage: str, nth: int) -> None:
    root = tmp_path / "project"
    texts = big_project(root)
    killed_apply(root, tmp_path, stage, nth)
    written = {p for p, text in texts.items() if p.read_text() != text}
    assert len(written) == {"written": nth, "write": nth - 1, "journal": 0}[stage]
    for path, text in texts.items():  # each file old or new, never truncated
        assert path.read_text() in (text, text.replace("OLD", "NEW"))
    assert journal_path(root).exists()
    with pytest.raises(ChangeSetError) as pending:  # nothing more is written before recovering
        ChangeSet(root).create(root / "x.py", "x\n", "new").apply()
    assert "an interrupted write of this project has not been recovered yet" in str(pending.value)
    message = recover(root)
    assert message is not None
    assert message.startswith(f"Rolled back an interrupted write to {root} (started ")
    if written:
        assert message.endswith(f"restored {len(written)} file(s): {', '.join(str(p) for p in sorted(written))}.")
    else:
        assert message.endswith("no file had been changed yet.")
    assert {p: p.read_text() for p in texts} == texts
    assert sorted(p.name for p in (root / "app" / "migrations").iterdir()) == sorted(p.name for p in texts)
    assert not journal_path(root).exists()
    assert recover(root) is None


@pytest.mark.django  # a Python subprocess
def test_recover_leaves_a_file_edited_since(tmp_path: Path) -> None:
    root = tmp_path / "project"
    texts = big_project(root, 5)
    killed_apply(root, tmp_path, "written", 3)
    paths = sorted(texts)
    paths[1].write_text("# edited by hand after the crash\n")
    message = recover(root)
    assert message is not None
    assert message.endswith(f"restored 2 file(s): {paths[0]}, {paths[2]}. Left as found (edited since): {paths[1]}.")
    assert paths[1].read_text() == "# edited by hand after the crash\n"
    assert [paths[i].read_text() for i in (0, 2, 3, 4)] == [texts[paths[i]] for i in (0, 2, 3, 4)]


def test_recover_restores_deleted_and_removes_created(tmp_path: Path, hook) -> None:
    (kept, deleted) = files(tmp_path, 2)
    created = tmp_path / "app/migrations/0003_new.py"
    journal = journal_path(tmp_path)

    def crash(stage: str, path: Path) -> None:  # keep the journal as a SIGKILL would: no rollback runs
        if stage == "written" and path == created:
            journal_copy.write_bytes(journal.read_bytes())

    journal_copy = tmp_path.parent / "journal-copy"
    hook(crash)
    ChangeSet(tmp_path).delete(deleted, OLD, "gone").create(created, "new\n", "new").apply()
    assert not deleted.exists() and created.exists()
    journal.write_bytes(journal_copy.read_bytes())
    message = recover(tmp_path)
    assert message is not None and message.endswith(f"restored 2 file(s): {deleted}, {created}.")
    assert deleted.read_text() == OLD and kept.read_text() == OLD and not created.exists()


def test_journal_inside_the_project_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (path,) = files(tmp_path, 1)
    monkeypatch.setenv("SQUASHKIT_CACHE_DIR", str(tmp_path / ".cache"))
    with pytest.raises(ChangeSetError) as error:
        edits(tmp_path, [path]).apply()
    assert str(error.value) == (
        f"{tmp_path}: the journal folder {tmp_path / '.cache' / 'journal'} is inside the project; "
        "set SQUASHKIT_CACHE_DIR to a folder outside it; nothing was written"
    )
    assert path.read_text() == OLD
