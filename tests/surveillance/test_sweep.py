"""The daily sweep's surveillance part: overdue stability tests and inspections raise alerts that
resolve when the test or inspection is recorded, unstable lots keep their alert while in stock,
and lots overdue for a stability test are suspended (J) by condition-change documents, set-based,
idempotently, and with gapless numbers."""

import threading
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services import system_user
from alerts.models import Alert, AlertKind, Severity
from alerts.services import alert_acknowledge
from alerts.sweep import surveillance_sweep, surveillance_sweep_run
from alerts.tasks import surveillance_sweep_task
from core.models import JobOutcome, JobRun
from inventory.errors import LotNotIssuable
from inventory.models import Document, DocumentCounter, Lot
from inventory.models.ledger import AdjustmentReason, DocumentKind
from inventory.services.posting import (
    Movement,
    adjustment_approve,
    adjustment_create,
    issue_post,
)
from surveillance.models import ConditionChange, LotSurveillance
from surveillance.services import inspection_record, stability_test_record
from surveillance.sweep import SWEEP_NOTE, overdue_lots_suspend
from tests.core.test_worker import worker  # noqa: F401 (the real Celery worker fixture)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _open(kind):
    return list(Alert.objects.filter(kind=kind, resolved_at__isnull=True).order_by("depot_id"))


def _propellant_lot(world, charges, number, *, made=date(2020, 1, 1), condition="A"):
    return Lot.objects.create(
        ammunition_type=charges,
        manufacturer="Arsenal",
        lot_number=number,
        manufactured_on=made,
        condition_id=condition,
    )


def _tested(lot, *, next_due, on=date(2024, 1, 1), category="monitor"):
    """As if a test on `on` had set the next one for `next_due` (the sweep reads only this)."""
    LotSurveillance.objects.update_or_create(
        lot=lot,
        defaults={
            "last_stability_test_on": on,
            "last_stability_category": category,
            "next_stability_test_due": next_due,
        },
    )


def _stable_test(lot, depot, inspector, **extra):
    return stability_test_record(
        lot=lot,
        depot=depot,
        sampled_on=TODAY(),
        laboratory="National lab",
        method="hplc",
        stabiliser="DPA",
        initial_content_pct=Decimal("1.0"),
        measured_content_pct=Decimal("0.9"),
        tested_by=inspector,
        **extra,
    )


def _empty(lot, storehouse, quantity, clerk, inspector):
    """Take all of a lot's stock out of a storehouse (an approved adjustment)."""
    adjustment = adjustment_create(
        depot=storehouse.depot,
        lines=[Movement(lot.pk, storehouse.pk, -quantity)],
        reason=AdjustmentReason.DATA_ENTRY,
        occurred_on=TODAY(),
        posted_by=clerk,
    )
    adjustment_approve(document=adjustment, approved_by=inspector)


# --- Alerts ---------------------------------------------------------------------------------------


def test_stability_test_missing_in_each_depot_until_a_test_is_recorded(
    world, charge_lot, inspector
):
    # Made 2020-01-01: the first test fell due on 2025-01-01 (first_stability_test_years = 5).
    counts = surveillance_sweep()
    assert counts["stability_test_missing.raised"] == 2
    alerts = _open(AlertKind.STABILITY_TEST_MISSING)
    assert [(a.depot_id, a.lot_id) for a in alerts] == [
        (world.depot_a.pk, charge_lot.pk),
        (world.depot_b.pk, charge_lot.pk),
    ]
    # Propellant of unknown stability: critical (the lot is suspended the same night).
    assert {a.severity for a in alerts} == {Severity.CRITICAL}
    assert "no stability test on record" in alerts[0].message
    assert "2025-01-01" in alerts[0].message
    assert [a.details["quantity"] for a in alerts] == [50, 20]
    assert _open(AlertKind.STABILITY_TEST_OVERDUE) == []

    _stable_test(charge_lot, world.depot_a, inspector)
    counts = surveillance_sweep()
    assert counts["stability_test_missing.resolved"] == 2
    assert _open(AlertKind.STABILITY_TEST_MISSING) == []
    assert _open(AlertKind.STABILITY_TEST_OVERDUE) == []


