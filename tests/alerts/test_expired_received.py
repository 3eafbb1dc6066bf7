"""Expired stock received (DESIGN.md §6, issue 14): a receipt, return or transfer receipt of a lot
past its expiry date is posted (the truth is recorded) and raises the `lot_expired` alert at once,
through inventory.hooks, the same alert the sweep raises, keeps and resolves. The check costs no
query unless an expired lot is received, then a fixed number whatever the number of lines."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import Alert, AlertKind, Severity
from alerts.sweep import surveillance_sweep
from inventory.errors import NoLicence
from inventory.models import Balance, Document, Lot
from inventory.models.ledger import AdjustmentReason
from inventory.services.posting import (
    MoveLine,
    Movement,
    adjustment_approve,
    adjustment_create,
    issue_post,
    move_post,
    receipt_post,
    return_post,
    transfer_dispatch,
    transfer_receive,
)

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def expired_alerts():
    return list(
        Alert.objects.filter(kind=AlertKind.LOT_EXPIRED, resolved_at__isnull=True).order_by("id")
    )


def lot_expiring_on(world, expires_on, number="L-EXP"):
    lot = world.lot(world.ball, number)
    Lot.objects.filter(pk=lot.pk).update(expires_on=expires_on)
    lot.refresh_from_db()
    return lot


def receive(world, clerk, lots, storehouse=None, quantity=10, on=None):
    return receipt_post(
        depot=world.depot_a,
        lines=[Movement(lot.pk, (storehouse or world.sh1).pk, quantity) for lot in lots],
        occurred_on=on or today(),
        posted_by=clerk,
        counterparty="Found on the range",
    )


class TestReceipt:
    def test_an_expired_lot_is_received_and_its_alert_raised_at_once(self, world, clerk):
        lot = lot_expiring_on(world, today() - timedelta(days=1))
        document = receive(world, clerk, [lot])
        assert document.status == "posted"
        assert Balance.objects.get(lot=lot, storehouse=world.sh1).quantity == 10
        [alert] = expired_alerts()
        assert (alert.depot_id, alert.lot_id, alert.storehouse_id, alert.document_id) == (
            world.depot_a.pk,
            lot.pk,
            None,
            None,
        )
        assert alert.severity == Severity.CRITICAL
        assert alert.message == (
            f"Lot L-EXP (762-BALL) expired on {lot.expires_on:%Y-%m-%d}; 10 held."
        )

    def test_the_sweep_keeps_the_same_alert(self, world, clerk):
        lot = lot_expiring_on(world, today() - timedelta(days=400))
        receive(world, clerk, [lot])
        [raised] = expired_alerts()
        counts = surveillance_sweep()
        assert (counts["lot_expired.raised"], counts["lot_expired.refreshed"]) == (0, 1)
        [kept] = expired_alerts()
        assert (kept.pk, kept.message, kept.details) == (raised.pk, raised.message, raised.details)
        assert kept.first_seen == raised.first_seen

    def test_a_valid_lot_raises_none(self, world, clerk):
        lot = lot_expiring_on(world, today() + timedelta(days=1))
        receive(world, clerk, [lot])
        assert Alert.objects.count() == 0

    def test_a_lot_without_expiry_raises_none(self, world, clerk):
        lot = lot_expiring_on(world, None)
        receive(world, clerk, [lot])
        assert expired_alerts() == []

    def test_the_expiry_day_itself_is_still_valid(self, world, clerk):
        lot = lot_expiring_on(world, today())
        receive(world, clerk, [lot])
        assert expired_alerts() == []

    def test_a_second_receipt_refreshes_the_alert_without_duplicating_it(self, world, clerk):
        lot = lot_expiring_on(world, today() - timedelta(days=1))
        receive(world, clerk, [lot])
        [first] = expired_alerts()
        receive(world, clerk, [lot], storehouse=world.sh2, quantity=5)
        [again] = expired_alerts()
        assert again.pk == first.pk
        assert again.first_seen == first.first_seen
        assert again.last_seen > first.last_seen
        assert "; 15 held." in again.message  # what the depot holds, in both storehouses
        assert Alert.objects.filter(kind=AlertKind.LOT_EXPIRED).count() == 1

    def test_only_the_expired_lots_of_a_receipt_are_alerted(self, world, clerk):
        valid = lot_expiring_on(world, today(), "L-VALID")
        expired = [
            lot_expiring_on(world, today() - timedelta(days=days), f"L-OLD-{days}")
            for days in (1, 30)
        ]
        receive(world, clerk, [valid, *expired])
        assert sorted(a.lot_id for a in expired_alerts()) == sorted(lot.pk for lot in expired)

    def test_a_backdated_receipt_on_the_last_valid_day_is_alerted_as_the_sweep_would(
        self, world, clerk
    ):
        """Valid on the voucher date, expired today: the stock is held expired now, so the alert
        is raised at once, as tonight's sweep would raise it."""
        lot = lot_expiring_on(world, today() - timedelta(days=1))
        receive(world, clerk, [lot], on=today() - timedelta(days=1))
        [alert] = expired_alerts()
        assert alert.lot_id == lot.pk

    def test_a_refused_receipt_raises_nothing(self, world, clerk):
        lot = lot_expiring_on(world, today() - timedelta(days=1))
        before = Document.objects.count()
        with pytest.raises(NoLicence):
            receipt_post(
                depot=world.depot_a,
                lines=[
                    Movement(lot.pk, world.sh1.pk, 10),
                    Movement(lot.pk, world.unlicensed.pk, 10),
                ],
                occurred_on=today(),
                posted_by=clerk,
            )
        assert Document.objects.count() == before
        assert Alert.objects.count() == 0

    def test_the_sweep_resolves_it_once_the_stock_is_gone(self, world, clerk):
        from inventory.services.posting import disposal_post

        lot = lot_expiring_on(world, today() - timedelta(days=1))
        receive(world, clerk, [lot])
        disposal_post(
            depot=world.depot_a,
            lines=[Movement(lot.pk, world.sh1.pk, 10)],
            occurred_on=today(),
            posted_by=clerk,
            reference="DP-1",
        )
        assert surveillance_sweep()["lot_expired.resolved"] == 1
        assert expired_alerts() == []


