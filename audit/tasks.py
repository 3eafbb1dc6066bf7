"""Celery doorways into ledger tamper evidence: each runs under its advisory lock (core.jobs)."""

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from audit.services import (
    FULL,
    INCREMENTAL,
    checkpoint_take,
    ledger_verification_perform,
    ledger_verification_run,
)
from core.jobs import RETRY_OPTIONS, job_run

logger = logging.getLogger(__name__)

VERIFY_JOB = "verify_ledger"
CHECKPOINT_JOB = "ledger_checkpoint"


def verify_ledger(mode: str | None = None) -> dict[str, int]:
    """The nightly run: incremental, except on settings.LEDGER_VERIFY_FULL_WEEKDAY (full)."""
    if mode is None:
        full_day = timezone.localdate().isoweekday() == settings.LEDGER_VERIFY_FULL_WEEKDAY
        mode = FULL if full_day else INCREMENTAL
    record = ledger_verification_run(mode=mode)
    if not record.ok:
        logger.critical("ledger verification failed: %s", record.first_broken)
    return {
        "lines_checked": record.lines_checked,
        "depots_checked": record.depots_checked,
        "broken": 0 if record.ok else len(record.result.broken),
    }


def ledger_checkpoint() -> dict[str, int]:
    return {"checkpoints": len(checkpoint_take())}


@shared_task(name="audit.verify_ledger", bind=True, **RETRY_OPTIONS)
def verify_ledger_task(self) -> dict:
    """Nightly: recompute the depots' hash chains (incremental, full once a week); a break
    raises a critical alert."""
    run = job_run(VERIFY_JOB, verify_ledger, attempt=(self.request.retries or 0) + 1)
    return {"job_run": run.pk, "outcome": run.outcome, "rows_touched": run.rows_touched}


@shared_task(name="audit.ledger_checkpoint", bind=True, **RETRY_OPTIONS)
def ledger_checkpoint_task(self) -> dict:
    """Nightly: record every depot's chain head."""
    run = job_run(CHECKPOINT_JOB, ledger_checkpoint, attempt=(self.request.retries or 0) + 1)
    return {"job_run": run.pk, "outcome": run.outcome, "rows_touched": run.rows_touched}


@shared_task(name="audit.ledger_verification_requested", bind=True, **RETRY_OPTIONS)
def ledger_verification_task(self, *, token: str, user_id: int) -> dict:
    """An auditor's verification asked for on the page, with its progress in the cache."""
    record = ledger_verification_perform(token=token, user_id=user_id)
    return {"verification": record.pk if record else None}
