"""Rewrite results per file and the only function that writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from squashkit.graph.model import Dependency
from squashkit.rewrite.files import apply_results, refused, rewrite_file
from squashkit.rewrite.lists import RewriteError

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
    assert apply_results([result, refused(path, "applied in prod")]) == [path]
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
    with pytest.raises(RewriteError) as info:
        apply_results([result])
    assert info.value.message == f"changed on disk since the rewrite was computed, not written: {path}"
    assert rewrite_file(tmp_path / "missing.py", {}).status == "failed"