def test_stability_test_overdue_until_the_next_test(world, charges, clerk, inspector):
    lot = _propellant_lot(world, charges, "CHG-OVERDUE")
    world.stock(clerk, lot, world.sh1, 10)
    # Restricted (20-40 % remaining): priority issue (C), retest after one year: two years ago.
    stability_test_record(
        lot=lot,
        depot=world.depot_a,
        sampled_on=TODAY() - timedelta(days=730),
        laboratory="National lab",
        method="hplc",
        initial_content_pct=Decimal("1.0"),
        measured_content_pct=Decimal("0.3"),
        tested_by=inspector,
    )
    lot.refresh_from_db()
    assert lot.condition_id == "C"
    surveillance_sweep()
    [alert] = _open(AlertKind.STABILITY_TEST_OVERDUE)
    assert (alert.depot_id, alert.lot_id, alert.severity) == (
        world.depot_a.pk,
        lot.pk,
        Severity.CRITICAL,
    )
    assert "is overdue" in alert.message
    assert _open(AlertKind.STABILITY_TEST_MISSING) == []

    _stable_test(lot, world.depot_a, inspector)
    assert surveillance_sweep()["stability_test_overdue.resolved"] == 1
    assert _open(AlertKind.STABILITY_TEST_OVERDUE) == []


def test_inspection_overdue_until_inspected(world, clerk, inspector):
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 10)
    surveillance_sweep()
    assert _open(AlertKind.INSPECTION_OVERDUE) == []  # entered today: due in 12 months
    Lot.objects.filter(pk=lot.pk).update(created_at=timezone.now() - timedelta(days=400))
    surveillance_sweep()
    [alert] = _open(AlertKind.INSPECTION_OVERDUE)
    assert (alert.depot_id, alert.lot_id, alert.severity) == (
        world.depot_a.pk,
        lot.pk,
        Severity.WARNING,
    )
    assert "inspection due on" in alert.message
    inspection_record(
        lot=lot,
        depot=world.depot_a,
        kind="periodic",
        inspected_on=TODAY(),
        sample_size=5,
        findings="Sound.",
        condition="A",
        inspector=inspector,
    )
    assert surveillance_sweep()["inspection_overdue.resolved"] == 1
    assert _open(AlertKind.INSPECTION_OVERDUE) == []


def test_empty_lots_raise_nothing(world, charges):
    _propellant_lot(world, charges, "CHG-EMPTY")  # overdue, never received
    counts = surveillance_sweep()
    assert counts["stability_test_missing.raised"] == 0
    assert counts["suspend_overdue_stability.lots"] == 0


def _fail(lot, depot, inspector):
    return stability_test_record(
        lot=lot,
        depot=depot,
        sampled_on=TODAY(),
        laboratory="National lab",
        method="heat_flow_calorimetry",
        passed=False,
        tested_by=inspector,
    )


def test_unstable_alert_is_kept_while_in_stock_and_resolved_when_gone(
    world, charge_lot, clerk, clerk_b, inspector, inspector_b
):
    test = _fail(charge_lot, world.depot_a, inspector)
    [raised] = _open(AlertKind.STABILITY_UNSTABLE)  # at once, by the service
    assert raised.depot_id == world.depot_a.pk
    charge_lot.refresh_from_db()
    assert charge_lot.condition_id == "H"

    counts = surveillance_sweep()
    # The service's alert is the detector's: refreshed, not replaced; depot B gets its own.
    assert counts["stability_unstable.refreshed"] == 1
    assert counts["stability_unstable.raised"] == 1
    assert counts["stability_unstable.resolved"] == 0
    alerts = _open(AlertKind.STABILITY_UNSTABLE)
    assert [a.depot_id for a in alerts] == [world.depot_a.pk, world.depot_b.pk]
    assert alerts[0].pk == raised.pk
    assert alerts[0].message == raised.message  # worded alike
    assert alerts[0].details == raised.details == alerts[1].details
    assert alerts[0].details["stability_test"] == test.pk
    assert {a.severity for a in alerts} == {Severity.CRITICAL}

    _empty(charge_lot, world.sh1, 50, clerk, inspector)  # depot A disposed of its part
    counts = surveillance_sweep()
    assert counts["stability_unstable.resolved"] == 1
    assert [a.depot_id for a in _open(AlertKind.STABILITY_UNSTABLE)] == [world.depot_b.pk]
    _empty(charge_lot, world.sh3, 20, clerk_b, inspector_b)
    assert surveillance_sweep()["stability_unstable.resolved"] == 1
    assert _open(AlertKind.STABILITY_UNSTABLE) == []


