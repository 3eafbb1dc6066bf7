"""Celery doorways into the surplus snapshot (nightly from beat, or on an officer's demand)."""

from celery import shared_task

from core.jobs import RETRY_OPTIONS, job_run
from core.models import JobOutcome
from surplus import services
from surplus.models import SurplusSnapshot

SNAPSHOT_JOB = "surplus_snapshot"


def surplus_snapshot_run(*, snapshot_id: int | None = None, taken_on=None, attempt: int = 1):
    """Take the snapshot `snapshot_id` (or a new one as of `taken_on`, default today) under the
    job's advisory lock; returns the JobRun and the snapshot."""
    if snapshot_id is None:
        snapshot = services.snapshot_request(requested_by=None, taken_on=taken_on)
    else:
        snapshot = SurplusSnapshot.objects.get(pk=snapshot_id)
    run = job_run(SNAPSHOT_JOB, lambda: services.snapshot_take(snapshot), attempt=attempt)
    if run.outcome == JobOutcome.SKIPPED_LOCKED and snapshot_id is None:
        snapshot.delete()  # made for this run only; the running one will do
        return run, snapshot
    snapshot.refresh_from_db()
    return run, snapshot


@shared_task(name="surplus.snapshot", bind=True, **RETRY_OPTIONS)
def surplus_snapshot_task(self, snapshot_id: int | None = None) -> dict:
    """Nightly (no id) or on demand: compute the surplus and store it as a dated snapshot."""
    run, snapshot = surplus_snapshot_run(
        snapshot_id=snapshot_id, attempt=(self.request.retries or 0) + 1
    )
    return {
        "job_run": run.pk,
        "outcome": run.outcome,
        "snapshot": snapshot.pk,
        "rows_touched": run.rows_touched,
    }
