"""The surveillance sweep: every detector raises its alert, keeps it while the cause lasts, and
resolves it when the cause is gone; running twice changes nothing; cost is fixed."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import Alert, AlertKind, Severity
from alerts.services import alert_acknowledge
from alerts.sweep import run_detectors, surveillance_sweep
from alerts.tasks import reconcile_ledger_task
from core.models import JobOutcome, JobRun
from core.roles import Role
from inventory.models import Licence, LicenceLimit, Lot, PolicySetting, Waiver
from inventory.models.ledger import AdjustmentReason
from inventory.services.posting import (
    Movement,
    adjustment_approve,
    adjustment_create,
    transfer_dispatch,
    transfer_receive,
)
from inventory.services.reversals import document_reverse
from tests.factories import UserFactory, reverse_approved

pytestmark = pytest.mark.django_db


def _open(kind):
    return list(Alert.objects.filter(kind=kind, resolved_at__isnull=True).order_by("id"))


def _expire(lot, days):
    Lot.objects.filter(pk=lot.pk).update(expires_on=timezone.localdate() + timedelta(days=days))


def test_lot_expiring_raised_refreshed_and_resolved(world, clerk):
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 10)
    _expire(lot, 100)
    counts = surveillance_sweep()
    assert counts["lot_expiring.raised"] == 1
    [alert] = _open(AlertKind.LOT_EXPIRING)
    assert (alert.lot_id, alert.depot_id, alert.severity) == (lot.pk, world.depot_a.pk, "warning")
    assert "expires on" in alert.message
    assert "10 held" in alert.message
    first_seen = alert.first_seen

    again = surveillance_sweep()
    assert again["lot_expiring.raised"] == 0
    assert again["lot_expiring.refreshed"] == 1
    [same] = _open(AlertKind.LOT_EXPIRING)
    assert same.pk == alert.pk
    assert same.first_seen == first_seen
    assert same.last_seen > first_seen

    _expire(lot, 400)  # an approved extension moved the expiry past the horizon
    assert surveillance_sweep()["lot_expiring.resolved"] == 1
    assert _open(AlertKind.LOT_EXPIRING) == []
    assert Alert.objects.get(pk=alert.pk).resolved_at is not None


def test_expiry_horizon_is_policy(world, clerk):
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 10)
    _expire(lot, 100)
    PolicySetting.objects.update_or_create(key="expiry_horizon_days", defaults={"value": 30})
    surveillance_sweep()
    assert _open(AlertKind.LOT_EXPIRING) == []


def test_lot_expired_is_critical_and_only_for_stock_on_hand(world, clerk):
    held = world.lot(world.ball, number="HELD")
    world.stock(clerk, held, world.sh1, 10)
    empty = world.lot(world.ball, number="EMPTY")
    _expire(held, -1)
    _expire(empty, -1)
    surveillance_sweep()
    [alert] = _open(AlertKind.LOT_EXPIRED)
    assert alert.lot_id == held.pk
    assert alert.severity == Severity.CRITICAL
    assert _open(AlertKind.LOT_EXPIRING) == []


def test_expiry_day_is_still_valid_and_the_day_after_is_expired(world, clerk):
    """The expiry date is the last valid day (DESIGN.md §6), as for issues and surplus."""
    last_day = world.lot(world.ball, number="LAST-DAY")
    day_after = world.lot(world.ball, number="DAY-AFTER")
    world.stock(clerk, last_day, world.sh1, 10)
    world.stock(clerk, day_after, world.sh1, 10)
    _expire(last_day, 0)
    _expire(day_after, -1)
    surveillance_sweep()
    assert [a.lot_id for a in _open(AlertKind.LOT_EXPIRING)] == [last_day.pk]
    assert [a.lot_id for a in _open(AlertKind.LOT_EXPIRED)] == [day_after.pk]
    assert all(not lot.is_expired(timezone.localdate()) for lot in [last_day])


def test_lot_held_in_two_depots_has_an_alert_in_each(world, clerk, clerk_b):
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 10)
    world.stock(clerk_b, lot, world.sh3, 5)
    _expire(lot, -3)
    surveillance_sweep()
    assert {a.depot_id for a in _open(AlertKind.LOT_EXPIRED)} == {
        world.depot_a.pk,
        world.depot_b.pk,
    }


def test_licence_expiring_until_renewed(world):
    today = timezone.localdate()
    Licence.objects.filter(storehouse=world.sh2).update(valid_until=today + timedelta(days=60))
    surveillance_sweep()
    [alert] = _open(AlertKind.LICENCE_EXPIRING)
    assert alert.storehouse_id == world.sh2.pk
    assert "LIC-SH2" in alert.message
    Licence.objects.create(
        storehouse=world.sh2,
        number="LIC-SH2-B",
        valid_from=today + timedelta(days=61),
        valid_until=today + timedelta(days=800),
    )
    assert surveillance_sweep()["licence_expiring.resolved"] == 1


def test_licence_exceeded_after_a_limit_is_lowered(world, clerk):
    lot = world.lot(world.tnt)  # 0.2 kg each, HD 1.1
    world.stock(clerk, lot, world.sh1, 1000)  # 200 kg against a 1000 kg limit
    surveillance_sweep()
    assert _open(AlertKind.LICENCE_EXCEEDED) == []
    LicenceLimit.objects.filter(licence__storehouse=world.sh1, hazard_division="1.1").update(
        max_neq_kg=Decimal("150")
    )
    surveillance_sweep()
    [alert] = _open(AlertKind.LICENCE_EXCEEDED)
    assert alert.storehouse_id == world.sh1.pk
    assert alert.severity == Severity.CRITICAL
    assert "200 kg assessed as HD 1.1" in alert.message
    assert "150 kg" in alert.message
    LicenceLimit.objects.filter(licence__storehouse=world.sh1, hazard_division="1.1").update(
        max_neq_kg=Decimal("500")
    )
    assert surveillance_sweep()["licence_exceeded.resolved"] == 1


def test_licence_exceeded_when_the_licence_lapses(world, clerk):
    world.stock(clerk, world.lot(world.ball), world.sh2, 10)
    yesterday = timezone.localdate() - timedelta(days=1)
    Licence.objects.filter(storehouse=world.sh2).update(
        valid_from=yesterday - timedelta(days=10), valid_until=yesterday
    )
    surveillance_sweep()
    [alert] = _open(AlertKind.LICENCE_EXCEEDED)
    assert "no licence in force" in alert.message


def test_suspect_mixed_until_moved_or_waived(world, clerk, inspector):
    good = world.lot(world.ball, number="GOOD")
    bad = world.lot(world.ball, number="BAD")
    world.stock(clerk, good, world.sh2, 10)
    world.stock(clerk, bad, world.sh2, 10)
    surveillance_sweep()
    assert _open(AlertKind.SUSPECT_MIXED) == []
    Lot.objects.filter(pk=bad.pk).update(condition_id="D")  # suspended, not stored apart
    surveillance_sweep()
    assert _open(AlertKind.SUSPECT_MIXED) == []
    Lot.objects.filter(pk=bad.pk).update(condition_id="Q")  # quality deficiency: stored apart
    surveillance_sweep()
    [alert] = _open(AlertKind.SUSPECT_MIXED)
    assert alert.storehouse_id == world.sh2.pk
    assert alert.details == {
        "suspect_lots": ["BAD"],
        "suspect_count": 1,
        "other_lots": ["GOOD"],
        "other_count": 1,
    }
    Waiver.objects.create(
        storehouse=world.sh2,
        rule="isolation",
        reason="Awaiting transport",
        authority_reference="NTA-1",
        expires_on=timezone.localdate() + timedelta(days=7),
        recorded_by=inspector,
    )
    assert surveillance_sweep()["suspect_mixed.resolved"] == 1


def test_suspect_mixed_condemned_lots_of_different_types(world, clerk):
    """Issue 14: condemned lots of different types may not share a store either."""
    first = world.lot(world.ball, number="H-1")
    other = world.lot(world.tnt, number="H-2")
    world.stock(clerk, first, world.sh1, 10)
    world.stock(clerk, other, world.sh1, 10)
    Lot.objects.filter(pk__in=[first.pk, other.pk]).update(condition_id="H")
    surveillance_sweep()
    [alert] = _open(AlertKind.SUSPECT_MIXED)
    assert alert.details["suspect_lots"] == ["H-1", "H-2"]


def test_suspect_mixed_excepts_the_lots_own_split_children(world, clerk, inspector):
    from inventory.services.posting import lot_split

    parent = world.lot(world.ball, number="P")
    world.stock(clerk, parent, world.sh2, 10)
    Lot.objects.filter(pk=parent.pk).update(condition_id="H")
    parent.refresh_from_db()
    lot_split(
        lot=parent,
        quantities={world.sh2.pk: 4},
        suffix="/1",
        condition="H",
        occurred_on=timezone.localdate(),
        posted_by=inspector,
    )
    surveillance_sweep()
    # The child (H) is beside its parent, which is not its own split child: one alert, naming
    # the child as the lot to move.
    [alert] = _open(AlertKind.SUSPECT_MIXED)
    assert alert.details["suspect_lots"] == ["P/1"]
    assert alert.details["other_lots"] == ["P"]


def test_storage_incompatible_when_n1_hosts_are_no_longer_recorded(world, clerk, admin_user):
    """Stock mixed under an earlier rule (note n1 read loosely, a matrix amendment) is not
    refused retroactively: the sweep reports it until moved or recorded."""
    from inventory.services.reference import ammunition_type_assembles_to_set

    ammunition_type_assembles_to_set(
        ammunition_type=world.detonator, hosts=[world.tnt], changed_by=admin_user
    )
    world.stock(clerk, world.lot(world.tnt, "TNT-1"), world.sh1, 10)
    world.stock(clerk, world.lot(world.detonator, "DET-1"), world.sh1, 10)
    surveillance_sweep()
    assert _open(AlertKind.STORAGE_INCOMPATIBLE) == []
    ammunition_type_assembles_to_set(
        ammunition_type=world.detonator, hosts=[], changed_by=admin_user
    )
    surveillance_sweep()
    [alert] = _open(AlertKind.STORAGE_INCOMPATIBLE)
    assert (alert.storehouse_id, alert.severity) == (world.sh1.pk, Severity.CRITICAL)
    assert alert.details == {
        "breaches": [{"groups": ["B", "D"], "note": "n1", "ammunition_types": ["DET-8", "TNT-200"]}]
    }
    assert "CG B and CG D (note n1): DET-8, TNT-200" in alert.message
    ammunition_type_assembles_to_set(
        ammunition_type=world.detonator, hosts=[world.tnt], changed_by=admin_user
    )
    assert surveillance_sweep()["storage_incompatible.resolved"] == 1


def test_suspect_alone_is_no_alert(world, clerk):
    bad = world.lot(world.ball, number="BAD", condition="H")
    world.stock(clerk, bad, world.sh2, 10)
    surveillance_sweep()
    assert _open(AlertKind.SUSPECT_MIXED) == []


def _short_transfer(world, clerk, clerk_b):
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 10)
    today = timezone.localdate()
    transfer = transfer_dispatch(
        depot=world.depot_a,
        lines=[Movement(lot.pk, world.sh1.pk, 10)],
        destination_depot=world.depot_b,
        occurred_on=today,
        posted_by=clerk,
    )
    receipt = transfer_receive(
        transfer=transfer,
        lines=[Movement(lot.pk, world.sh3.pk, 8)],
        occurred_on=today,
        posted_by=clerk_b,
    )
    return transfer, receipt


@pytest.fixture
def inspector_b(depot_b):
    return UserFactory(username="inspector_b", roles=[Role.INSPECTOR], depots=[depot_b])


def test_transit_discrepancy_for_both_depots_until_acknowledged(
    world, clerk, clerk_b, inspector, inspector_b
):
    transfer, _ = _short_transfer(world, clerk, clerk_b)
    surveillance_sweep()
    alerts = _open(AlertKind.TRANSIT_DISCREPANCY)
    assert {(a.depot_id, a.document_id) for a in alerts} == {
        (world.depot_a.pk, transfer.pk),
        (world.depot_b.pk, transfer.pk),
    }
    alert_acknowledge(
        alert=alerts[0], user=inspector if alerts[0].depot_id == world.depot_a.pk else inspector_b
    )
    assert len(_open(AlertKind.TRANSIT_DISCREPANCY)) == 1
    counts = surveillance_sweep()  # the acknowledged one is not raised again
    assert counts["transit_discrepancy.raised"] == 0
    assert len(_open(AlertKind.TRANSIT_DISCREPANCY)) == 1


def test_transit_discrepancy_resolved_when_the_receipt_is_reversed(world, clerk, clerk_b):
    _, receipt = _short_transfer(world, clerk, clerk_b)
    surveillance_sweep()
    approver = UserFactory(roles=[Role.INSPECTOR], depots=[world.depot_b])
    reverse_approved(receipt, reason="Wrong count", posted_by=clerk_b, approved_by=approver)
    assert surveillance_sweep()["transit_discrepancy.resolved"] == 2


def test_loss_recorded_when_approved_and_resolved_when_reversed(world, clerk, inspector):
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 10)
    adjustment = adjustment_create(
        depot=world.depot_a,
        lines=[Movement(lot.pk, world.sh1.pk, -3)],
        reason=AdjustmentReason.STOLEN,
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    )
    surveillance_sweep()
    assert _open(AlertKind.LOSS_RECORDED) == []  # pending approval: nothing lost yet
    adjustment_approve(document=adjustment, approved_by=inspector)
    surveillance_sweep()
    [alert] = _open(AlertKind.LOSS_RECORDED)
    assert alert.document_id == adjustment.pk
    assert alert.severity == Severity.CRITICAL
    assert "3 units stolen" in alert.message
    document_reverse(document=adjustment, reason="Found again", posted_by=clerk)
    assert surveillance_sweep()["loss_recorded.resolved"] == 1


def test_ledger_drift_raised_and_resolved_by_the_reconciliation(world, clerk):
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 10)
    assert reconcile_ledger_task() == 0
    with connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_balance SET quantity = 9 WHERE lot_id = %s", [lot.pk])
    assert reconcile_ledger_task() == 1
    [alert] = _open(AlertKind.LEDGER_DRIFT)
    assert (alert.lot_id, alert.storehouse_id) == (lot.pk, world.sh1.pk)
    assert alert.details == {"balance": 9, "ledger": 10}
    assert "ledger_drift.raised" not in surveillance_sweep()  # not the daily sweep's work
    with connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_balance SET quantity = 10 WHERE lot_id = %s", [lot.pk])
    assert reconcile_ledger_task() == 0
    assert _open(AlertKind.LEDGER_DRIFT) == []
    runs = JobRun.objects.filter(name="reconcile_ledger").order_by("id")
    assert [r.outcome for r in runs] == [JobOutcome.SUCCEEDED] * 3
    assert runs[1].rows_touched["drift"] == 1


def test_running_twice_changes_nothing(world, clerk):
    for number in range(3):
        lot = world.lot(world.ball, number=f"L{number}")
        world.stock(clerk, lot, world.sh1, 10)
        _expire(lot, -number)
    Lot.objects.filter(lot_number="L0").update(condition_id="D")
    surveillance_sweep()
    before = list(Alert.objects.order_by("id").values_list("id", "kind", "resolved_at", "message"))
    counts = surveillance_sweep()
    after = list(Alert.objects.order_by("id").values_list("id", "kind", "resolved_at", "message"))
    assert before == after
    assert not any(v for k, v in counts.items() if not k.endswith(".refreshed"))


def _lots(world, clerk, n):
    for number in range(n):
        lot = world.lot(world.ball, number=f"Q{n}-{number}")
        world.stock(clerk, lot, world.sh2, 1)
        _expire(lot, (number % 3) - 1)  # expired, expiring today, expiring soon


@pytest.mark.parametrize("detector_set", ["sweep", "drift"])
def test_sweep_costs_a_fixed_number_of_queries(world, clerk, detector_set):
    def measure():
        with CaptureQueriesContext(connection) as captured:
            if detector_set == "sweep":
                surveillance_sweep()
            else:
                run_detectors([AlertKind.LEDGER_DRIFT])
        return len(captured)

    _lots(world, clerk, 5)
    measure()
    small = measure()
    _lots(world, clerk, 45)
    measure()
    assert measure() == small


def test_management_command_prints_what_it_did(world, clerk):
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 10)
    _expire(lot, -1)
    out = io.StringIO()
    call_command("surveillance_sweep", stdout=out)
    assert "lot_expired.raised: 1" in out.getvalue()
    assert "1 alert(s) raised" in out.getvalue()
    run = JobRun.objects.get(name="surveillance_sweep")
    assert run.outcome == JobOutcome.SUCCEEDED
    assert run.rows_touched["lot_expired.raised"] == 1


@pytest.mark.parametrize(
    ("type_neq", "lot_neq", "exceeded"),
    [("6", None, True), ("4", None, False), ("4", "6", True), ("6", "4", False)],
)
def test_licence_exceeded_follows_the_aggregation_rules(world, clerk, type_neq, lot_neq, exceeded):
    """A 1.2.1 item over 5 kg NEQ (the type's, or the lot's override) makes the storehouse NEQ
    count as 1.1 (DESIGN.md §4 rule 4); below it, 1.2.1 stands against its own limit."""
    from inventory.models import AmmunitionType

    rocket = AmmunitionType.objects.create(
        code="RKT", name="Rocket", category="rocket", hazard_division="1.2.1",
        compatibility_group="E", neq_per_unit_kg=Decimal(type_neq), shelf_life_months=240,
    )  # fmt: skip
    lot = world.lot(rocket)
    if lot_neq:
        Lot.objects.filter(pk=lot.pk).update(neq_per_unit_kg=Decimal(lot_neq))
    world.stock(clerk, lot, world.sh1, 10)  # 40 or 60 kg, within every 1,000 kg limit
    LicenceLimit.objects.filter(licence__storehouse=world.sh1, hazard_division="1.1").update(
        max_neq_kg=Decimal("30")
    )
    surveillance_sweep()
    alerts = _open(AlertKind.LICENCE_EXCEEDED)
    assert bool(alerts) == exceeded
    if exceeded:
        assert "assessed as HD 1.1" in alerts[0].message


def test_suspect_mixed_names_the_first_lots_only():
    from alerts.detectors import _some

    assert _some(["A", "B"]) == "A, B"
    numbers = [f"L{n:02d}" for n in range(12)]
    assert _some(numbers) == ", ".join(numbers[:10]) + " and 2 more"
