"""alerts.services and the sweep's failure handling."""

import pytest
from django.core.management import CommandError, call_command

from alerts import sweep
from alerts.models import Alert, AlertKind
from alerts.services import Subject, alert_raise, alert_resolve, alerts_raise, alerts_sync
from core.models import JobOutcome, JobRun

pytestmark = pytest.mark.django_db


def test_sync_opens_refreshes_and_resolves_in_two_queries(world, django_assert_num_queries):
    lots = [world.lot(world.ball, number=f"L{n}") for n in range(3)]
    subjects = [Subject(depot_id=world.depot_a.pk, lot_id=lot.pk, message="m") for lot in lots]
    with django_assert_num_queries(4):  # savepoint, upsert, resolve, release
        result = alerts_sync(kind=AlertKind.LOT_EXPIRED, subjects=subjects)
    assert result.as_dict() == {"raised": 3, "refreshed": 0, "resolved": 0}
    result = alerts_sync(kind=AlertKind.LOT_EXPIRED, subjects=subjects[:1])
    assert result.as_dict() == {"raised": 0, "refreshed": 1, "resolved": 2}
    assert Alert.objects.filter(resolved_at__isnull=True).count() == 1


def test_raise_many_opens_and_refreshes_in_one_query_and_resolves_nothing(
    world, django_assert_num_queries
):
    lots = [world.lot(world.ball, number=f"L{n}") for n in range(3)]
    alert_raise(
        kind=AlertKind.LOT_EXPIRED, depot_id=world.depot_b.pk, lot_id=lots[0].pk, message="b"
    )
    subjects = [Subject(depot_id=world.depot_a.pk, lot_id=lot.pk, message="m") for lot in lots]
    with django_assert_num_queries(1):
        result = alerts_raise(kind=AlertKind.LOT_EXPIRED, subjects=subjects[:2])
    assert result.as_dict() == {"raised": 2, "refreshed": 0, "resolved": 0}
    result = alerts_raise(
        kind=AlertKind.LOT_EXPIRED, subjects=[subjects[0], subjects[2], subjects[2]]
    )
    assert result.as_dict() == {"raised": 1, "refreshed": 1, "resolved": 0}
    assert Alert.objects.filter(resolved_at__isnull=True).count() == 4  # depot B's kept too
    with django_assert_num_queries(0):
        assert alerts_raise(kind=AlertKind.LOT_EXPIRED, subjects=[]).raised == 0


def test_sync_limited_to_some_depots_leaves_the_others(world):
    lot = world.lot(world.ball)
    alert_raise(kind=AlertKind.LOT_EXPIRED, depot_id=world.depot_b.pk, lot_id=lot.pk, message="b")
    result = alerts_sync(kind=AlertKind.LOT_EXPIRED, subjects=[], depot_ids=[world.depot_a.pk])
    assert result.resolved == 0
    assert Alert.objects.get().resolved_at is None


def test_duplicate_subjects_count_once(world):
    lot = world.lot(world.ball)
    subject = Subject(depot_id=world.depot_a.pk, lot_id=lot.pk, message="m")
    assert alerts_sync(kind=AlertKind.LOT_EXPIRED, subjects=[subject, subject]).raised == 1


def test_raise_then_resolve_then_raise_opens_a_new_alert(world):
    lot = world.lot(world.ball)
    kwargs = {"kind": AlertKind.LOT_EXPIRED, "depot_id": world.depot_a.pk, "lot_id": lot.pk}
    first = alert_raise(message="one", **kwargs)
    assert alert_raise(message="two", **kwargs).pk == first.pk
    assert Alert.objects.get(pk=first.pk).message == "two"
    assert alert_resolve(**kwargs) == 1
    third = alert_raise(message="three", **kwargs)
    assert third.pk != first.pk
    assert Alert.objects.count() == 2


def test_unknown_kind_is_refused(world):
    with pytest.raises(ValueError, match="unknown alert kind"):
        alerts_sync(kind="no_such_kind", subjects=[])


def test_a_failing_detector_fails_the_run_but_not_the_others(world, clerk, monkeypatch):
    def broken(ctx):
        raise RuntimeError("detector exploded")

    sweep.registered_detectors()
    monkeypatch.setitem(
        sweep._DETECTORS,
        AlertKind.LICENCE_EXPIRING,
        sweep.Registered(AlertKind.LICENCE_EXPIRING, broken, True),
    )
    lot = world.lot(world.ball)
    alert_raise(kind=AlertKind.LOT_EXPIRED, depot_id=world.depot_a.pk, lot_id=lot.pk, message="x")
    with pytest.raises(CommandError, match="detector exploded"):
        call_command("surveillance_sweep")
    run = JobRun.objects.get(name="surveillance_sweep")
    assert run.outcome == JobOutcome.FAILED
    assert "detector exploded" in run.error
    # The other detectors still ran: the stale lot_expired alert (no stock) was resolved.
    assert Alert.objects.get(kind=AlertKind.LOT_EXPIRED).resolved_at is not None
