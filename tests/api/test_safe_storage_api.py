"""Issue 14, part A, through the API: the refusal's status and code, and that nothing was
written (note n1 strict, isolation per condition code, split rights and split reversal)."""

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertKind
from inventory.models import AmmunitionType, Balance, Document, LedgerLine, Lot

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate().isoformat()


def snapshot():
    return (
        Document.objects.count(),
        LedgerLine.objects.count(),
        sorted(Balance.objects.values_list("lot_id", "storehouse_id", "quantity")),
    )


def receive(client, world, lot, storehouse, quantity=10):
    return client.post(
        "/api/v1/receipts/",
        {
            "reference": "WB-1",
            "occurred_on": today(),
            "counterparty": "Arsenal",
            "lines": [{"lot": lot.pk, "storehouse": storehouse.pk, "quantity": quantity}],
        },
        format="json",
    )


def split_body(storehouse, quantity, condition, suffix="/1"):
    return {
        "quantity": [{"storehouse": storehouse.pk, "quantity": quantity}],
        "suffix": suffix,
        "condition": condition,
        "occurred_on": today(),
    }


TYPE = {
    "code": "DET-ELEC-8",
    "name": "Detonator, electric, No. 8",
    "category": "initiator",
    "hazard_division": "1.1",
    "compatibility_group": "B",
    "neq_per_unit_kg": "0.001100",
    "unit": "detonator",
}


class TestAssemblesTo:
    def test_detonators_beside_bulk_explosive_are_409_and_nothing_is_written(
        self, api_as, clerk, world
    ):
        world.stock(clerk, world.lot(world.tnt, "TNT-1"), world.sh1, 100)
        detonators = world.lot(world.detonator, "DET-1")
        before = snapshot()
        response = receive(api_as(clerk), world, detonators, world.sh1)
        assert response.status_code == 409
        body = response.json()
        assert (body["code"], body["rule"], body["storehouse"]) == (
            "storage_incompatible",
            "compatibility",
            "SH1",
        )
        assert body["lots"] == ["DET-1", "TNT-1"]
        assert snapshot() == before

    def test_types_api_takes_assembles_to_as_an_optional_field(
        self, api_as, admin_user, clerk, world
    ):
        client = api_as(admin_user)
        plain = client.post(
            "/api/v1/ammunition-types/", {**TYPE, "code": "DET-PLAIN"}, format="json"
        )
        assert plain.status_code == 201, plain.json()
        assert plain.json()["assembles_to"] == []
        fitted = client.post(
            "/api/v1/ammunition-types/", {**TYPE, "assembles_to": [world.tnt.pk]}, format="json"
        )
        assert fitted.status_code == 201, fitted.json()
        assert fitted.json()["assembles_to"] == [world.tnt.pk]
        shown = client.get(f"/api/v1/ammunition-types/{fitted.json()['id']}/").json()
        assert shown["assembles_to"] == [world.tnt.pk]
        # Recorded as fitted to TNT: the detonators may now join the TNT.
        world.stock(clerk, world.lot(world.tnt, "TNT-1"), world.sh1, 100)
        detonators = world.lot(AmmunitionType.objects.get(code="DET-ELEC-8"), "DET-1")
        assert receive(api_as(clerk), world, detonators, world.sh1).status_code == 201

    def test_only_b_types_assemble_to_others_400(self, api_as, admin_user, world):
        body = {**TYPE, "code": "TNT-X", "compatibility_group": "D", "assembles_to": [world.tnt.pk]}
        response = api_as(admin_user).post("/api/v1/ammunition-types/", body, format="json")
        assert response.status_code == 400
        assert "assembles_to" in response.json()
        assert not AmmunitionType.objects.filter(code="TNT-X").exists()


