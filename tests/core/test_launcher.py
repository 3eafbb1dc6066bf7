"""`make run` and `make stop`: the launcher starts an embedded server only for a service whose URL
is not set, serves with a worker and beat, and `stop` leaves none of its processes behind."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.core.processes import database_url

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def left_behind(var_dir: Path) -> list[str]:
    """Live processes whose command line names this test's var directory (the worker's beat
    schedule is there), wherever they were reparented."""
    left = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or not alive(int(entry.name)):
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(var_dir) in cmdline:
            left.append(f"{entry.name} {cmdline}")
    return left


def healthz(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
            return answer.status
    except OSError:
        return None


@pytest.fixture
def launcher_env(transactional_db, settings, tmp_path):
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "STOCKPILE_VAR_DIR": str(tmp_path),
        "DEBUG": "1",
    }


@pytest.mark.worker
def test_with_urls_set_it_starts_no_embedded_server_and_stop_leaves_nothing(launcher_env, tmp_path):
    port = free_port()
    launcher = subprocess.Popen(
        [sys.executable, "-m", "core.launcher", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=launcher_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while healthz(port) != 200:
            assert launcher.poll() is None, "the launcher exited before serving"
            assert time.monotonic() < deadline, "no /healthz answer within 90 s"
            time.sleep(0.5)
        pids = json.loads((tmp_path / "run.json").read_text())
        assert set(pids) == {"launcher", "web", "worker"}
        assert not (tmp_path / "pg").exists(), "an embedded PostgreSQL was started"
        assert not (tmp_path / "redis").exists(), "an embedded Redis was started"

        stop = subprocess.run(
            [sys.executable, "-m", "core.launcher", "stop"],
            cwd=ROOT,
            env=launcher_env,
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert stop.returncode == 0, stop.stderr
        assert "the web server, worker and beat" in stop.stdout
        assert launcher.wait(timeout=30) == 0
        time.sleep(0.5)
        assert [name for name, pid in pids.items() if alive(pid)] == []
        assert left_behind(tmp_path) == [], "a worker's pool or beat outlived make stop"
        assert not (tmp_path / "run.json").exists()
        assert healthz(port) is None
    finally:
        if launcher.poll() is None:
            launcher.kill()


def test_stop_with_nothing_running_says_so(tmp_path):
    env = {**os.environ, "STOCKPILE_VAR_DIR": str(tmp_path)}
    stop = subprocess.run(
        [sys.executable, "-m", "core.launcher", "stop"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert stop.returncode == 0, stop.stderr
    assert "nothing was running" in stop.stdout
