"""Rewrite results per file (written through a change set)."""

from __future__ import annotations

from pathlib import Path

import pytest

from squashkit.graph.model import Dependency
from squashkit.rewrite.changeset import ChangeSet, ChangeSetError
from squashkit.rewrite.files import refused, rewrite_file

SOURCE = "class Migration:\n    dependencies = [\n        ('a', '1'),\n        ('b', '2'),\n    ]\n"


def test_rewrite_file_and_apply(tmp_path: Path) -> None:
    path = tmp_path / "0002_x.py"
    path.write_text(SOURCE)
    result = rewrite_file(path, {"dependencies": [Dependency.of("a", "1")]})
    assert result.status == "changed"
    assert path.read_text() == SOURCE  # nothing written yet
    assert result.diff(tmp_path) == (
        "--- a/0002_x.py\n+++ b/0002_x.py\n@@ -1,5 +1,4 @@\n class Migration:\n     dependencies = [\n"
        "         ('a', '1'),\n-        ('b', '2'),\n     ]\n"
    )
    ChangeSet(tmp_path).edit(path, result.before, result.after, "drop b").apply()
    assert path.read_text() == result.after
    assert rewrite_file(path, {"dependencies": [Dependency.of("a", "1")]}).status == "unchanged"


def test_failed_and_stale(tmp_path: Path) -> None:
    path = tmp_path / "0002_x.py"
    path.write_text("class Migration:\n    dependencies = BASE\n")
    failed = rewrite_file(path, {"dependencies": []})
    assert (failed.status, failed.reason) == ("failed", "dependencies is not a literal list; not rewritten")
    path.write_text(SOURCE)
    result = rewrite_file(path, {"dependencies": []})
    path.write_text(SOURCE + "# edited\n")
    with pytest.raises(ChangeSetError) as info:
        ChangeSet(tmp_path).edit(path, result.before, result.after, "drop all").apply()
    assert info.value.message == f"{path}: changed on disk since the change was planned; nothing was written"
    assert rewrite_file(tmp_path / "missing.py", {}).status == "failed"


# -- found by a mutation run (mutmut over graph, deps, rewrite and history) --------------------------------


def test_results_carry_path_status_reason_and_texts(tmp_path: Path) -> None:
    path = tmp_path / "0002_x.py"
    path.write_text(SOURCE)
    assert refused(path, "applied in prod") == type(refused(path, ""))(path, "refused", "applied in prod")
    changed = rewrite_file(path, {"dependencies": [Dependency.of("a", "1")]})
    assert (changed.path, changed.reason, changed.before) == (path, "", SOURCE)
    assert changed.diff(Path("/elsewhere")).startswith(f"--- a/{path.as_posix()}\n")  # outside root: as given
    assert changed.diff() == changed.diff(Path("/elsewhere"))
    unchanged = rewrite_file(path, {"dependencies": [Dependency.of("a", "1"), Dependency.of("b", "2")]})
    assert (unchanged.status, unchanged.reason, unchanged.diff()) == ("unchanged", "", "")
    path.write_text("class Migration:\n    dependencies = BASE\n")
    failed = rewrite_file(path, {"dependencies": []})
    assert (failed.path, failed.before, failed.after) == (path, path.read_text(), path.read_text())
    missing = rewrite_file(tmp_path / "missing.py", {})
    assert (missing.path, missing.reason.startswith("cannot read: ")) == (tmp_path / "missing.py", True)


def test_swappable_and_expected_are_passed_to_the_rewriter(tmp_path: Path) -> None:
    path = tmp_path / "0002_x.py"
    path.write_text(SOURCE)
    expected = {"dependencies": [Dependency.of("a", "9")]}  # not what the file holds: refused
    failed = rewrite_file(path, {"dependencies": [Dependency.of("a", "1")]}, expected=expected)
    assert failed.status == "failed"


def test_settings_resolve_swappable_entries(tmp_path: Path) -> None:
    """``settings`` reach the rewriter: a swappable entry is matched by the model the setting names."""
    from squashkit.graph.model import DependencyForm, MigrationKey

    path = tmp_path / "0002_x.py"
    path.write_text(
        "class Migration:\n    dependencies = [\n        migrations.swappable_dependency(settings.AUTH_USER_MODEL),\n"
        "        ('a', '1'),\n    ]\n"
    )
    user = Dependency(MigrationKey("accounts", "__first__"), DependencyForm.SWAPPABLE)
    result = rewrite_file(path, {"dependencies": [user]}, settings={"AUTH_USER_MODEL": "accounts.User"})
    assert result.status == "changed", result.reason
    assert "swappable_dependency(settings.AUTH_USER_MODEL)" in result.after
    assert "('a', '1')" not in result.after
