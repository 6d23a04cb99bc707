"""A throwaway PostgreSQL cluster for tests (and benchmarks): :mod:`squashkit.proof.cluster` with fixtures.

Fixtures:

* ``pg_cluster`` (session): a running cluster, or a skip when no PostgreSQL binaries are installed.  Each
  pytest-xdist worker starts its own.  As root, initdb/pg_ctl/postgres run as the ``postgres`` user.
* ``pg_database``: a fresh, empty database in that cluster; yields its name.

The cluster object: ``host``, ``port``, ``user``, ``password``, ``dsn(dbname)``, ``create_database(name)``,
``drop_database(name)``, ``execute(dbname, sql)``, and here ``django_env(dbname)`` (``SAMPLE_DB_*`` variables
for ``manage.py migrate``).  Connections use TCP on 127.0.0.1 with a password (scram-sha-256), so a wrong
password is refused for real.

Outside pytest: ``with running_cluster() as cluster: ...``.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

import pytest

from squashkit.proof import cluster as _cluster
from squashkit.proof.cluster import PG_BIN_GLOB, find_pg_bin

__all__ = ["PostgresCluster", "find_pg_bin", "running_cluster", "start_cluster"]


class PostgresCluster(_cluster.PostgresCluster):
    def django_env(self, dbname: str) -> dict[str, str]:
        """``SAMPLE_DB_*`` variables for a project whose settings read them."""
        return {
            "SAMPLE_DB_ENGINE": "django.db.backends.postgresql",
            "SAMPLE_DB_NAME": dbname,
            "SAMPLE_DB_HOST": self.host,
            "SAMPLE_DB_PORT": str(self.port),
            "SAMPLE_DB_USER": self.user,
            "SAMPLE_DB_PASSWORD": self.password,
        }


def start_cluster() -> PostgresCluster:
    started = _cluster.start_cluster(factory=PostgresCluster)
    assert isinstance(started, PostgresCluster)
    return started


@contextlib.contextmanager
def running_cluster() -> Iterator[PostgresCluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    if find_pg_bin() is None:
        pytest.skip(f"PostgreSQL binaries (initdb, pg_ctl) not found on PATH nor in {PG_BIN_GLOB}")
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_database(pg_cluster: PostgresCluster, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh empty database named after the test; dropped afterwards."""
    name = "t_" + secrets.token_hex(6)
    pg_cluster.create_database(name)
    try:
        yield name
    finally:
        pg_cluster.drop_database(name)
