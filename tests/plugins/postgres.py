"""A throwaway PostgreSQL cluster for tests (and benchmarks): initdb + pg_ctl in a temp dir.

Fixtures:

* ``pg_cluster`` (session): a running cluster, or a skip when no PostgreSQL binaries are installed.  Each
  pytest-xdist worker starts its own.  As root, initdb/pg_ctl/postgres run as the ``postgres`` user.
* ``pg_database``: a fresh, empty database in that cluster; yields its name.

The cluster object: ``host``, ``port``, ``user``, ``password``, ``dsn(dbname)``, ``create_database(name)``,
``drop_database(name)``, ``execute(dbname, sql)``, ``django_env(dbname)`` (``SAMPLE_DB_*`` variables for
``manage.py migrate``).  Connections use TCP on 127.0.0.1 with a password (scram-sha-256), so a wrong
password is refused for real.

Outside pytest: ``with running_cluster() as cluster: ...``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

__all__ = ["PostgresCluster", "find_pg_bin", "running_cluster", "start_cluster"]

PG_BIN_DIRS = ("/usr/lib/postgresql/15/bin",)


def find_pg_bin() -> Path | None:
    """The directory holding initdb and pg_ctl: from PATH first, then the Debian location."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    for directory in PG_BIN_DIRS:
        if (Path(directory) / "initdb").is_file() and (Path(directory) / "pg_ctl").is_file():
            return Path(directory)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresCluster:
    bin_dir: Path
    base: Path
    port: int
    password: str
    user: str = "postgres"
    host: str = "127.0.0.1"
    as_user: str | None = None
    _databases: list[str] = field(default_factory=list)

    @property
    def datadir(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "socket"

    def dsn(self, dbname: str = "postgres", *, password: str | None = None) -> str:
        pw = self.password if password is None else password
        return f"postgresql://{self.user}:{pw}@{self.host}:{self.port}/{dbname}"

    def conninfo(self, dbname: str = "postgres") -> str:
        return f"host={self.host} port={self.port} user={self.user} password={self.password} dbname={dbname}"

    def connect(self, dbname: str = "postgres", **kwargs: Any) -> Any:
        import psycopg

        return psycopg.connect(self.conninfo(dbname), autocommit=True, **kwargs)

    def execute(self, dbname: str, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        with self.connect(dbname) as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return list(cur.fetchall()) if cur.description else []

    def create_database(self, name: str) -> str:
        """Create an empty database; returns its DSN."""
        self.execute("postgres", f'CREATE DATABASE "{name}"')
        self._databases.append(name)
        return self.dsn(name)

    def drop_database(self, name: str) -> None:
        self.execute("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

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

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(a) for a in args]
        if self.as_user:
            cmd = ["runuser", "-u", self.as_user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=str(self.base))

    def stop(self) -> None:
        if self.datadir.exists():
            self._run(str(self.bin_dir / "pg_ctl"), "stop", "-D", str(self.datadir), "-m", "immediate", "-w")
        shutil.rmtree(self.base, ignore_errors=True)


def start_cluster(bin_dir: Path | None = None, *, attempts: int = 3) -> PostgresCluster:
    """initdb a new cluster in a temp dir and start it on a free port; raises RuntimeError on failure."""
    bin_dir = bin_dir or find_pg_bin()
    if bin_dir is None:
        raise FileNotFoundError("no PostgreSQL binaries (initdb, pg_ctl) on PATH or in " + ", ".join(PG_BIN_DIRS))
    as_user = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError as exc:
            raise RuntimeError("running as root needs a 'postgres' user to run the server") from exc
        as_user = "postgres"
    # Not under pytest's 0700 base temp dir: the postgres user must reach the data and socket dirs.
    base = Path(tempfile.mkdtemp(prefix="squashkit-pg-"))
    os.chmod(base, 0o755)
    password = "pw-" + secrets.token_hex(8)
    cluster = PostgresCluster(bin_dir, base, _free_port(), password, as_user=as_user)
    cluster.socket_dir.mkdir()
    pwfile = base / "pwfile"
    pwfile.write_text(password + "\n")
    if as_user:
        info = pwd.getpwnam(as_user)
        for path in (base, cluster.socket_dir, pwfile):
            os.chown(path, info.pw_uid, info.pw_gid)
    proc = cluster._run(
        str(bin_dir / "initdb"),
        "-D",
        str(cluster.datadir),
        "-U",
        cluster.user,
        "--pwfile",
        str(pwfile),
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    )
    if proc.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {proc.stderr.strip() or proc.stdout.strip()}")
    for attempt in range(attempts):
        opts = (
            f"-p {cluster.port} -k {cluster.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
            " -c max_locks_per_transaction=256 -c shared_buffers=64MB"
        )
        proc = cluster._run(
            str(bin_dir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(cluster.datadir),
            "-l", str(base / "server.log"), "-o", opts,
        )  # fmt: skip
        if proc.returncode == 0:
            break
        if attempt == attempts - 1:
            log = (base / "server.log").read_text(errors="replace")[-2000:] if (base / "server.log").exists() else ""
            cluster.stop()
            raise RuntimeError(f"pg_ctl start failed: {proc.stderr.strip()}\n{log}")
        cluster.port = _free_port()  # the port was taken meanwhile (another worker): try another
        time.sleep(0.2)
    return cluster


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
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found on PATH nor in " + ", ".join(PG_BIN_DIRS))
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
