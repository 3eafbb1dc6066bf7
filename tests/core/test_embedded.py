"""The first-run servers: a real PostgreSQL and a real Redis from wheels start, answer, keep
their data between runs, and stop (what `make run` and `make stop` rely on)."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]


def embedded(command: str, var_dir: Path) -> dict[str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "core.embedded", command],
        cwd=ROOT,
        env={**os.environ, "STOCKPILE_VAR_DIR": str(var_dir)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)


@pytest.fixture
def var_dir(tmp_path):
    yield tmp_path
    embedded("stop", tmp_path)


def test_start_answer_keep_data_and_stop(var_dir):
    urls = embedded("start", var_dir)
    assert urls["DATABASE_URL"].startswith("postgresql://stockpile_app@/stockpile?host=")
    assert urls["DATABASE_OWNER_URL"].startswith("postgresql://postgres@/stockpile?host=")
    socket_dir = urls["DATABASE_URL"].split("host=", 1)[1]
    with psycopg.connect(host=socket_dir, user="postgres", dbname="stockpile") as conn:
        conn.execute("CREATE TABLE kept (value int)")
        conn.execute("INSERT INTO kept VALUES (42)")
    client = redis.Redis.from_url(urls["REDIS_URL"])
    assert client.ping()
    client.set("kept", "yes")

    embedded("stop", var_dir)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host=socket_dir, user="postgres", dbname="stockpile", connect_timeout=2)

    again = embedded("start", var_dir)
    assert again == urls
    with psycopg.connect(host=socket_dir, user="postgres", dbname="stockpile") as conn:
        assert conn.execute("SELECT value FROM kept").fetchone() == (42,)
    assert redis.Redis.from_url(again["REDIS_URL"]).get("kept") == b"yes"


def test_the_embedded_server_ships_the_extensions_production_uses(var_dir):
    """pgserver shipped no contrib, so the trigram migration failed on a first run (issue 13)."""
    urls = embedded("start", var_dir)
    socket_dir = urls["DATABASE_URL"].split("host=", 1)[1]
    with psycopg.connect(host=socket_dir, user="postgres", dbname="stockpile") as conn:
        for extension in ("pg_trgm", "btree_gist"):
            conn.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
        names = {name for (name,) in conn.execute("SELECT extname FROM pg_extension")}
        assert {"pg_trgm", "btree_gist"} <= names
        assert conn.execute("SHOW server_version_num").fetchone()[0].startswith("18")


def test_a_cluster_of_another_major_version_is_refused_and_left_alone(tmp_path):
    """A var/pg made by pgserver (PostgreSQL 16) is named, with how to keep it, never touched."""
    pg_dir = tmp_path / "pg"
    pg_dir.mkdir()
    (pg_dir / "PG_VERSION").write_text("16\n")
    (pg_dir / "kept").write_text("old data")
    result = subprocess.run(
        [sys.executable, "-m", "core.embedded", "start"],
        cwd=ROOT,
        env={**os.environ, "STOCKPILE_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "holds a PostgreSQL 16 cluster" in result.stderr
    assert f"mv {pg_dir} {pg_dir}16" in result.stderr
    assert sorted(p.name for p in pg_dir.iterdir()) == ["PG_VERSION", "kept"]
