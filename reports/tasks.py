"""Celery doorway into report rendering."""

from celery import shared_task

from reports.services import report_render


@shared_task(name="reports.render")
def report_render_task(*, run_id: int) -> dict:
    """Render a queued report; a run already claimed or finished is left as it is."""
    run = report_render(run_id=run_id)
    return {"run": run.pk, "status": run.status, "pages": run.page_count}
