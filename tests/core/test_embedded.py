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
    assert urls["DATABASE_URL"].startswith("postgresql://postgres@/stockpile?host=")
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