def test_an_acknowledged_unstable_alert_is_not_reopened(world, charge_lot, clerk, inspector):
    _fail(charge_lot, world.depot_a, inspector)
    [alert] = _open(AlertKind.STABILITY_UNSTABLE)
    alert_acknowledge(alert=alert, user=inspector)  # an event alert: acknowledging closes it
    surveillance_sweep()
    assert [a.depot_id for a in _open(AlertKind.STABILITY_UNSTABLE)] == [world.depot_b.pk]


# --- Suspension (J) -------------------------------------------------------------------------------


def _numbers(depot):
    return list(
        Document.objects.filter(depot=depot).order_by("id").values_list("number", flat=True)
    )


def _last_number(depot) -> int:
    return DocumentCounter.objects.get(depot=depot, year=timezone.now().year).last_number


def test_overdue_issuable_and_restricted_lots_are_suspended(
    world, charges, charge_lot, clerk, clerk_b
):
    restricted = _propellant_lot(world, charges, "CHG-B", condition="B")
    priority = _propellant_lot(world, charges, "CHG-C", condition="C")
    suspended = _propellant_lot(world, charges, "CHG-D")
    condemned = _propellant_lot(world, charges, "CHG-H")
    recent = _propellant_lot(world, charges, "CHG-NEW", made=TODAY() - timedelta(days=365))
    tested = _propellant_lot(world, charges, "CHG-TESTED")
    _tested(tested, next_due=TODAY() + timedelta(days=1))
    overdue = _propellant_lot(world, charges, "CHG-RETEST")
    _tested(overdue, next_due=TODAY() - timedelta(days=1))
    ball = world.lot(world.ball, number="BALL-OLD")  # no propellant: never tested
    for lot in (restricted, priority, suspended, condemned, recent, tested, overdue, ball):
        world.stock(clerk, lot, world.sh1, 5)
    world.stock(clerk_b, restricted, world.sh3, 5)
    # Received serviceable (suspect stock is not received beside it), found D and H since.
    Lot.objects.filter(pk=suspended.pk).update(condition_id="D")
    Lot.objects.filter(pk=condemned.pk).update(condition_id="H")
    before = {depot: _numbers(depot) for depot in (world.depot_a, world.depot_b)}
    last = {depot: _last_number(depot) for depot in (world.depot_a, world.depot_b)}

    counts = surveillance_sweep()

    assert counts["suspend_overdue_stability.lots"] == 4
    assert counts["suspend_overdue_stability.documents"] == 6  # charge_lot, CHG-B: A and B
    conditions = dict(Lot.objects.values_list("lot_number", "condition"))
    assert conditions == {
        "CHG-20-01": "J",
        "CHG-B": "J",
        "CHG-C": "J",
        "CHG-RETEST": "J",
        "CHG-D": "D",
        "CHG-H": "H",
        "CHG-NEW": "A",
        "CHG-TESTED": "A",
        "BALL-OLD": "A",
    }
    year = timezone.now().year
    expected_lots = {
        world.depot_a: [charge_lot, restricted, priority, overdue],
        world.depot_b: [charge_lot, restricted],
    }
    system = system_user()
    for depot, lots in expected_lots.items():
        new = _numbers(depot)[len(before[depot]) :]
        # Gapless, after the depot's existing documents, in lot order, numbered as postings are.
        assert new == [
            f"{depot.code}-{year}-{last[depot] + i:06d}" for i in range(1, len(lots) + 1)
        ]
        assert _last_number(depot) == last[depot] + len(lots)
        documents = Document.objects.filter(number__in=new).order_by("number")
        for document, lot in zip(documents, lots, strict=True):
            assert document.kind == DocumentKind.CONDITION_CHANGE
            assert document.status == "posted"
            assert document.posted_by_id == system.pk
            assert document.on_behalf_of_id is None
            assert document.note == SWEEP_NOTE
            assert document.reference == lot.lot_number
            assert document.occurred_on == TODAY()
            assert document.lines.count() == 0
            change = ConditionChange.objects.get(document=document)
            assert change.lot_id == lot.pk
            assert (change.from_condition, change.to_condition) == (lot.condition_id, "J")
            assert document.reason == f"{lot.condition_id}→J"
    # The next posting continues the counter.
    receipt = world.stock(clerk, world.lot(world.ball, number="AFTER"), world.sh2, 1)
    assert receipt.number == f"{world.depot_a.code}-{year}-{last[world.depot_a] + 5:06d}"


