"""Rewrite results per file (written through a change set)."""

from __future__ import annotations

from pathlib import Path

import pytest

from squashkit.graph.model import Dependency
from squashkit.rewrite.changeset import ChangeSet, ChangeSetError
from squashkit.rewrite.files import rewrite_file

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
