"""Snapshots: stored per depot and nationally under the job lock, by the Celery task and the
management command (which prints what it did and exits non-zero on failure)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.models import JobOutcome, JobRun
from surplus.models import SnapshotRow, SnapshotStatus, SurplusSnapshot
from surplus.selectors import trend
from surplus.tasks import surplus_snapshot_task

pytestmark = pytest.mark.django_db


def test_command_stores_a_snapshot(world, stock, officer, today):
    stock(30, condition="H")
    stock(20, depot="b", condition="H")
    out = StringIO()
    call_command("surplus_snapshot", stdout=out)
    snapshot = SurplusSnapshot.objects.get()
    assert (snapshot.status, snapshot.progress, snapshot.taken_on) == (
        SnapshotStatus.DONE,
        100,
        today,
    )
    assert "3 rows stored" in out.getvalue()
    national = SnapshotRow.objects.get(snapshot=snapshot, depot__isnull=True)
    assert (national.unserviceable, national.surplus) == (50, 50)
    assert sorted(
        SnapshotRow.objects.filter(depot__isnull=False).values_list("surplus", flat=True)
    ) == [20, 30]
    assert snapshot.policy["surplus_expiry_horizon_months"] == 12
    run = JobRun.objects.get(name="surplus_snapshot")
    assert run.outcome == JobOutcome.SUCCEEDED


def test_task_takes_a_requested_snapshot_once(world, stock, officer):
    stock(5, condition="H")
    snapshot = SurplusSnapshot.objects.create(taken_on=world.depot_a.created_at.date())
    result = surplus_snapshot_task.run(snapshot_id=snapshot.pk)
    assert result["outcome"] == JobOutcome.SUCCEEDED
    rows = SnapshotRow.objects.filter(snapshot=snapshot).count()
    surplus_snapshot_task.run(snapshot_id=snapshot.pk)  # safe to run twice
    assert SnapshotRow.objects.filter(snapshot=snapshot).count() == rows


def test_failure_exits_non_zero_and_keeps_no_rows(world, stock, monkeypatch):
    stock(5, condition="H")

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("surplus.computation.surplus_by_depot", broken)
    with pytest.raises(CommandError, match="database went away"):
        call_command("surplus_snapshot", stdout=StringIO())
    snapshot = SurplusSnapshot.objects.get()
    assert snapshot.status == SnapshotStatus.FAILED
    assert not SnapshotRow.objects.exists()
    assert JobRun.objects.get(name="surplus_snapshot").outcome == JobOutcome.FAILED


def test_trend_reads_snapshots(world, stock, officer, auditor, clerk, today):
    stock(10, condition="H")
    stock(4, condition="H", depot="b")
    from datetime import timedelta

    call_command(
        "surplus_snapshot", "--today", (today - timedelta(days=1)).isoformat(), stdout=StringIO()
    )
    stock(6, condition="H")
    call_command("surplus_snapshot", stdout=StringIO())
    assert [p["surplus"] for p in trend(auditor)] == [14, 20]
    assert [p["surplus"] for p in trend(clerk)] == [10, 16]
