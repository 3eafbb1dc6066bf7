"""`python -m bench` (`make bench`): every benchmark runs through the one runner and its table
and JSON carry every row of issue 20's goals. Tiny sizes: a check that it all runs, not figures
(nothing about speed is asserted)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from bench.runner import BENCHES

BASE_DIR = Path(__file__).resolve().parents[2]

TINY = [
    "--smoke", "--drop",
    "--lines", "400", "--args", "ledger=--samples 3 --lots 40",
    "--surplus-lots", "400",
    "--sweep-lots", "400",
    "--verify-lines", "200", "--verify-lines", "400",
    "--statement-lines", "40",
    "--documents", "1",
]  # fmt: skip


def test_smoke_run_prints_every_row_and_records_it_as_json(tmp_path):
    # Databases of their own per checkout (named after the test settings' database); the
    # migrated template <prefix>_template is kept for the next run, the others are dropped.
    own = urlsplit(os.environ.get("DATABASE_URL", "")).path.strip("/") or "stockpile"
    prefix = f"stockpile_bench_t_{own}"[:50]
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    done = subprocess.run(
        [sys.executable, "-m", "bench", *TINY, "--database-prefix", prefix,
         "--json", str(out), "--log-dir", str(tmp_path / "logs")],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    record = json.loads(out.read_text())
    keys = [row["key"] for row in record["rows"]]
    assert keys == [key for bench in BENCHES for key in bench.keys]
    assert all(row["status"] in {"PASS", "FAIL", "(PASS)", "(FAIL)"} for row in record["rows"])
    assert set(record["figures"]) == {bench.name for bench in BENCHES}
    assert record["smoke"] is True
    assert record["load_before"]
    # One table, every row's work in it, with its verdict.
    table = done.stdout[done.stdout.index("Issue 20 goals") :]
    for row in record["rows"]:
        assert row["work"] in table
        assert row["goal"] in table
    # The documents benchmark counts queries at 1, 10 and 50 lines.
    assert set(record["figures"]["documents"]["queries"]["issue"]) == {"1", "10", "50"}
