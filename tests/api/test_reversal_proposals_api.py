"""`documents/{id}/reverse/` and `reversal-proposals/`: a reversal that takes stock off the books
answers 202 with a proposal that an inspector other than the proposer approves (issue 15)."""

import pytest
from django.utils import timezone

from core.roles import Role
from inventory.models import Balance, Document, LedgerLine, ReversalProposal
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        Document.objects.count(),
        LedgerLine.objects.count(),
        sorted(Balance.objects.values_list("lot_id", "storehouse_id", "quantity")),
        sorted(ReversalProposal.objects.values_list("id", "status")),
    )


@pytest.fixture
def receipt(world, clerk):
    return world.stock(clerk, world.lot(world.ball, "762-A"), world.sh1, 100)


def propose(client, document, reason="typed twice"):
    return client.post(
        f"/api/v1/documents/{document.pk}/reverse/", {"reason": reason}, format="json"
    )


def test_a_receipt_reversal_answers_202_with_a_proposal(api_as, clerk, receipt):
    before = snapshot()[:3]
    response = propose(api_as(clerk), receipt)
    assert response.status_code == 202, response.json()
    body = response.json()
    assert {
        key: body[key]
        for key in ("document", "document_number", "status", "reason", "proposed_by", "reversal")
    } == {
        "document": receipt.pk,
        "document_number": receipt.number,
        "status": "pending_approval",
        "reason": "typed twice",
        "proposed_by": clerk.username,
        "reversal": None,
    }
    assert snapshot()[:3] == before
    document = api_as(clerk).get(f"/api/v1/documents/{receipt.pk}/").json()
    assert document["reversed_by"] is None


def test_the_inspector_approves_and_the_reversal_is_posted(api_as, clerk, inspector, receipt):
    proposal = propose(api_as(clerk), receipt).json()
    listed = api_as(inspector).get("/api/v1/reversal-proposals/?status=pending_approval").json()
    assert [row["id"] for row in listed["results"]] == [proposal["id"]]
    response = api_as(inspector).post(f"/api/v1/reversal-proposals/{proposal['id']}/approve/")
    assert response.status_code == 200, response.json()
    decided = response.json()
    assert (decided["status"], decided["decided_by"]) == ("approved", inspector.username)
    reversal = Document.objects.get(pk=decided["reversal"])
    assert (reversal.reverses_id, reversal.posted_by, reversal.approved_by) == (
        receipt.pk,
        clerk,
        inspector,
    )
    assert Balance.objects.get(storehouse=receipt.lines.get().storehouse).quantity == 0
    again = api_as(clerk).post(
        f"/api/v1/documents/{receipt.pk}/reverse/", {"reason": "x"}, format="json"
    )
    assert (again.status_code, again.json()["code"]) == (409, "already_reversed")


def test_reject_leaves_the_document(api_as, clerk, inspector, receipt):
    proposal = propose(api_as(clerk), receipt).json()
    response = api_as(inspector).post(f"/api/v1/reversal-proposals/{proposal['id']}/reject/")
    assert (response.status_code, response.json()["status"]) == (200, "rejected")
    assert Balance.objects.get(storehouse=receipt.lines.get().storehouse).quantity == 100
    assert propose(api_as(clerk), receipt).status_code == 202  # may be proposed again


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("clerk", 403, None),  # the proposer's role may not approve at all
        ("auditor", 403, None),  # reads everything, changes nothing
        ("inspector_b", 404, None),  # another depot's proposal is not there for them
        ("clerk_inspector", 409, "self_approval"),  # the proposer, even with the right
    ],
)
def test_who_may_not_decide(api_as, world, depot_a, depot_b, auditor, who, status, code):
    clerk_inspector = UserFactory(roles=[Role.CLERK, Role.INSPECTOR], depots=[depot_a])
    receipt = world.stock(clerk_inspector, world.lot(world.ball, "762-B"), world.sh1, 10)
    proposal = propose(api_as(clerk_inspector), receipt).json()
    users = {
        "clerk": UserFactory(roles=[Role.CLERK], depots=[depot_a]),
        "auditor": auditor,
        "inspector_b": UserFactory(roles=[Role.INSPECTOR], depots=[depot_b]),
        "clerk_inspector": clerk_inspector,
    }
    before = snapshot()
    for decision in ("approve", "reject"):
        response = api_as(users[who]).post(
            f"/api/v1/reversal-proposals/{proposal['id']}/{decision}/"
        )
        assert response.status_code == status, response.content
        if code:
            assert response.json()["code"] == code
    assert snapshot() == before


def test_bad_requests_write_nothing(api_as, clerk, inspector, receipt):
    before = snapshot()
    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": 5}, {"reason": None}):
        response = api_as(clerk).post(
            f"/api/v1/documents/{receipt.pk}/reverse/", body, format="json"
        )
        assert response.status_code == 400, (body, response.content)
    assert api_as(inspector).post("/api/v1/reversal-proposals/999999/approve/").status_code == 404
    assert snapshot() == before


def test_an_idempotent_retry_of_the_approval_answers_the_same(api_as, clerk, inspector, receipt):
    proposal = propose(api_as(clerk), receipt).json()
    client = api_as(inspector)
    url = f"/api/v1/reversal-proposals/{proposal['id']}/approve/"
    first = client.post(url, HTTP_IDEMPOTENCY_KEY="approve-1")
    second = client.post(url, HTTP_IDEMPOTENCY_KEY="approve-1")
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    assert Document.objects.filter(reverses=receipt).count() == 1


def test_an_issue_reversal_is_still_201(api_as, world, clerk):
    lot = world.lot(world.ball, "762-C")
    world.stock(clerk, lot, world.sh1, 100)
    issue = api_as(clerk).post(
        "/api/v1/issues/",
        {
            "reference": "IS-1",
            "occurred_on": timezone.localdate().isoformat(),
            "recipient": world.unit.pk,
            "purpose": "training",
            "lines": [{"lot": lot.pk, "storehouse": world.sh1.pk, "quantity": 30}],
        },
        format="json",
    )
    assert issue.status_code == 201, issue.json()
    response = propose(api_as(clerk), Document.objects.get(pk=issue.json()["id"]))
    assert response.status_code == 201, response.json()
    assert (response.json()["kind"], response.json()["reverses"]) == (
        "reversal",
        issue.json()["id"],
    )