class TestOtherPostings:
    def test_a_return_of_an_expired_lot(self, world, clerk, returns_into_the_lot):
        lot = lot_expiring_on(world, today() + timedelta(days=10))
        receive(world, clerk, [lot])
        issue_post(
            depot=world.depot_a,
            lines=[Movement(lot.pk, world.sh1.pk, 10)],
            recipient=world.unit,
            occurred_on=today(),
            posted_by=clerk,
            purpose="training",
        )
        Lot.objects.filter(pk=lot.pk).update(expires_on=today() - timedelta(days=1))
        assert expired_alerts() == []  # none held: nothing to alert
        return_post(
            depot=world.depot_a,
            lines=[Movement(lot.pk, world.sh1.pk, 4)],
            recipient=world.unit,
            occurred_on=today(),
            posted_by=clerk,
        )
        assert Balance.objects.get(lot=lot, storehouse=world.sh1).quantity == 4
        [alert] = expired_alerts()
        assert (alert.depot_id, alert.lot_id) == (world.depot_a.pk, lot.pk)

    def test_a_transfer_receipt_alerts_the_receiving_depot(self, world, clerk, clerk_b):
        lot = lot_expiring_on(world, today() + timedelta(days=10))
        receive(world, clerk, [lot], quantity=30)
        Lot.objects.filter(pk=lot.pk).update(expires_on=today() - timedelta(days=1))
        sent = transfer_dispatch(
            depot=world.depot_a,
            destination_depot=world.depot_b,
            lines=[Movement(lot.pk, world.sh1.pk, 30)],
            occurred_on=today(),
            posted_by=clerk,
        )
        assert expired_alerts() == []  # a dispatch receives nothing
        transfer_receive(
            transfer=sent,
            lines=[Movement(lot.pk, world.sh3.pk, 30)],
            occurred_on=today(),
            posted_by=clerk_b,
        )
        assert Balance.objects.get(lot=lot, storehouse=world.sh3).quantity == 30
        [alert] = expired_alerts()
        assert (alert.depot_id, alert.lot_id) == (world.depot_b.pk, lot.pk)
        assert alert.message.endswith("; 30 held.")

    def test_found_stock_recorded_by_an_approved_adjustment(self, world, clerk, inspector):
        lot = lot_expiring_on(world, today() - timedelta(days=1))
        adjustment = adjustment_create(
            depot=world.depot_a,
            lines=[Movement(lot.pk, world.sh1.pk, 7)],
            reason=AdjustmentReason.FOUND,
            occurred_on=today(),
            posted_by=clerk,
        )
        assert expired_alerts() == []  # pending: nothing is held yet
        adjustment_approve(document=adjustment, approved_by=inspector)
        [alert] = expired_alerts()
        assert alert.lot_id == lot.pk

    def test_moving_expired_stock_keeps_the_one_alert(self, world, clerk):
        lot = lot_expiring_on(world, today() - timedelta(days=1))
        receive(world, clerk, [lot])
        [alert] = expired_alerts()
        move_post(
            depot=world.depot_a,
            lines=[MoveLine(lot.pk, world.sh1.pk, world.sh2.pk, 10)],
            occurred_on=today(),
            posted_by=clerk,
        )
        assert [a.pk for a in expired_alerts()] == [alert.pk]


