"""Celery doorways into the alert jobs: each runs under its advisory lock and leaves a JobRun."""

from celery import shared_task

from alerts.digest import alert_digest_run
from alerts.sweep import reconcile_ledger_run, surveillance_sweep_run
from core.jobs import RETRY_OPTIONS


@shared_task(name="alerts.surveillance_sweep", bind=True, **RETRY_OPTIONS)
def surveillance_sweep_task(self) -> dict:
    """Daily: raise and resolve the alerts of every registered detector."""
    run = surveillance_sweep_run(attempt=(self.request.retries or 0) + 1)
    return {"job_run": run.pk, "outcome": run.outcome, "rows_touched": run.rows_touched}


@shared_task(name="alerts.send_digests", bind=True, **RETRY_OPTIONS)
def alert_digest_task(self) -> dict:
    """Daily: e-mail each user the alerts new in their depots since their last digest."""
    run = alert_digest_run(attempt=(self.request.retries or 0) + 1)
    return {"job_run": run.pk, "outcome": run.outcome, "rows_touched": run.rows_touched}


@shared_task(name="alerts.reconcile_ledger", bind=True, **RETRY_OPTIONS)
def reconcile_ledger_task(self) -> int:
    """Nightly: the number of balances that differ from their ledger (0 when all is well, and
    when another worker is already running the reconciliation)."""
    run = reconcile_ledger_run(attempt=(self.request.retries or 0) + 1)
    return int(run.rows_touched.get("drift", 0))