def test_running_the_suspension_twice_changes_nothing(world, charge_lot):
    first = surveillance_sweep()
    assert first["suspend_overdue_stability.lots"] == 1
    documents = Document.objects.count()
    changes = ConditionChange.objects.count()
    alerts = list(Alert.objects.order_by("id").values_list("id", "kind", "resolved_at", "message"))
    again = surveillance_sweep()
    assert again["suspend_overdue_stability.lots"] == 0
    assert again["suspend_overdue_stability.documents"] == 0
    assert Document.objects.count() == documents
    assert ConditionChange.objects.count() == changes
    after = list(Alert.objects.order_by("id").values_list("id", "kind", "resolved_at", "message"))
    assert after == alerts
    assert not any(v for k, v in again.items() if not k.endswith(".refreshed"))


def test_an_issued_lot_once_suspended_is_no_longer_issued(world, charge_lot, clerk, api_as):
    _tested(charge_lot, next_due=TODAY() + timedelta(days=30))
    issue_post(
        depot=world.depot_a,
        lines=[Movement(charge_lot.pk, world.sh1.pk, 5)],
        recipient=world.unit,
        occurred_on=TODAY(),
        posted_by=clerk,
    )
    surveillance_sweep()
    assert Lot.objects.get(pk=charge_lot.pk).condition_id == "A"  # not yet due

    _tested(charge_lot, next_due=TODAY() - timedelta(days=1))
    surveillance_sweep()
    assert Lot.objects.get(pk=charge_lot.pk).condition_id == "J"
    documents = Document.objects.count()
    response = api_as(clerk).post(
        "/api/v1/issues/",
        {
            "occurred_on": TODAY().isoformat(),
            "recipient": world.unit.pk,
            "purpose": "exercise",
            "lines": [{"lot": charge_lot.pk, "storehouse": world.sh1.pk, "quantity": 5}],
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "lot_not_issuable"
    with pytest.raises(LotNotIssuable):
        issue_post(
            depot=world.depot_a,
            lines=[Movement(charge_lot.pk, world.sh1.pk, 5)],
            recipient=world.restricted_ok,
            occurred_on=TODAY(),
            posted_by=clerk,
        )
    assert Document.objects.count() == documents  # nothing written


def test_a_closed_period_keeps_the_lot_and_its_alert(world, charge_lot, admin_user):
    from inventory.models import ClosedPeriod

    ClosedPeriod.objects.create(
        depot=world.depot_b, starts_on=TODAY(), ends_on=TODAY(), closed_by=admin_user
    )
    counts = surveillance_sweep()
    assert counts["suspend_overdue_stability.lots"] == 0
    assert Lot.objects.get(pk=charge_lot.pk).condition_id == "A"
    assert len(_open(AlertKind.STABILITY_TEST_MISSING)) == 2


@pytest.mark.django_db(transaction=True)
def test_two_suspensions_at_once_post_once(world, charge_lot):
    """Without the job's advisory lock: the second waits on the first's lot locks, then finds
    the lot suspended and posts nothing."""
    system_user()
    posted, release, result = threading.Event(), threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                result["first"] = overdue_lots_suspend()
                posted.set()
                assert release.wait(30)
        finally:
            connections.close_all()

    def second():
        try:
            result["second"] = overdue_lots_suspend()
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    assert posted.wait(30)
    two = threading.Thread(target=second)
    two.start()
    for _ in range(100):  # until the second waits on a lock held by the first
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
        time.sleep(0.05)
    else:
        pytest.fail("the second suspension did not wait for the first")
    release.set()
    one.join(30)
    two.join(30)
    assert result["first"] == {"lots": 1, "documents": 2}
    assert result["second"] == {"lots": 0, "documents": 0}
    assert ConditionChange.objects.filter(lot=charge_lot).count() == 2


# --- Cost -----------------------------------------------------------------------------------------


def _lots(world, charges, clerks, n):
    """`n` propellant lots held (made last year: nothing due yet), received before any is
    suspended (suspect stock is not received beside serviceable stock)."""
    lots = []
    # Serviceable stock beside them in both storehouses: every kind of alert has subjects in
    # every run (an empty kind costs one query less: nothing to upsert).
    world.stock(clerks[0], world.lot(world.ball, number="BALL-1"), world.sh1, 1)
    world.stock(clerks[1], world.lot(world.ball, number="BALL-3"), world.sh3, 1)
    for number in range(n):
        lot = _propellant_lot(world, charges, f"CHG-Q{number}", made=TODAY() - timedelta(days=365))
        if number % 2:
            world.stock(clerks[0], lot, world.sh1, 1)
        else:
            world.stock(clerks[1], lot, world.sh3, 1)
        lots.append(lot)
    return lots


def _make_overdue(lots):
    """Every kind of cause at once: first test, next test, inspection, unstable result."""
    for number, lot in enumerate(lots):
        Lot.objects.filter(pk=lot.pk).update(manufactured_on=date(2020, 1, 1))
        if number % 3 == 0:
            _tested(lot, next_due=TODAY() - timedelta(days=1))
        if number % 5 == 0:
            Lot.objects.filter(pk=lot.pk).update(created_at=timezone.now() - timedelta(days=800))


def test_the_sweep_costs_the_same_for_5_and_50_lots(world, charges, clerk, clerk_b):
    system_user()  # created once, on the first automatic posting ever

    def measure():
        with CaptureQueriesContext(connection) as captured:
            counts = surveillance_sweep()
        return len(captured), counts

    lots = _lots(world, charges, (clerk, clerk_b), 50)
    _make_overdue(lots[:5])
    small, counts = measure()  # suspends 5 lots, raises their alerts
    assert counts["suspend_overdue_stability.lots"] == 5
    _make_overdue(lots[5:])
    large, counts = measure()  # suspends 45 more
    assert counts["suspend_overdue_stability.lots"] == 45
    assert counts["stability_test_missing.raised"] > 20
    assert counts["inspection_overdue.raised"] == 9
    assert large == small
    steady, counts = measure()  # nothing to suspend; every alert refreshed
    assert counts["suspend_overdue_stability.lots"] == 0
    assert steady == small


# --- Recorded job and real worker ---------------------------------------------------------------


def test_the_recorded_run_counts_the_suspensions(world, charge_lot):
    run = surveillance_sweep_run()
    assert run.outcome == JobOutcome.SUCCEEDED
    assert run.rows_touched["suspend_overdue_stability.lots"] == 1
    assert run.rows_touched["suspend_overdue_stability.documents"] == 2
    assert run.rows_touched["stability_test_missing.raised"] == 2


@pytest.mark.worker
def test_a_real_worker_runs_the_sweep_end_to_end(worker, world, charge_lot):  # noqa: F811
    result = surveillance_sweep_task.apply_async(queue=worker)
    body = result.get(timeout=120)
    assert body["outcome"] == JobOutcome.SUCCEEDED
    assert body["rows_touched"]["suspend_overdue_stability.lots"] == 1
    assert Lot.objects.get(pk=charge_lot.pk).condition_id == "J"
    assert ConditionChange.objects.filter(lot=charge_lot, to_condition="J").count() == 2
    assert len(_open(AlertKind.STABILITY_TEST_MISSING)) == 2
    assert JobRun.objects.get(pk=body["job_run"]).rows_touched == body["rows_touched"]
    # Run again by the worker: nothing more to suspend.
    again = surveillance_sweep_task.apply_async(queue=worker).get(timeout=120)
    assert again["rows_touched"]["suspend_overdue_stability.lots"] == 0
    assert ConditionChange.objects.filter(lot=charge_lot).count() == 2
