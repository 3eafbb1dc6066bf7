"""The surveillance sweep end to end through a real Celery worker and the real broker."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertKind
from alerts.tasks import surveillance_sweep_task
from core.models import JobOutcome, JobRun
from inventory.models import Lot
from tests.core.test_worker import worker  # noqa: F401 (the fixture)


@pytest.mark.worker
def test_the_worker_sweeps_and_a_second_run_changes_nothing(worker, world, clerk):  # noqa: F811
    lot = world.lot(world.ball, number="OLD-1")
    world.stock(clerk, lot, world.sh1, 10)
    Lot.objects.filter(pk=lot.pk).update(expires_on=timezone.localdate() - timedelta(days=1))

    first = surveillance_sweep_task.apply_async(queue=worker).get(timeout=120)
    assert first["outcome"] == JobOutcome.SUCCEEDED
    assert first["rows_touched"]["lot_expired.raised"] == 1
    [alert] = Alert.objects.filter(kind=AlertKind.LOT_EXPIRED, resolved_at__isnull=True)
    assert alert.lot_id == lot.pk

    second = surveillance_sweep_task.apply_async(queue=worker).get(timeout=120)
    assert second["rows_touched"]["lot_expired.raised"] == 0
    assert second["rows_touched"]["lot_expired.refreshed"] == 1
    assert Alert.objects.count() == 1
    runs = JobRun.objects.filter(name="surveillance_sweep").order_by("id")
    assert [run.outcome for run in runs] == [JobOutcome.SUCCEEDED, JobOutcome.SUCCEEDED]
    assert runs[0].pk == first["job_run"]
