"""Scheduled jobs run one at a time and leave a record (DESIGN.md §8, issue 4).

`job_run(name, body)` takes a PostgreSQL session advisory lock keyed on the job's name, so two
workers (or a worker and a management command) running the same job at once never both work: the
second records a `skipped_locked` run and returns. Each run is a `core.JobRun` row: start, end,
outcome, the counts the body returns, and the error when it fails. The body owns its transactions;
the run's own rows are written outside them, so a failed body still leaves its record.

Celery tasks call `job_run` and retry on `RETRYABLE` errors (a lost connection, a deadlock):
every job body is idempotent, so a retry repeats nothing that already happened.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Callable, Mapping

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.utils import timezone

from core.models import JobOutcome, JobRun

logger = logging.getLogger(__name__)

# Errors a Celery task retries: the database went away or chose this session as a deadlock victim.
RETRYABLE = (OperationalError, InterfaceError)
RETRY_OPTIONS = {
    "autoretry_for": RETRYABLE,
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 3,
}


def job_lock_key(name: str) -> int:
    """The advisory-lock key of a job: a stable signed 64-bit number derived from its name."""
    return int.from_bytes(hashlib.sha256(f"job:{name}".encode()).digest()[:8], "big", signed=True)


def _try_lock(key: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        return bool(cursor.fetchone()[0])


def _unlock(key: int) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    except DatabaseError:
        # A broken connection has already released its session locks; drop it.
        logger.warning("could not release job lock %s; closing the connection", key)
        connection.close()


def job_run(name: str, body: Callable[[], Mapping[str, int] | None], *, attempt: int = 1) -> JobRun:
    """Run `body` as job `name` unless another session is running it; return the run's record.

    `body` returns counts of what it changed (e.g. {"raised": 3, "resolved": 1}), kept in
    `rows_touched`. If it raises, the run is recorded as failed with the traceback and the
    exception propagates (a Celery task then retries). Runs left `running` by a worker that died
    are closed as failed when the next run takes the lock.
    """
    key = job_lock_key(name)
    started_at = timezone.now()
    if not _try_lock(key):
        run = JobRun.objects.create(
            name=name,
            started_at=started_at,
            finished_at=timezone.now(),
            outcome=JobOutcome.SKIPPED_LOCKED,
            attempt=attempt,
        )
        logger.info("job %s skipped: another session holds its lock", name)
        return run
    try:
        # Holding the lock, no other run of this job is alive: earlier "running" rows are dead.
        JobRun.objects.filter(name=name, outcome=JobOutcome.RUNNING).update(
            outcome=JobOutcome.FAILED,
            finished_at=started_at,
            error="Abandoned: the worker stopped before the run finished.",
        )
        run = JobRun.objects.create(name=name, started_at=started_at, attempt=attempt)
        try:
            touched = body()
        except Exception:
            run.outcome = JobOutcome.FAILED
            run.error = traceback.format_exc()[-10_000:]
            run.finished_at = timezone.now()
            try:
                run.save(update_fields=["outcome", "error", "finished_at"])
            except DatabaseError:
                logger.exception("job %s failed and its run could not be recorded", name)
            raise
        run.outcome = JobOutcome.SUCCEEDED
        run.rows_touched = {str(kind): int(count) for kind, count in (touched or {}).items()}
        run.finished_at = timezone.now()
        run.save(update_fields=["outcome", "rows_touched", "finished_at"])
        return run
    finally:
        _unlock(key)
