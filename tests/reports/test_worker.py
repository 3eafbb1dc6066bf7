"""A report requested in the background is rendered by a real Celery worker (the task path)."""

import os
import subprocess
import sys
import time
import uuid

import pytest

from reports.models import ReportRun, ReportStatus
from reports.services import report_request
from tests.core.processes import database_url
from tests.core.test_worker import ROOT


@pytest.fixture
def report_worker(transactional_db, settings, media):
    """A worker on a queue of its own, writing files where this test reads them."""
    queue = f"test-reports-{uuid.uuid4().hex[:12]}"
    media.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(media),
    }
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "stockpile", "worker",
            "--pool", "solo", "--queues", queue, "--hostname", f"{queue}@%h",
            "--without-mingle", "--without-gossip", "--loglevel", "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    settings.REPORTS_QUEUE = queue
    yield queue
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.worker
def test_the_worker_renders_a_queued_statement(report_worker, history, auditor, media):
    run = report_request(
        kind="accounting_statement",
        parameters=history.parameters(),
        requested_by=auditor,
        inline=False,
    )
    assert run.status == ReportStatus.QUEUED
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run = ReportRun.objects.get(pk=run.pk)
        if run.status in (ReportStatus.DONE, ReportStatus.FAILED):
            break
        time.sleep(0.5)
    assert run.status == ReportStatus.DONE, run.error
    assert run.progress == 100
    assert run.line_count == 5
    assert (media / run.file.name).read_bytes().startswith(b"%PDF")
