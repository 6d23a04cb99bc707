"""``squashkit._where``: the project file and line of an error raised while Django loads the project."""

from __future__ import annotations

from pathlib import Path

from squashkit._where import exception_where, traceback_where


def test_syntax_error_names_its_own_file(tmp_path: Path) -> None:
    exc = SyntaxError("invalid syntax", (str(tmp_path / "app" / "migrations" / "0002_x.py"), 7, 1, "x"))
    assert exception_where(exc, tmp_path) == " (at app/migrations/0002_x.py:7)"


def test_innermost_project_frame_of_a_traceback(tmp_path: Path) -> None:
    text = (
        "Traceback (most recent call last):\n"
        '  File "/usr/lib/python3.11/site-packages/django/db/migrations/loader.py", line 120, in load_disk\n'
        f'  File "{tmp_path}/shop/migrations/0003_y.py", line 4, in <module>\n'
        '  File "/usr/lib/python3.11/importlib/__init__.py", line 126, in import_module\n'
        "ModuleNotFoundError: No module named 'nope'\n"
    )
    assert traceback_where(text, tmp_path) == " (at shop/migrations/0003_y.py:4)"
    assert traceback_where("RuntimeError: no frames\n", tmp_path) == ""
