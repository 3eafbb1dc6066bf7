"""Runs: queued, running, done or failed with the error kept; a failed run is retried."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from inventory.errors import InvalidState
from reports.models import ReportRun, ReportStatus
from reports.services import report_render, report_request, report_retry
from tests.reports.conftest import pdf_text


def test_a_queued_report_renders_once(history, auditor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        run = report_request(
            kind="stock_card",
            parameters={"lot": history.ball1.pk, "depot": history.world.depot_a.pk},
            requested_by=auditor,
            inline=False,
        )
    assert len(callbacks) == 1  # the Celery task, queued after commit
    assert (run.status, run.progress, run.file.name) == (ReportStatus.QUEUED, 0, "")
    done = report_render(run_id=run.pk)
    assert (done.status, done.progress, done.attempts) == (ReportStatus.DONE, 100, 1)
    assert done.started_at <= done.finished_at
    assert set(done.timings) == {"digest", "query", "html", "pdf", "merge_and_number", "files"}
    again = report_render(run_id=run.pk)  # a second delivery of the task changes nothing
    assert (again.attempts, again.file.name) == (1, done.file.name)
    assert "Running" in pdf_text(done)


def test_a_failed_render_keeps_its_error_and_is_retried(history, auditor, media):
    media.mkdir(parents=True)
    (media / "reports").write_text("a file where the reports folder should be")
    run = report_request(
        kind="stock_card",
        parameters={"lot": history.tnt1.pk, "depot": history.world.depot_a.pk},
        requested_by=auditor,
    )
    assert run.status == ReportStatus.FAILED
    assert run.finished_at is not None
    assert not run.file
    assert "Not a directory" in run.error
    assert report_render(run_id=run.pk).status == ReportStatus.FAILED  # not queued: left alone
    (media / "reports").unlink()
    queued = report_retry(run=run, retried_by=auditor)
    assert (queued.status, queued.progress) == (ReportStatus.QUEUED, 0)
    done = report_render(run_id=run.pk)
    assert (done.status, done.error, done.attempts) == (ReportStatus.DONE, "", 2)
    assert "TNT-1" in pdf_text(done)


def test_only_a_failed_report_is_retried(history, auditor):
    run = report_request(
        kind="stock_card",
        parameters={"lot": history.tnt1.pk, "depot": history.world.depot_a.pk},
        requested_by=auditor,
    )
    assert run.status == ReportStatus.DONE
    with pytest.raises(InvalidState):
        report_retry(run=run, retried_by=auditor)


def test_a_run_abandoned_by_its_worker_is_retried_later(history, auditor):
    run = report_request(
        kind="stock_card",
        parameters={"lot": history.tnt1.pk, "depot": history.world.depot_a.pk},
        requested_by=auditor,
        inline=False,
    )
    started = timezone.now() - timedelta(minutes=5)
    ReportRun.objects.filter(pk=run.pk).update(status=ReportStatus.RUNNING, started_at=started)
    with pytest.raises(InvalidState):  # still rendering, as far as anyone knows
        report_retry(run=run, retried_by=auditor)
    ReportRun.objects.filter(pk=run.pk).update(started_at=started - timedelta(hours=1))
    queued = report_retry(run=run, retried_by=auditor)
    assert queued.status == ReportStatus.QUEUED
    assert queued.error.startswith("Abandoned")
    assert report_render(run_id=run.pk).status == ReportStatus.DONE


def test_the_database_keeps_reports_as_records(history, auditor):
    run = report_request(
        kind="stock_card",
        parameters={"lot": history.tnt1.pk, "depot": history.world.depot_a.pk},
        requested_by=auditor,
    )
    assert run.status == ReportStatus.DONE
    for change in (
        lambda: ReportRun.objects.filter(pk=run.pk).delete(),
        lambda: ReportRun.objects.filter(pk=run.pk).update(pdf_sha256="0" * 64),
        lambda: ReportRun.objects.filter(pk=run.pk).update(status=ReportStatus.QUEUED),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            change()
    queued = report_request(
        kind="stock_card",
        parameters={"lot": history.tnt1.pk, "depot": history.world.depot_a.pk},
        requested_by=auditor,
        inline=False,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportRun.objects.filter(pk=queued.pk).update(cutoff=timezone.now())
    assert ReportRun.objects.get(pk=run.pk).pdf_sha256 == run.pdf_sha256
