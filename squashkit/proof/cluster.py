"""A throwaway PostgreSQL cluster: ``initdb`` and ``pg_ctl`` in a temporary folder, on a free local port.

``squashkit verify --local-postgres`` runs its PostgreSQL steps on one, so no server needs to exist; the test
suite and the benchmarks use the same code.  As root (``initdb`` refuses to run as root) the server runs as
the ``postgres`` user; otherwise as the current user.  Connections go over TCP to 127.0.0.1 with a random
password (scram-sha-256).  The cluster is stopped and its folder removed when the block ends::

    with running_cluster() as cluster:
        cluster.dsn()  # postgresql://postgres:<password>@127.0.0.1:<port>/postgres
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from squashkit.errors import SquashkitError

__all__ = ["PG_BIN_GLOB", "ClusterError", "PostgresCluster", "find_pg_bin", "running_cluster", "start_cluster"]

#: Where Debian and Ubuntu install the server binaries (``initdb`` and ``pg_ctl`` are not on PATH there).
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


class ClusterError(SquashkitError):
    """A throwaway PostgreSQL cluster could not be started."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"cannot start a throwaway PostgreSQL cluster: {reason}", reason=reason)
        self.reason = reason


def _version(directory: str) -> tuple[int, ...]:
    digits = Path(directory).parent.name
    return tuple(int(p) for p in digits.split(".") if p.isdigit())


def find_pg_bin() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: ``$SQUASHKIT_PG_BIN`` when set (and nothing else), else
    from PATH, else the newest of ``PG_BIN_GLOB``."""
    chosen = os.environ.get("SQUASHKIT_PG_BIN")
    if chosen:
        ok = (Path(chosen) / "initdb").is_file() and (Path(chosen) / "pg_ctl").is_file()
        return Path(chosen) if ok else None
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    for directory in sorted(glob.glob(PG_BIN_GLOB), key=_version, reverse=True):
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

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(a) for a in args]
        if self.as_user:
            cmd = ["runuser", "-u", self.as_user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=str(self.base))

    def stop(self) -> None:
        if self.datadir.exists():
            self._run(str(self.bin_dir / "pg_ctl"), "stop", "-D", str(self.datadir), "-m", "immediate", "-w")
        shutil.rmtree(self.base, ignore_errors=True)


def start_cluster(
    bin_dir: Path | None = None,
    *,
    attempts: int = 3,
    factory: Callable[..., PostgresCluster] = PostgresCluster,
) -> PostgresCluster:
    """``initdb`` a new cluster in a temporary folder and start it on a free port (``factory`` builds the
    cluster object: a subclass with more helpers); raises :class:`ClusterError` when that fails."""
    bin_dir = bin_dir or find_pg_bin()
    if bin_dir is None:
        chosen = os.environ.get("SQUASHKIT_PG_BIN")
        where = f"SQUASHKIT_PG_BIN ({chosen})" if chosen else f"PATH or {PG_BIN_GLOB}"
        raise ClusterError(f"no PostgreSQL server binaries (initdb, pg_ctl) in {where}")
    as_user = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise ClusterError("initdb refuses to run as root, and there is no 'postgres' user to run it") from None
        as_user = "postgres"
    # Not under a 0700 temporary folder: the postgres user must reach the data and socket folders.
    base = Path(tempfile.mkdtemp(prefix="squashkit-pg-"))
    os.chmod(base, 0o755)
    password = "pw-" + secrets.token_hex(8)
    cluster = factory(bin_dir, base, _free_port(), password, as_user=as_user)
    cluster.socket_dir.mkdir()
    pwfile = base / "pwfile"
    pwfile.write_text(password + "\n")
    if as_user:
        info = pwd.getpwnam(as_user)
        for path in (base, cluster.socket_dir, pwfile):
            os.chown(path, info.pw_uid, info.pw_gid)
    proc = cluster._run(
        str(bin_dir / "initdb"), "-D", str(cluster.datadir), "-U", cluster.user, "--pwfile", str(pwfile),
        "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync",
    )  # fmt: skip
    if proc.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        raise ClusterError(f"initdb failed: {proc.stderr.strip() or proc.stdout.strip()}")
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
            raise ClusterError(f"pg_ctl start failed: {proc.stderr.strip()}\n{log}".strip())
        cluster.port = _free_port()  # the port was taken meanwhile (another process): try another
        time.sleep(0.2)
    return cluster


@contextlib.contextmanager
def running_cluster(factory: Callable[..., PostgresCluster] = PostgresCluster) -> Iterator[PostgresCluster]:
    """A started cluster (:func:`start_cluster`), stopped and removed when the block ends."""
    cluster = start_cluster(factory=factory)
    try:
        yield cluster
    finally:
        cluster.stop()