class TestIsolation:
    def test_receipt_beside_a_condemned_lot_is_409_suspect_isolation(self, api_as, clerk, world):
        world.stock(clerk, world.lot(world.ball, "BAD", condition="H"), world.sh2, 10)
        before = snapshot()
        response = receive(api_as(clerk), world, world.lot(world.ball, "GOOD"), world.sh2)
        assert response.status_code == 409
        assert (response.json()["code"], response.json()["rule"]) == (
            "suspect_isolation",
            "isolation",
        )
        assert snapshot() == before

    def test_administrative_codes_are_not_isolated(self, api_as, clerk, world):
        world.stock(clerk, world.lot(world.ball, "GOOD"), world.sh2, 10)
        overdue = world.lot(world.ball, "OVERDUE", condition="J")
        assert receive(api_as(clerk), world, overdue, world.sh2).status_code == 201

    def test_condition_change_is_recorded_raises_the_alert_and_blocks_receipts(
        self, api_as, clerk, inspector, world
    ):
        good = world.lot(world.ball, "GOOD")
        bad = world.lot(world.ball, "BAD")
        world.stock(clerk, good, world.sh2, 10)
        world.stock(clerk, bad, world.sh2, 10)
        response = api_as(inspector).post(
            "/api/v1/condition-changes/",
            {"lot": bad.pk, "condition": "Q", "reason": "Quality deficiency report QDR-7"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        [alert] = Alert.objects.filter(kind=AlertKind.SUSPECT_MIXED, resolved_at__isnull=True)
        assert alert.storehouse_id == world.sh2.pk
        listed = api_as(clerk).get("/api/v1/alerts/", {"kind": "suspect_mixed"}).json()
        assert [a["id"] for a in listed["results"]] == [alert.pk]
        before = snapshot()
        refused = receive(api_as(clerk), world, good, world.sh2, 1)
        assert (refused.status_code, refused.json()["code"]) == (409, "suspect_isolation")
        assert snapshot() == before


class TestSplits:
    def test_a_clerk_splitting_a_condemned_lot_into_a_serviceable_child_is_403(
        self, api_as, clerk, inspector, world
    ):
        condemned = world.lot(world.ball, "H-LOT", condition="H")
        world.stock(clerk, condemned, world.sh2, 100)
        before = (snapshot(), Lot.objects.count())
        response = api_as(clerk).post(
            f"/api/v1/lots/{condemned.pk}/split/", split_body(world.sh2, 40, "A"), format="json"
        )
        assert response.status_code == 403
        assert (snapshot(), Lot.objects.count()) == before
        allowed = api_as(inspector).post(
            f"/api/v1/lots/{condemned.pk}/split/", split_body(world.sh2, 40, "A"), format="json"
        )
        assert allowed.status_code == 201, allowed.json()
        assert allowed.json()["condition"] == "A"

    def test_a_banned_lot_is_not_improved_by_split_409(self, api_as, clerk, inspector, world):
        condemned = world.lot(world.ball, "H-LOT", condition="H")
        world.stock(clerk, condemned, world.sh2, 100)
        ban = api_as(inspector).post(
            "/api/v1/bans/",
            {"kind": "ban", "lot": condemned.pk, "reason": "Recall", "reference": "R-1"},
            format="json",
        )
        assert ban.status_code == 201, ban.json()
        before = (snapshot(), Lot.objects.count())
        response = api_as(inspector).post(
            f"/api/v1/lots/{condemned.pk}/split/", split_body(world.sh2, 40, "A"), format="json"
        )
        assert (response.status_code, response.json()["code"]) == (409, "lot_banned")
        assert (snapshot(), Lot.objects.count()) == before

    def test_a_clerk_cannot_reverse_an_inspectors_condemnation_split_403(
        self, api_as, clerk, inspector, world
    ):
        lot = world.lot(world.ball, "ROOT")
        world.stock(clerk, lot, world.sh2, 100)
        split = api_as(inspector).post(
            f"/api/v1/lots/{lot.pk}/split/", split_body(world.sh2, 10, "H"), format="json"
        )
        assert split.status_code == 201, split.json()
        document = Document.objects.get(kind="lot_split")
        before = snapshot()
        response = api_as(clerk).post(
            f"/api/v1/documents/{document.pk}/reverse/", {"reason": "Mistake"}, format="json"
        )
        assert response.status_code == 403
        assert snapshot() == before
        undone = api_as(inspector).post(
            f"/api/v1/documents/{document.pk}/reverse/", {"reason": "Mistake"}, format="json"
        )
        assert undone.status_code == 201, undone.json()
