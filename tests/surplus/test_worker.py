"""The nightly surplus snapshot end to end through a real Celery worker and the real broker."""

import pytest

from core.models import JobOutcome
from surplus.models import SnapshotRow, SnapshotStatus, SurplusSnapshot
from surplus.tasks import surplus_snapshot_task
from tests.core.test_worker import worker  # noqa: F401 (the fixture)


@pytest.mark.worker
def test_the_worker_takes_the_nightly_snapshot(worker, world, stock):  # noqa: F811
    stock(12, condition="H")
    result = surplus_snapshot_task.apply_async(queue=worker).get(timeout=120)
    assert result["outcome"] == JobOutcome.SUCCEEDED
    snapshot = SurplusSnapshot.objects.get(pk=result["snapshot"])
    assert (snapshot.status, snapshot.progress) == (SnapshotStatus.DONE, 100)
    national = SnapshotRow.objects.get(snapshot=snapshot, depot__isnull=True)
    assert national.surplus == 12
