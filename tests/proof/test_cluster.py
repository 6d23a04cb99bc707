"""The throwaway PostgreSQL cluster behind ``verify --local-postgres``, the test fixtures and the benchmarks."""

from __future__ import annotations

from pathlib import Path

import pytest

from squashkit.errors import SquashkitError
from squashkit.proof.cluster import ClusterError, find_pg_bin, running_cluster, start_cluster


def test_squashkit_pg_bin_is_used_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder without initdb is not replaced by another one found on PATH."""
    (tmp_path / "initdb").write_text("")
    monkeypatch.setenv("SQUASHKIT_PG_BIN", str(tmp_path))
    assert find_pg_bin() is None
    (tmp_path / "pg_ctl").write_text("")
    assert find_pg_bin() == tmp_path


def test_no_binaries_is_a_squashkit_error_naming_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SQUASHKIT_PG_BIN", str(tmp_path))
    with pytest.raises(ClusterError) as caught:
        start_cluster()
    assert isinstance(caught.value, SquashkitError)
    assert str(caught.value) == (
        "cannot start a throwaway PostgreSQL cluster: no PostgreSQL server binaries (initdb, pg_ctl) in "
        f"SQUASHKIT_PG_BIN ({tmp_path})"
    )


@pytest.mark.postgres
def test_a_running_cluster_takes_connections_and_is_removed_afterwards(pg_cluster) -> None:
    with running_cluster() as cluster:
        assert cluster.execute("postgres", "SELECT current_user") == [("postgres",)]
        cluster.create_database("scratch")
        assert cluster.execute("scratch", "SELECT current_database()") == [("scratch",)]
        base = cluster.base
        assert (base / "data" / "PG_VERSION").exists()
    assert not base.exists()


@pytest.mark.postgres
def test_a_cluster_started_by_a_user_who_is_not_root(tmp_path: Path, pg_cluster) -> None:
    """As root the cluster runs as ``postgres`` through ``runuser``; elsewhere (a CI runner, a laptop) it runs as
    the current user.  Here that second path runs for real: the module started by the ``postgres`` user with
    the system Python (only the standard library is needed to start a cluster)."""
    import os
    import shutil
    import subprocess

    python = shutil.which("python3", path="/usr/bin:/bin")
    if os.geteuid() != 0 or not shutil.which("runuser") or python is None:
        pytest.skip("needs root (to become another user), runuser and a system python3; the fixture covers it")
    repo = Path(__file__).resolve().parents[2]
    script = (
        "import subprocess, sys\n"
        f"sys.path.insert(0, {str(repo)!r})\n"
        "from squashkit.proof.cluster import running_cluster\n"
        "with running_cluster() as c:\n"
        "    psql = [str(c.bin_dir / 'psql'), '-h', c.host, '-p', str(c.port), '-U', c.user, '-tAc', 'SELECT 1']\n"
        "    out = subprocess.run(psql, env={'PGPASSWORD': c.password}, capture_output=True, text=True).stdout\n"
        "    print(c.as_user, out.strip(), c.base)\n"
    )
    proc = subprocess.run(
        ["runuser", "-u", "postgres", "--", python, "-c", script], capture_output=True, text=True, cwd="/tmp"
    )
    assert proc.returncode == 0, proc.stderr
    as_user, answer, base = proc.stdout.split()
    assert (as_user, answer) == ("None", "1")
    assert not Path(base).exists()
