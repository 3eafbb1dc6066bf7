"""Celery doorway into imports."""

from celery import shared_task

from imports.services import import_execute, imports_stale_clear


@shared_task(name="imports.run")
def import_run_task(*, run_id: int) -> dict:
    """Post a queued import; one already claimed or finished is left as it is."""
    run = import_execute(run_id=run_id)
    return {"run": run_id, "status": run.status if run is not None else None}


@shared_task(name="imports.clear_stale")
def imports_stale_clear_task() -> dict:
    """Nightly: the bytes of files checked on the page and never confirmed are cleared."""
    return {"cleared": imports_stale_clear()}
