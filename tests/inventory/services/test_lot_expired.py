"""Expired lots (DESIGN.md §6): the expiry date is the last valid day; from the next day an
expired lot without an extension is not issued (409 `lot_expired`), while receipts, moves,
transfers, disposals, returns and reversals remain allowed (the truth must be recorded)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inventory.errors import LotExpired
from inventory.models import Balance, Document, LedgerLine
from inventory.services.posting import (
    MoveLine,
    Movement,
    disposal_post,
    issue_post,
    move_post,
    return_post,
    transfer_dispatch,
    transfer_receive,
)
from inventory.services.reversals import document_reverse

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def ledger():
    return (
        Document.objects.count(),
        LedgerLine.objects.count(),
        sorted(Balance.objects.values_list("lot_id", "storehouse_id", "quantity")),
    )


def expiring(world, clerk, expires_on, number="L-EXP", quantity=100):
    lot = world.lot(world.ball, number)
    lot.expires_on = expires_on
    lot.save(update_fields=["expires_on"])
    world.stock(clerk, lot, world.sh1, quantity)
    return lot


def issue(world, clerk, lot, quantity=10, on=None):
    return issue_post(
        depot=world.depot_a,
        lines=[Movement(lot.pk, world.sh1.pk, quantity)],
        recipient=world.unit,
        occurred_on=on or today(),
        posted_by=clerk,
        purpose="training",
    )


class TestIssueRefused:
    def test_lot_two_years_past_expiry_is_not_issued_and_nothing_is_written(self, world, clerk):
        lot = expiring(world, clerk, today() - timedelta(days=730))
        before = ledger()
        with pytest.raises(LotExpired) as refused:
            issue(world, clerk, lot)
        assert refused.value.code == "lot_expired"
        assert refused.value.extra == {
            "lot": "L-EXP",
            "expires_on": lot.expires_on.isoformat(),
        }
        assert ledger() == before

    def test_expiry_day_is_still_valid(self, world, clerk):
        lot = expiring(world, clerk, today())
        issue(world, clerk, lot, 10)
        assert Balance.objects.get(lot=lot).quantity == 90

    def test_the_day_after_expiry_is_expired(self, world, clerk):
        lot = expiring(world, clerk, today() - timedelta(days=1))
        before = ledger()
        with pytest.raises(LotExpired):
            issue(world, clerk, lot)
        assert ledger() == before

    def test_a_voucher_dated_on_the_last_valid_day_is_issued(self, world, clerk):
        """The voucher date decides: stock issued on its last valid day, recorded the next."""
        lot = expiring(world, clerk, today() - timedelta(days=1))
        issue(world, clerk, lot, 5, on=today() - timedelta(days=1))
        assert Balance.objects.get(lot=lot).quantity == 95

    def test_an_extended_lot_is_issued(self, world, clerk, inspector):
        from surveillance.services import inspection_record, shelf_life_extend

        lot = expiring(world, clerk, today() - timedelta(days=10))
        found = inspection_record(
            lot=lot,
            depot=world.depot_a,
            kind="periodic",
            inspected_on=today(),
            sample_size=5,
            findings="Serviceable",
            condition="A",
            inspector=inspector,
        )
        shelf_life_extend(
            lot=lot,
            new_expires_on=today() + timedelta(days=365),
            reason="Inspected serviceable",
            decided_by=inspector,
            inspection=found,
        )
        issue(world, clerk, lot, 10)
        assert Balance.objects.get(lot=lot).quantity == 90

    def test_a_condemned_expired_lot_gives_the_condition_refusal_first(self, world, clerk):
        from inventory.errors import LotNotIssuable

        lot = expiring(world, clerk, today() - timedelta(days=30))
        lot.condition_id = "H"
        lot.save(update_fields=["condition"])
        with pytest.raises(LotNotIssuable):
            issue(world, clerk, lot)


class TestOtherMovementsAllowed:
    @pytest.fixture
    def lot(self, world, clerk):
        return expiring(world, clerk, today() - timedelta(days=730))

    def test_received(self, world, clerk, lot):
        world.stock(clerk, lot, world.sh1, 5)
        assert Balance.objects.get(lot=lot, storehouse=world.sh1).quantity == 105

    def test_moved(self, world, clerk, lot):
        move_post(
            depot=world.depot_a,
            lines=[MoveLine(lot.pk, world.sh1.pk, world.sh2.pk, 40)],
            occurred_on=today(),
            posted_by=clerk,
        )
        assert Balance.objects.get(lot=lot, storehouse=world.sh2).quantity == 40

    def test_transferred_and_received(self, world, clerk, clerk_b, lot):
        sent = transfer_dispatch(
            depot=world.depot_a,
            destination_depot=world.depot_b,
            lines=[Movement(lot.pk, world.sh1.pk, 30)],
            occurred_on=today(),
            posted_by=clerk,
        )
        transfer_receive(
            transfer=sent,
            lines=[Movement(lot.pk, world.sh3.pk, 30)],
            occurred_on=today(),
            posted_by=clerk_b,
        )
        assert Balance.objects.get(lot=lot, storehouse=world.sh3).quantity == 30

    def test_disposed_of(self, world, clerk, lot):
        disposal_post(
            depot=world.depot_a,
            lines=[Movement(lot.pk, world.sh1.pk, 100)],
            occurred_on=today(),
            posted_by=clerk,
            reference="DP-1",
        )
        assert Balance.objects.get(lot=lot, storehouse=world.sh1).quantity == 0

    def test_returned_and_an_old_issue_reversed(self, world, clerk, lot, returns_into_the_lot):
        lot.expires_on = today()
        lot.save(update_fields=["expires_on"])
        old = issue(world, clerk, lot, 20, on=today() - timedelta(days=5))
        lot.expires_on = today() - timedelta(days=2)
        lot.save(update_fields=["expires_on"])
        document_reverse(document=old, reason="wrong recipient", posted_by=clerk)
        return_post(
            depot=world.depot_a,
            lines=[Movement(lot.pk, world.sh1.pk, 5)],
            recipient=world.unit,
            occurred_on=today(),
            posted_by=clerk,
        )
        assert Balance.objects.get(lot=lot, storehouse=world.sh1).quantity == 105


class TestApi:
    def body(self, world, lot, on=None):
        return {
            "occurred_on": (on or today()).isoformat(),
            "recipient": world.unit.pk,
            "purpose": "exercise",
            "lines": [{"lot": lot.pk, "storehouse": world.sh1.pk, "quantity": 10}],
        }

    def test_issue_of_an_expired_lot_is_409_lot_expired_and_writes_nothing(
        self, api_as, world, clerk
    ):
        lot = expiring(world, clerk, today() - timedelta(days=730))
        before = ledger()
        response = api_as(clerk).post("/api/v1/issues/", self.body(world, lot), format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "lot_expired"
        assert "L-EXP" in response.json()["detail"]
        assert ledger() == before

    def test_boundary_through_the_api(self, api_as, world, clerk):
        valid = expiring(world, clerk, today(), "L-TODAY")
        expired = expiring(world, clerk, today() - timedelta(days=1), "L-YESTERDAY")
        client = api_as(clerk)
        assert (
            client.post("/api/v1/issues/", self.body(world, valid), format="json").status_code
            == 201
        )
        response = client.post("/api/v1/issues/", self.body(world, expired), format="json")
        assert (response.status_code, response.json()["code"]) == (409, "lot_expired")

    def test_move_of_an_expired_lot_is_posted(self, api_as, world, clerk):
        lot = expiring(world, clerk, today() - timedelta(days=730))
        response = api_as(clerk).post(
            "/api/v1/moves/",
            {
                "occurred_on": today().isoformat(),
                "lines": [
                    {
                        "lot": lot.pk,
                        "from_storehouse": world.sh1.pk,
                        "to_storehouse": world.sh2.pk,
                        "quantity": 10,
                    }
                ],
            },
            format="json",
        )
        assert response.status_code == 201, response.json()


def test_issue_search_lists_an_expired_lot_with_the_reason(client, world, clerk):
    expiring(world, clerk, today() - timedelta(days=1))
    client.force_login(clerk)
    page = client.get(
        "/lots/search/", {"q": "L-EXP", "mode": "issue"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-not-issuable="L-EXP"' in page
    assert f"expired on {(today() - timedelta(days=1)).isoformat()}" in page


@pytest.mark.parametrize(("days", "expired"), [(0, False), (-1, True)])
def test_the_stock_card_marks_expired_from_the_day_after(client, world, clerk, days, expired):
    lot = expiring(world, clerk, today() + timedelta(days=days))
    client.force_login(clerk)
    page = client.get(f"/lots/{lot.pk}/card/").content.decode()
    assert ("EXPIRED" in page) is expired