class TestQueries:
    def measure(self, world, clerk, lots):
        receive(world, clerk, lots)  # first postings create counters and chain heads
        with CaptureQueriesContext(connection) as captured:
            receive(world, clerk, lots)
        return [query["sql"] for query in captured.captured_queries]

    def test_valid_stock_costs_nothing_more_and_expired_stock_a_fixed_number(self, world, clerk):
        valid = [lot_expiring_on(world, today(), f"L-V{n}") for n in range(5)]
        expired = [
            lot_expiring_on(world, today() - timedelta(days=n + 1), f"L-X{n}") for n in range(5)
        ]
        one_valid = self.measure(world, clerk, valid[:1])
        assert not any("alerts_alert" in sql for sql in one_valid)
        assert len(self.measure(world, clerk, valid)) == len(one_valid)
        one_expired = self.measure(world, clerk, expired[:1])
        # the depot's expired holdings of those lots, then one upsert of their alerts
        assert len(one_expired) == len(one_valid) + 2, "\n".join(one_expired)
        assert len(self.measure(world, clerk, expired)) == len(one_expired)
        assert len(self.measure(world, clerk, [*valid, *expired])) == len(one_expired)
        assert len(expired_alerts()) == 5


class TestApi:
    def body(self, lot, storehouse, on=None):
        return {
            "reference": "WB-9",
            "occurred_on": (on or today()).isoformat(),
            "counterparty": "Found stock",
            "lines": [{"lot": lot, "storehouse": storehouse.pk, "quantity": 12}],
        }

    def test_receipt_of_an_expired_lot_is_201_with_its_alert(self, api_as, world, clerk):
        lot = lot_expiring_on(world, today() - timedelta(days=2))
        response = api_as(clerk).post(
            "/api/v1/receipts/", self.body(lot.pk, world.sh1), format="json"
        )
        assert response.status_code == 201, response.json()
        assert Balance.objects.get(lot=lot, storehouse=world.sh1).quantity == 12
        [alert] = expired_alerts()
        assert (alert.depot_id, alert.lot_id) == (world.depot_a.pk, lot.pk)
        listed = api_as(clerk).get("/api/v1/alerts/", {"kind": "lot_expired"}).json()
        assert [row["id"] for row in listed["results"]] == [alert.pk]

    def test_an_inline_new_lot_already_expired(self, api_as, world, clerk):
        new_lot = {
            "ammunition_type": world.ball.pk,
            "manufacturer": "Old Arsenal",
            "lot_number": "OLD-1999",
            "manufactured_on": "1999-01-01",
            "expires_on": (today() - timedelta(days=1)).isoformat(),
        }
        response = api_as(clerk).post(
            "/api/v1/receipts/", self.body(new_lot, world.sh1), format="json"
        )
        assert response.status_code == 201, response.json()
        [alert] = expired_alerts()
        assert alert.lot_id == Lot.objects.get(lot_number="OLD-1999").pk

    def test_receipt_on_the_expiry_day_raises_none(self, api_as, world, clerk):
        lot = lot_expiring_on(world, today())
        response = api_as(clerk).post(
            "/api/v1/receipts/", self.body(lot.pk, world.sh1), format="json"
        )
        assert response.status_code == 201, response.json()
        assert expired_alerts() == []
