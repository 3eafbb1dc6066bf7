"""Celery doorways into inventory services."""

import logging

from celery import shared_task

from core.jobs import RETRY_OPTIONS, job_run

logger = logging.getLogger(__name__)

RECONCILE_JOB = "reconcile_ledger"


def reconcile_ledger() -> dict[str, int]:
    """Compare every balance with the sum of its ledger lines (one query) and make the open
    `ledger_drift` alerts exactly the differences found: raised when new, resolved when gone."""
    from alerts.models import AlertKind
    from alerts.sweep import run_detectors

    counts = run_detectors([AlertKind.LEDGER_DRIFT])
    drift = counts["ledger_drift.raised"] + counts["ledger_drift.refreshed"]
    if drift:
        logger.critical("ledger drift: %s balance(s) differ from their ledger lines", drift)
    return {"drift": drift, **counts}


@shared_task(name="inventory.reconcile_ledger", bind=True, **RETRY_OPTIONS)
def reconcile_ledger_task(self) -> int:
    """Nightly: the number of balances that differ from their ledger (0 when all is well, and
    when another worker is already running the reconciliation)."""
    run = job_run(RECONCILE_JOB, reconcile_ledger, attempt=(self.request.retries or 0) + 1)
    return int(run.rows_touched.get("drift", 0))
