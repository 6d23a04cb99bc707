"""The on-disk cache of parsed migration records (squashkit.graph.cache) as used by load_static."""

from __future__ import annotations

import os
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from squashkit.graph import cache as cache_module
from squashkit.graph import static
from squashkit.graph.cache import PRUNE_AFTER_DAYS, MigrationCache, default_cache_dir
from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static
from tests.graph.helpers import FIXTURES, make_app, write_migration

FK = (
    "migrations.AddField(model_name='order', name='customer',"
    " field=models.ForeignKey(on_delete=models.CASCADE, to={to!r}))"
)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("SQUASHKIT_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[MigrationKey]:
    """Keys of the files actually parsed (cache misses), in order."""
    calls: list[MigrationKey] = []
    original = static.parse_migration

    def counting(path: Path, key: MigrationKey, settings: dict[str, str]):  # type: ignore[no-untyped-def]
        calls.append(key)
        return original(path, key, settings)

    monkeypatch.setattr(static, "parse_migration", counting)
    return calls


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    crm = make_app(root, "crm")
    write_migration(crm, "0001_initial", operations=["migrations.CreateModel(name='Customer', fields=[])"])
    write_migration(crm, "0002_more", dependencies=[("crm", "0001_initial")])
    sales = make_app(root, "sales")
    write_migration(
        sales,
        "0001_initial",
        dependencies=[("crm", "0002_more"), "migrations.swappable_dependency(settings.AUTH_USER_MODEL)"],
        operations=[
            "migrations.CreateModel(name='Order', fields=[])",
            FK.format(to="crm.customer"),
            "migrations.RunPython(forwards)",
        ],
    )
    (sales / "migrations" / "0002_broken.py").write_text("from django.db import migrations\n\nclass Migration(:\n")
    return root


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if "__pycache__" not in p.parts}


def bump(path: Path, text: str | None = None, *, ns: int = 10**9) -> None:
    """Rewrite ``path`` (same content by default) and move its mtime forward by ``ns``."""
    st = path.stat()
    path.write_text(text if text is not None else path.read_text())
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + ns))


def test_second_load_is_all_hits_and_equal(project_dir: Path, cache_dir: Path, parsed: list[MigrationKey]) -> None:
    first = load_static(project_dir)
    assert len(parsed) == 4
    assert len(list(cache_dir.iterdir())) == 1
    parsed.clear()
    second = load_static(project_dir)
    assert parsed == []
    uncached = load_static(project_dir, cache=False)
    assert first == second == uncached
    # the broken file is reported from the cache too
    assert [p.code for p in second.problems] == ["syntax"]
    assert second.problems == uncached.problems


@pytest.mark.parametrize("project", ["sample_project", "fixtures"])
def test_cached_project_equals_parsed_project(project: str, cache_dir: Path, parsed: list[MigrationKey]) -> None:
    roots = (
        [Path(__file__).resolve().parents[2] / "sample_project"]
        if project == "sample_project"
        else sorted(p for p in FIXTURES.iterdir() if p.is_dir() and any(p.rglob("migrations/__init__.py")))
    )
    for root in roots:
        parsed.clear()
        uncached = load_static(root, cache=False)
        load_static(root)  # fills the cache
        parsed.clear()
        cached = load_static(root)
        assert parsed == [], root
        assert cached == uncached, root
        assert list(cached.migrations) == list(uncached.migrations)
        assert cached.problems == uncached.problems


def test_change_of_content_mtime_or_size_is_a_miss(
    project_dir: Path, cache_dir: Path, parsed: list[MigrationKey]
) -> None:
    load_static(project_dir)
    target = project_dir / "crm" / "migrations" / "0002_more.py"
    key = MigrationKey("crm", "0002_more")

    # same content, new mtime
    parsed.clear()
    bump(target)
    load_static(project_dir)
    assert parsed == [key]

    # new content of the same size (and a new mtime): the new dependency is seen
    parsed.clear()
    text = target.read_text()
    assert "0001_initial" in text
    bump(target, text.replace("('crm', '0001_initial')", "('crm', '0001_initiaX')"))
    project = load_static(project_dir)
    assert parsed == [key]
    assert project.migrations[key].dependency_keys == (MigrationKey("crm", "0001_initiaX"),)
    assert project == load_static(project_dir, cache=False)

    # new size, mtime put back where it was: still a miss
    parsed.clear()
    before = target.stat()
    target.write_text(target.read_text() + "\n# grown\n")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    load_static(project_dir)
    assert parsed == [key]

    # nothing changed: no parse
    parsed.clear()
    load_static(project_dir)
    assert parsed == []


def test_same_size_and_mtime_rewrite_is_noticed(project_dir: Path, cache_dir: Path, parsed: list[MigrationKey]) -> None:
    """A rewrite that keeps size and restores the mtime still changes the inode change time."""
    load_static(project_dir)
    target = project_dir / "crm" / "migrations" / "0002_more.py"
    before = target.stat()
    text = target.read_text().replace("0001_initial", "0001_initiaY")
    target.write_text(text)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    parsed.clear()
    project = load_static(project_dir)
    if before.st_ctime_ns == target.stat().st_ctime_ns:  # pragma: no cover - coarse ctime on this filesystem
        pytest.skip("the filesystem did not move the inode change time")
    assert parsed == [MigrationKey("crm", "0002_more")]
    assert project == load_static(project_dir, cache=False)


