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
