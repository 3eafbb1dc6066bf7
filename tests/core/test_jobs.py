"""core.jobs: one run of a job at a time (PostgreSQL advisory lock), each run recorded."""

import threading

import pytest
from django.db import connection

from alerts import sweep
from alerts.sweep import surveillance_sweep_run
from core.jobs import job_lock_key, job_run
from core.models import JobOutcome, JobRun


def _in_thread(target):
    """Run `target` in a thread with its own database connection, closed at the end."""
    result = {}

    def run():
        try:
            result["value"] = target()
        except BaseException as exc:  # surfaced by the caller
            result["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


@pytest.mark.django_db(transaction=True)
def test_a_second_run_while_the_first_works_is_skipped():
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        assert release.wait(30)
        return {"done": 1}

    thread, result = _in_thread(lambda: job_run("demo", slow))
    assert started.wait(30)
    second = job_run("demo", lambda: {"done": 99})
    release.set()
    thread.join(30)
    assert "error" not in result
    assert second.outcome == JobOutcome.SKIPPED_LOCKED
    assert result["value"].outcome == JobOutcome.SUCCEEDED
    assert result["value"].rows_touched == {"done": 1}
    # The lock was released: the next run works.
    assert job_run("demo", lambda: {"done": 2}).outcome == JobOutcome.SUCCEEDED
    assert list(JobRun.objects.order_by("id").values_list("outcome", flat=True)) == [
        JobOutcome.SUCCEEDED,
        JobOutcome.SKIPPED_LOCKED,
        JobOutcome.SUCCEEDED,
    ]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_one_runs_one_is_skipped(reference_policy):
    started, release = threading.Event(), threading.Event()

    def hold(ctx):
        started.set()
        assert release.wait(30)
        return {"held": 1}

    sweep.registered_steps()  # discover first, so the test step is not overwritten
    sweep._STEPS["zz_test_hold"] = hold
    try:
        thread, result = _in_thread(surveillance_sweep_run)
        assert started.wait(30)
        second = surveillance_sweep_run()
        release.set()
        thread.join(30)
    finally:
        sweep._STEPS.pop("zz_test_hold", None)
    assert "error" not in result
    assert second.outcome == JobOutcome.SKIPPED_LOCKED
    first = result["value"]
    assert first.outcome == JobOutcome.SUCCEEDED
    assert first.rows_touched["zz_test_hold.held"] == 1


@pytest.mark.django_db
def test_a_failing_run_is_recorded_and_raises():
    def broken():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        job_run("broken", broken, attempt=2)
    run = JobRun.objects.get(name="broken")
    assert run.outcome == JobOutcome.FAILED
    assert "RuntimeError: boom" in run.error
    assert run.attempt == 2
    assert run.finished_at is not None
    # The lock is free again.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [job_lock_key("broken")])
        assert cursor.fetchone()[0]
        cursor.execute("SELECT pg_advisory_unlock(%s)", [job_lock_key("broken")])


@pytest.mark.django_db
def test_runs_left_running_by_a_dead_worker_are_closed():
    from django.utils import timezone

    dead = JobRun.objects.create(name="demo", started_at=timezone.now())
    job_run("demo", lambda: {})
    dead.refresh_from_db()
    assert dead.outcome == JobOutcome.FAILED
    assert "Abandoned" in dead.error


def test_lock_keys_are_stable_and_distinct():
    assert job_lock_key("surveillance_sweep") == job_lock_key("surveillance_sweep")
    assert job_lock_key("surveillance_sweep") != job_lock_key("reconcile_ledger")
    assert -(2**63) <= job_lock_key("x") < 2**63


@pytest.mark.django_db
def test_job_runs_are_read_only_in_the_administration(client, admin_user):
    run = job_run("demo", lambda: {"raised": 1})
    client.force_login(admin_user)
    assert client.get("/admin/core/jobrun/").status_code == 200
    assert client.get(f"/admin/core/jobrun/{run.pk}/change/").status_code == 200
    assert client.get("/admin/core/jobrun/add/").status_code == 403
    assert client.post(f"/admin/core/jobrun/{run.pk}/delete/").status_code == 403
    assert client.get("/admin/alerts/alert/").status_code == 200
