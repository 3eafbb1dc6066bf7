"""Decisions that bind beyond one's depots (issue 15, part B): lifting a ban, extending a shelf
life; a counter's variance reason after submission; closing a loss alert by acknowledging it."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from alerts.models import AlertKind
from alerts.services import alert_acknowledge, alert_raise
from stockchecks.models import StockCheckKind
from stockchecks.services import (
    stock_check_count,
    stock_check_line_annotate,
    stock_check_plan,
    stock_check_start,
    stock_check_submit,
)
from surveillance.models import InspectionKind
from surveillance.services import ban_impose, ban_lift, inspection_record, shelf_life_extend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lot_in_both(world, clerk, clerk_b):
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 10)
    world.stock(clerk_b, lot, world.sh3, 5)
    return lot


def test_a_depot_inspector_cannot_lift_a_ban_binding_another_depot(
    lot_in_both, inspector, officer, admin_user, national_inspector
):
    ban = ban_impose(kind="ban", reason="r", reference="x", imposed_by=inspector, lot=lot_in_both)
    with pytest.raises(PermissionDenied):
        ban_lift(ban=ban, reason="ok", lifted_by=inspector)
    assert ban_lift(ban=ban, reason="ok", lifted_by=officer).lifted_by == officer
    for decider in (admin_user, national_inspector):
        other = ban_impose(
            kind="ban", reason="r", reference="y", imposed_by=inspector, lot=lot_in_both
        )
        assert ban_lift(ban=other, reason="ok", lifted_by=decider).lifted_at is not None


def test_an_inspector_of_every_depot_holding_the_lot_may_lift(world, lot_in_both, inspector):
    both = UserFactory(roles=["inspector"], depots=[world.depot_a, world.depot_b])
    ban = ban_impose(kind="ban", reason="r", reference="x", imposed_by=inspector, lot=lot_in_both)
    assert ban_lift(ban=ban, reason="ok", lifted_by=both).lifted_by == both


def test_a_lot_of_one_depot_is_still_lifted_by_its_inspector(world, clerk, inspector):
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 10)
    ban = ban_impose(kind="ban", reason="r", reference="x", imposed_by=inspector, lot=lot)
    assert ban_lift(ban=ban, reason="ok", lifted_by=inspector).lifted_by == inspector


def test_shelf_life_of_a_lot_held_elsewhere_is_extended_by_an_officer(
    world, lot_in_both, inspector, officer
):
    lot_in_both.expires_on = timezone.localdate() + timedelta(days=5)
    lot_in_both.save()
    inspection = inspection_record(
        lot=lot_in_both, depot=world.depot_a, kind=InspectionKind.PERIODIC,
        inspected_on=timezone.localdate(), sample_size=5, findings="Fine", condition="A",
        inspector=inspector,
    )  # fmt: skip
    later = timezone.localdate() + timedelta(days=400)
    with pytest.raises(PermissionDenied):
        shelf_life_extend(
            lot=lot_in_both, new_expires_on=later, reason="ok", decided_by=inspector,
            inspection=inspection,
        )  # fmt: skip
    extension = shelf_life_extend(
        lot=lot_in_both, new_expires_on=later, reason="ok", decided_by=officer,
        inspection=inspection,
    )  # fmt: skip
    assert extension.decided_by == officer


def test_a_counter_cannot_change_the_reason_after_submission(world, clerk, inspector):
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 10)
    check = stock_check_plan(depot=world.depot_a, planned_by=clerk, kind=StockCheckKind.FULL)
    check = stock_check_start(stock_check=check, started_by=clerk)
    line = stock_check_count(
        stock_check=check, counted_by=clerk, lot=lot, storehouse=world.sh1, quantity=8
    )
    stock_check_line_annotate(line=line, user=clerk, reason="count_variance")  # while counting
    stock_check_submit(stock_check=check, submitted_by=clerk)
    with pytest.raises(PermissionDenied):
        stock_check_line_annotate(line=line, user=clerk, reason="lost")
    line.refresh_from_db()
    assert line.reason == "count_variance"
    stock_check_line_annotate(line=line, user=clerk, note="Shelf 3 rechecked")  # notes still
    assert stock_check_line_annotate(line=line, user=inspector, reason="lost").reason == "lost"


@pytest.mark.parametrize("kind", [AlertKind.LOSS_RECORDED, AlertKind.TRANSIT_DISCREPANCY])
def test_only_who_closes_a_loss_resolves_its_alert(world, clerk, officer, inspector, kind):
    lot = world.lot(world.ball)
    alert = alert_raise(kind=kind, depot_id=world.depot_a.pk, lot_id=lot.pk, message="Loss.")
    for user in (clerk, officer):
        with pytest.raises(PermissionDenied):
            alert_acknowledge(alert=alert, user=user)
    alert.refresh_from_db()
    assert alert.resolved_at is None
    assert alert.acknowledged_at is None
    assert alert_acknowledge(alert=alert, user=inspector).resolved_at is not None


def test_a_state_alert_is_still_acknowledged_by_a_clerk(world, clerk):
    lot = world.lot(world.ball)
    alert = alert_raise(
        kind=AlertKind.LOT_EXPIRED, depot_id=world.depot_a.pk, lot_id=lot.pk, message="Expired."
    )
    acknowledged = alert_acknowledge(alert=alert, user=clerk)
    assert acknowledged.acknowledged_by == clerk
    assert acknowledged.resolved_at is None