def test_other_swappable_settings_invalidate(project_dir: Path, cache_dir: Path, parsed: list[MigrationKey]) -> None:
    first = load_static(project_dir)
    sales = MigrationKey("sales", "0001_initial")
    assert first.migrations[sales].dependencies[1].key == MigrationKey("auth", "__first__")
    (project_dir / "settings.py").write_text("AUTH_USER_MODEL = 'crm.Customer'\n")
    parsed.clear()
    second = load_static(project_dir)
    assert len(parsed) == 4  # everything parsed again
    assert second.migrations[sales].dependencies[1].key == MigrationKey("crm", "__first__")
    assert second == load_static(project_dir, cache=False)
    parsed.clear()
    assert load_static(project_dir) == second
    assert parsed == []


def test_new_and_deleted_files(project_dir: Path, cache_dir: Path, parsed: list[MigrationKey]) -> None:
    load_static(project_dir)
    crm = project_dir / "crm"
    write_migration(crm, "0003_new", dependencies=[("crm", "0002_more")])
    (crm / "migrations" / "0002_more.py").unlink()
    parsed.clear()
    project = load_static(project_dir)
    assert parsed == [MigrationKey("crm", "0003_new")]
    assert MigrationKey("crm", "0002_more") not in project.migrations
    assert project == load_static(project_dir, cache=False)


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not marshal at all", b"\x00" * 100, None],
    ids=["empty", "text", "zeros", "truncated"],
)
def test_corrupt_cache_file_is_ignored_and_rebuilt(
    project_dir: Path, cache_dir: Path, parsed: list[MigrationKey], garbage: bytes | None
) -> None:
    expected = load_static(project_dir, cache=False)
    load_static(project_dir)
    (cache_file,) = cache_dir.iterdir()
    data = cache_file.read_bytes()
    cache_file.write_bytes(garbage if garbage is not None else data[: len(data) // 2])
    parsed.clear()
    assert load_static(project_dir) == expected
    assert len(parsed) == 4
    parsed.clear()
    assert load_static(project_dir) == expected  # rebuilt
    assert parsed == []


def test_incompatible_cache_is_ignored(
    project_dir: Path, cache_dir: Path, parsed: list[MigrationKey], monkeypatch: pytest.MonkeyPatch
) -> None:
    load_static(project_dir)
    monkeypatch.setattr(cache_module, "CACHE_FORMAT", cache_module.CACHE_FORMAT + 1)
    parsed.clear()
    assert load_static(project_dir) == load_static(project_dir, cache=False)
    assert len(parsed) == 4 + 4  # the cached load and the uncached one both parsed everything

    # a well-formed file with the right header but malformed entries: each is a miss, never a wrong record
    import marshal

    (cache_file,) = cache_dir.iterdir()
    header, entries = marshal.loads(cache_file.read_bytes())
    cache_file.write_bytes(marshal.dumps((header, {k: (v[0], ("bad",), ()) for k, v in entries.items()})))
    parsed.clear()
    assert load_static(project_dir) == load_static(project_dir, cache=False)
    assert len(parsed) == 8


def test_unwritable_cache_dir_still_works(
    project_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parsed: list[MigrationKey]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.access(locked, os.W_OK):  # root ignores the mode: refuse the temporary file instead

        def refuse(*_args: object, **_kwargs: object) -> None:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    try:
        monkeypatch.setenv("SQUASHKIT_CACHE_DIR", str(locked))
        expected = load_static(project_dir, cache=False)
        parsed.clear()
        assert load_static(project_dir) == expected
        assert load_static(project_dir) == expected
        assert len(parsed) == 8  # nothing could be cached
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(stat.S_IRWXU)


def test_cache_dir_that_is_a_file_still_works(
    project_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parsed: list[MigrationKey]
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("SQUASHKIT_CACHE_DIR", str(blocker / "squashkit"))
    assert load_static(project_dir) == load_static(project_dir, cache=False)
    assert load_static(project_dir) == load_static(project_dir, cache=False)
    assert blocker.read_text().startswith("a file")


def test_failed_write_leaves_no_temporary_file(
    project_dir: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(cache_module.os, "replace", fail)
    assert load_static(project_dir) == load_static(project_dir, cache=False)
    assert list(cache_dir.iterdir()) == []


def test_nothing_is_written_under_the_project(
    project_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parsed: list[MigrationKey]
) -> None:
    before = files_under(project_dir)
    monkeypatch.setenv("SQUASHKIT_CACHE_DIR", str(tmp_path / "cache"))
    load_static(project_dir)
    load_static(project_dir)
    assert files_under(project_dir) == before
    assert len(list((tmp_path / "cache").iterdir())) == 1

    # a cache directory inside the project is refused: nothing written, every file parsed
    monkeypatch.setenv("SQUASHKIT_CACHE_DIR", str(project_dir / ".cache"))
    parsed.clear()
    load_static(project_dir)
    load_static(project_dir)
    assert len(parsed) == 8
    assert files_under(project_dir) == before

    # explicit directory argument, same rule
    parsed.clear()
    load_static(project_dir, cache=project_dir / "crm")
    assert files_under(project_dir) == before


def test_explicit_directory_and_disabled_cache(project_dir: Path, tmp_path: Path, cache_dir: Path) -> None:
    explicit = tmp_path / "explicit"
    load_static(project_dir, cache=explicit)
    assert len(list(explicit.iterdir())) == 1
    load_static(project_dir, cache=False)
    assert not cache_dir.exists()


def test_one_cache_file_per_root(project_dir: Path, tmp_path: Path, cache_dir: Path) -> None:
    other = tmp_path / "other"
    write_migration(make_app(other, "crm"), "0001_initial")
    load_static(project_dir)
    load_static(other)
    load_static(project_dir)
    names = sorted(p.name for p in cache_dir.iterdir())
    assert len(names) == 2
    assert all(p.suffix == ".marshal" for p in cache_dir.iterdir())


def test_unused_cache_files_and_stale_temporaries_are_pruned(project_dir: Path, cache_dir: Path) -> None:
    """A CI machine analysing a fresh temporary checkout every run must not collect cache files forever."""
    cache_dir.mkdir()
    day = 86400
    now = time.time()

    def aged(name: str, days: float) -> Path:
        path = cache_dir / name
        path.write_bytes(b"x")
        os.utime(path, (now - days * day, now - days * day))
        return path

    old = aged("0" * 32 + ".marshal", PRUNE_AFTER_DAYS + 1)
    recent = aged("1" * 32 + ".marshal", PRUNE_AFTER_DAYS - 1)
    stale_tmp = aged(".2222.marshal.abc.tmp", 2)
    fresh_tmp = aged(".3333.marshal.def.tmp", 0.5)
    foreign = aged("notes.txt", 400)
    load_static(project_dir)  # writes its own cache file, then prunes
    left = {p.name for p in cache_dir.iterdir()}
    assert old.name not in left and stale_tmp.name not in left
    assert {recent.name, fresh_tmp.name, foreign.name} <= left
    assert len(left) == 4  # and the new cache file


def test_a_cache_in_use_is_not_pruned(project_dir: Path, cache_dir: Path, parsed: list[MigrationKey]) -> None:
    """Loading an unchanged project writes nothing, but marks its cache file used (once a day)."""
    load_static(project_dir)
    (own,) = cache_dir.iterdir()
    long_ago = time.time() - (PRUNE_AFTER_DAYS + 5) * 86400
    os.utime(own, (long_ago, long_ago))
    parsed.clear()
    load_static(project_dir)
    assert parsed == []  # still a hit: the cache was read, not rewritten
    assert time.time() - own.stat().st_mtime < 60
    other = cache_dir.parent / "other"
    write_migration(make_app(other, "crm"), "0001_initial")
    load_static(other)  # writes another cache file and prunes
    assert own.exists()


def test_partial_load_keeps_other_apps_entries(project_dir: Path, cache_dir: Path, parsed: list[MigrationKey]) -> None:
    load_static(project_dir)
    parsed.clear()
    only = load_static(project_dir, apps=["crm"])
    assert parsed == []
    assert set(only.apps) == {"crm"}
    assert only == load_static(project_dir, apps=["crm"], cache=False)
    parsed.clear()
    load_static(project_dir)
    assert parsed == []


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SQUASHKIT_CACHE_DIR", str(tmp_path / "a"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "a"
    monkeypatch.delenv("SQUASHKIT_CACHE_DIR")
    assert default_cache_dir() == tmp_path / "xdg" / "squashkit"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "squashkit"


def test_cache_file_name_is_a_hash_of_the_root(tmp_path: Path) -> None:
    one = MigrationCache(tmp_path / "a", {}, tmp_path / "c")
    two = MigrationCache(tmp_path / "b", {}, tmp_path / "c")
    assert one.path.parent == two.path.parent == tmp_path / "c"
    assert one.path.name != two.path.name
    assert str(tmp_path) not in one.path.name


def test_cli_no_cache_option(
    project_dir: Path, cache_dir: Path, run_cli: Callable[..., object], parsed: list[MigrationKey]
) -> None:
    result = run_cli("analyze", project_dir, "--format", "json", "--no-cache")
    assert result.exit_code == 0, result  # type: ignore[attr-defined]
    assert not cache_dir.exists()
    cold = run_cli("analyze", project_dir, "--format", "json")
    assert cache_dir.exists()
    parsed.clear()
    warm = run_cli("analyze", project_dir, "--format", "json")
    assert parsed == []
    assert result.stdout == cold.stdout == warm.stdout  # type: ignore[attr-defined]
