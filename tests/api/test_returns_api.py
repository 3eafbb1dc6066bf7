"""returns/ and lots/{id}/merge/ (DESIGN.md §6, §11; issue 14): the request of a return is as
before (the issued lot), the response names the child lot in K; a classified child is merged
back into its parent by an inspector of the depot."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inventory.models import Balance, Document, LedgerLine, Lot, PolicySetting, Waiver
from inventory.models.reference import WaiverRule
from inventory.selectors.ledger import balance_drift
from inventory.services.posting import Movement, issue_post
from surveillance.services import condition_change_post

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def qty(lot, storehouse):
    row = Balance.objects.filter(lot=lot, storehouse=storehouse).first()
    return row.quantity if row else 0


def written():
    return (
        Document.objects.count(),
        LedgerLine.objects.count(),
        Lot.objects.count(),
        sorted(Balance.objects.values_list("lot_id", "storehouse_id", "quantity")),
    )


@pytest.fixture
def issued(world, clerk):
    lot = world.lot(world.ball, "BALL-1")
    world.stock(clerk, lot, world.sh1, 100)
    issue = issue_post(
        depot=world.depot_a,
        lines=[Movement(lot.pk, world.sh1.pk, 60)],
        recipient=world.unit,
        occurred_on=TODAY(),
        posted_by=clerk,
        purpose="exercise",
    )
    return lot, issue


def body(world, lot, issue=None, quantity=12):
    data = {
        "recipient": world.unit.pk,
        "lines": [{"lot": lot.pk, "storehouse": world.sh1.pk, "quantity": quantity}],
    }
    if issue is not None:
        data["issue"] = issue.pk
    return data


def quarantine(world, user):
    Waiver.objects.create(
        storehouse=world.sh1,
        rule=WaiverRule.ISOLATION,
        reason="Quarantine store",
        authority_reference="NTA-Q1",
        expires_on=TODAY() + timedelta(days=90),
        recorded_by=user,
    )


class TestReturns:
    def test_the_response_names_the_child_lot_in_k(self, api_as, world, clerk, issued):
        lot, issue = issued
        quarantine(world, clerk)
        response = api_as(clerk).post("/api/v1/returns/", body(world, lot, issue), format="json")
        assert response.status_code == 201, response.content
        child = Lot.objects.get(parent=lot)
        data = response.json()
        assert (data["kind"], data["issue"]) == ("return", issue.pk)
        [line] = data["lines"]
        assert (line["lot"], line["lot_number"], line["quantity"]) == (child.pk, "BALL-1-R1", 12)
        lot_view = api_as(clerk).get(f"/api/v1/lots/{child.pk}/").json()
        assert (lot_view["condition"], lot_view["parent"]) == ("K", lot.pk)
        assert (qty(lot, world.sh1), qty(child, world.sh1)) == (40, 12)

    def test_into_a_mixed_storehouse_409_and_nothing_written(self, api_as, world, clerk, issued):
        lot, issue = issued
        before = written()
        response = api_as(clerk).post("/api/v1/returns/", body(world, lot, issue), format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "suspect_isolation"
        assert written() == before

    def test_switch_off_into_the_lot(self, api_as, world, clerk, issued):
        lot, issue = issued
        PolicySetting.objects.update_or_create(
            key="returns_await_classification", defaults={"value": False}
        )
        response = api_as(clerk).post("/api/v1/returns/", body(world, lot, issue), format="json")
        assert response.status_code == 201, response.content
        assert response.json()["lines"][0]["lot"] == lot.pk
        assert qty(lot, world.sh1) == 52


@pytest.fixture
def child(api_as, world, clerk, issued):
    lot, issue = issued
    quarantine(world, clerk)
    response = api_as(clerk).post("/api/v1/returns/", body(world, lot, issue), format="json")
    assert response.status_code == 201
    return Lot.objects.get(parent=lot)


def classify(child, inspector, depot, condition="A"):
    condition_change_post(
        lot=child, condition=condition, reason="Inspected.", depot=depot, posted_by=inspector
    )


def merge_url(lot):
    return f"/api/v1/lots/{lot.pk}/merge/"


class TestMerge:
    def test_an_inspector_merges_a_classified_child(self, api_as, world, inspector, child):
        classify(child, inspector, world.depot_a)
        response = api_as(inspector).post(
            merge_url(child), {"reason": "Serviceable"}, format="json"
        )
        assert response.status_code == 201, response.content
        data = response.json()
        assert (data["kind"], data["reason"], data["reference"]) == (
            "lot_split",
            "merge",
            "BALL-1-R1",
        )
        assert sorted((line["lot"], line["quantity"]) for line in data["lines"]) == sorted(
            [(child.pk, -12), (child.parent_id, 12)]
        )
        assert (qty(child.parent, world.sh1), qty(child, world.sh1)) == (52, 0)
        assert balance_drift() == []

    def test_an_empty_body_will_do(self, api_as, world, inspector, child):
        classify(child, inspector, world.depot_a)
        response = api_as(inspector).post(merge_url(child), format="json")
        assert response.status_code == 201, response.content

    def test_a_clerk_gets_403_and_nothing_is_written(self, api_as, world, clerk, inspector, child):
        classify(child, inspector, world.depot_a)
        before = written()
        response = api_as(clerk).post(merge_url(child), {}, format="json")
        assert response.status_code == 403
        assert written() == before

    def test_different_conditions_409_invalid_state(self, api_as, world, inspector, child):
        before = written()
        response = api_as(inspector).post(merge_url(child), {}, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_state"
        assert "BALL-1-R1" in response.json()["detail"]
        assert written() == before

    def test_outside_ones_depots_404(self, api_as, world, inspector, child):
        from core.roles import Role
        from tests.factories import UserFactory

        other = UserFactory(username="inspector_b", roles=[Role.INSPECTOR], depots=[world.depot_b])
        classify(child, inspector, world.depot_a)
        response = api_as(other).post(merge_url(child), {}, format="json")
        assert response.status_code == 404

    def test_an_inspector_whose_vetting_lapsed_gets_409(self, api_as, world, inspector, child):
        classify(child, inspector, world.depot_a)
        inspector.vetting_expires_on = TODAY() - timedelta(days=1)
        inspector.save(update_fields=["vetting_expires_on"])
        before = written()
        response = api_as(inspector).post(merge_url(child), {}, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "vetting_expired"
        assert written() == before
