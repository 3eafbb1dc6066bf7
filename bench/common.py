"""What every benchmark shares: its options, its own database, timing helpers, result records.

Each benchmark module (bench/ledger.py, surplus.py, surveillance.py, reports.py, verify.py,
documents.py) stays runnable on its own (`python -m bench.surplus --smoke`); its main() is

    parser = argparse.ArgumentParser(...)
    common.add_arguments(parser, DEFAULT_DATABASE)   # --smoke, --database, --json, --drop
    args = parser.parse_args(argv); common.check_arguments(parser, args)
    with common.BenchDatabase(args.database, drop=args.drop) as bench:  # created, migrated
        ... measure, with Django set up against bench.url ...
    common.write_json(args.json, figures)

`python -m bench` (bench/runner.py) runs them all, each in its own process and database, reads
their JSON and prints one table against the goals of issue 20.

A benchmark never touches development or test data: it drops and recreates its own database
(its name must contain `bench`) on the PostgreSQL server the settings name (DATABASE_URL, or the
embedded server of a first run), migrates it, and runs Django against it with production
settings (DEBUG off). With STOCKPILE_BENCH_TEMPLATE set (the runner does), the database is
copied from that already migrated template instead of being migrated again.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import time
import warnings
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE_VARIABLE = "STOCKPILE_BENCH_TEMPLATE"


def say(message: str = "") -> None:
    print(message, flush=True)


# --- Options ------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser, default_database: str) -> None:
    """The options every benchmark takes: --smoke, --database, --json, --drop."""
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes: a check that it all runs (CI)"
    )
    parser.add_argument(
        "--database",
        default=default_database,
        help=f"the benchmark's own database, dropped and recreated (default {default_database})",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument(
        "--drop", action="store_true", help="drop the benchmark database at the end"
    )


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if "bench" not in args.database:
        parser.error("--database must contain 'bench': it is dropped and recreated")


def apply_sizes(parser, args, sizes, names) -> None:
    """Copy the size options given (--name N, N >= 1) onto the `sizes` dataclass."""
    for name in names:
        value = getattr(args, name.replace("-", "_"))
        if value is not None:
            if value < 1:
                parser.error(f"--{name} must be 1 or more")
            setattr(sizes, name.replace("-", "_"), value)


# --- The benchmark's own database ---------------------------------------------------------------


def base_database_url() -> str:
    """The database the settings would use: DATABASE_URL, or the embedded server's."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    sys.path.insert(0, str(BASE_DIR))
    from core import embedded  # does not import Django

    return embedded.postgres_url()


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(base_url: str, name: str, template: str | None = None) -> None:
    if urlsplit(base_url).path.strip("/") == name:
        raise SystemExit(f"Refusing to use {name}: it is the project's own database.")
    with psycopg.connect(with_database(base_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(base_url: str, name: str) -> None:
    with psycopg.connect(with_database(base_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_environment(url: str) -> dict[str, str]:
    """Production-like settings for this process and the HTTP server it starts."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="stockpile.settings",
    )
    env.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(40))
    # Production settings serve collected static files; the benchmark requests none of them.
    env["PYTHONWARNINGS"] = "ignore:No directory at:UserWarning"
    if not env.get("REDIS_URL"):
        env["STOCKPILE_EMBEDDED"] = "1"  # the embedded Redis of a first run
    env.pop("PYTEST_VERSION", None)
    return env


class BenchDatabase:
    """The benchmark's database, (re)created and migrated, with Django set up against it.

    On entry: production-like environment (bench_environment, plus `extra_env`), the database
    dropped and recreated (from STOCKPILE_BENCH_TEMPLATE when set), django.setup(), migrate.
    On exit: Django's connections closed, and the database dropped if `drop`."""

    def __init__(self, database: str, *, drop: bool = False, extra_env: dict | None = None):
        self.database = database
        self.drop = drop
        self.base_url = base_database_url()
        self.url = with_database(self.base_url, database)
        self.env = bench_environment(self.url)
        self.env.update(extra_env or {})
        self.setup_seconds = 0.0

    def __enter__(self) -> BenchDatabase:
        started = time.perf_counter()
        os.environ.update(self.env)
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        sys.path.insert(0, str(BASE_DIR))
        template = os.environ.get(TEMPLATE_VARIABLE) or None
        recreate_database(self.base_url, self.database, template)

        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # a no-op on a migrated template
        self.setup_seconds = round(time.perf_counter() - started, 1)
        return self

    def __exit__(self, *exc) -> None:
        from django.db import connections

        connections.close_all()
        if self.drop:
            drop_database(self.base_url, self.database)

    def server_version(self) -> str:
        with psycopg.connect(self.url) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]


def make_template(name: str) -> None:
    """Make `name` a migrated template the benchmarks copy (python -m bench.common NAME): kept
    between runs and brought up to date with `migrate`; recreated if it holds migrations this
    checkout does not have (another branch's)."""
    base_url = base_database_url()
    url = with_database(base_url, name)
    os.environ.update(bench_environment(url))
    os.environ.pop(TEMPLATE_VARIABLE, None)
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    sys.path.insert(0, str(BASE_DIR))
    with psycopg.connect(with_database(base_url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if not exists:
        recreate_database(base_url, name)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.db.migrations.loader import MigrationLoader

    if exists:
        loader = MigrationLoader(connection)
        if set(loader.applied_migrations) - set(loader.disk_migrations):
            connections.close_all()
            recreate_database(base_url, name)
    call_command("migrate", verbosity=0)
    connections.close_all()


# --- Timing -------------------------------------------------------------------------------------


class SqlTimer:
    """A connection execute wrapper adding up the time spent in the database."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


class Stopwatch:
    """`with Stopwatch() as watch: ...` then watch.seconds."""

    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.started


def median_seconds(function, runs: int) -> tuple[float, object]:
    """The median wall time of `runs` calls of function(), and the last call's result."""
    times, result = [], None
    for _ in range(max(1, runs)):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else 0.0


# --- Result records -----------------------------------------------------------------------------


def write_json(path: str | None, figures) -> None:
    """Write a benchmark's figures (a dataclass, or plain data) as JSON, if a path was given."""
    if not path:
        return
    data = asdict(figures) if is_dataclass(figures) else figures
    Path(path).write_text(json.dumps(data, indent=2, default=str))


@dataclass
class Row:
    """One row of `python -m bench`'s table: a figure against a goal of issue 20.

    status: PASS or FAIL; "n/a" where the run's size is below the size the goal names (the
    figure is printed, not judged), or "info" for figures without a goal."""

    work: str
    size: str
    figure: str
    goal: str
    status: str
    baseline: str = ""
    value: float | None = None
    key: str = ""


if __name__ == "__main__":
    make_template(sys.argv[1])
