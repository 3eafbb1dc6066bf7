"""A real Celery worker, started as a process against the real broker, runs a task end to end."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from core.tasks import service_health_task
from tests.core.processes import database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(transactional_db, settings):
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
    }
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "stockpile", "worker",
            "--pool", "solo", "--queues", queue, "--hostname", f"{queue}@%h",
            "--without-mingle", "--without-gossip", "--loglevel", "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    yield queue
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.worker
def test_worker_runs_a_task_against_the_database_and_broker(worker):
    result = service_health_task.apply_async(queue=worker)
    assert result.get(timeout=90) == {"database": "ok", "broker": "ok"}
    assert result.successful()
