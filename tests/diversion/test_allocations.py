"""Training allocations: set by officers with history kept (page and API), and the recipient
profile's consumption against them, pro-rated, flagged when over, ranked, with drill-down."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from diversion import profiling, services
from diversion.models import TrainingAllocation
from inventory.models import Recipient
from inventory.services.posting import Movement, issue_post, return_post
from inventory.services.reversals import document_reverse

pytestmark = pytest.mark.django_db

API = "/api/v1/training-allocations/"


def _year_days(year):
    return (date(year, 12, 31) - date(year, 1, 1)).days + 1


@pytest.fixture
def consumption(transfer, clerk, officer, returns_into_the_lot):
    """Today: 1st Brigade drew 30 BALL-7 and returned 5 (25 consumed; into the lot itself, the
    switch RETURNS_AWAIT_CLASSIFICATION off) against 20 a day's share of its allocation; the
    range drew 40 with no allocation; a reversed issue counts for nothing. 1st Brigade also has
    a TNT allocation, unused."""
    w, today = transfer.world, timezone.localdate()
    year_days = _year_days(today.year)

    def post(kind, recipient, quantity):
        function = issue_post if kind == "issue" else return_post
        return function(
            depot=w.depot_a, lines=[Movement(transfer.lot.pk, w.sh2.pk, quantity)],
            recipient=recipient, occurred_on=today, posted_by=clerk,
        )  # fmt: skip

    issue = post("issue", w.unit, 30)
    post("return", w.unit, 5)
    post("issue", w.restricted_ok, 40)
    mistaken = post("issue", w.unit, 9)
    document_reverse(document=mistaken, reason="Wrong unit", posted_by=clerk)
    services.training_allocation_set(
        recipient=w.unit, ammunition_type=w.ball, year=today.year, quantity=20 * year_days,
        approval_reference="GS/TRG/2026-04", set_by=officer,
    )  # fmt: skip
    services.training_allocation_set(
        recipient=w.unit, ammunition_type=w.tnt, year=today.year, quantity=year_days,
        approval_reference="GS/TRG/2026-05", set_by=officer,
    )  # fmt: skip
    return issue


def test_consumption_is_set_against_the_pro_rated_allocation_and_ranked(
    consumption, transfer, auditor
):
    today = timezone.localdate()
    rows = profiling.recipient_profiles(user=auditor, start=today, end=today)
    # The range consumed more, but 1st Brigade is over its allocation: it comes first.
    assert [r.recipient.code for r in rows] == ["1BDE", "RANGE"]
    brigade, range_ = rows
    assert brigade.consumed == 25
    ball, tnt = brigade.types
    assert (ball.type_code, ball.units_issued, ball.units_returned, ball.consumed) == (
        "762-BALL", 30, 5, 25,
    )  # fmt: skip
    assert ball.allocated == 20
    assert ball.over
    assert ball.units_over == 5
    assert (tnt.type_code, tnt.consumed, tnt.allocated, tnt.over) == ("TNT-200", 0, 1, False)
    assert brigade.over_allocation
    assert brigade.units_over_allocation == 5
    assert range_.consumed == 40
    assert range_.types[0].allocated is None
    assert not range_.over_allocation


def test_allocations_are_pro_rated_by_the_days_of_each_year():
    assert profiling._year_shares(date(2025, 12, 1), date(2026, 1, 31)) == {
        2025: (31, 365),
        2026: (31, 365),
    }
    allocations = [(1, 2, 2025, 365), (1, 2, 2026, 730)]
    assert profiling._pro_rated(allocations, date(2025, 12, 1), date(2026, 1, 31)) == {
        (1, 2): 31 + 62
    }


def test_the_profile_costs_a_fixed_number_of_queries(
    consumption, transfer, clerk, officer, auditor, django_assert_num_queries
):
    today = timezone.localdate()
    with django_assert_num_queries(5):
        profiling.recipient_profiles(user=auditor, start=today, end=today)
    w = transfer.world
    for n in range(3):
        unit = Recipient.objects.create(code=f"U{n}", name=f"Unit {n}", kind="unit")
        issue_post(
            depot=w.depot_a, lines=[Movement(transfer.lot.pk, w.sh2.pk, 1)], recipient=unit,
            occurred_on=today, posted_by=clerk,
        )  # fmt: skip
        for kind in (w.ball, w.tnt, w.detonator):
            services.training_allocation_set(
                recipient=unit, ammunition_type=kind, year=today.year, quantity=n,
                approval_reference="X", set_by=officer,
            )  # fmt: skip
    with django_assert_num_queries(5):
        rows = profiling.recipient_profiles(user=auditor, start=today, end=today)
    assert len(rows) == 5


def test_pages_flag_the_excess_and_drill_down_to_the_issues(client, consumption, transfer, auditor):
    w, today = transfer.world, timezone.localdate()
    client.force_login(auditor)
    period = {"start": today.isoformat(), "end": today.isoformat()}
    page = client.get(reverse("diversion:profile"), period).content.decode()
    assert "762-BALL +5" in page
    url = reverse("diversion:recipient_profile", args=[w.unit.pk])
    page = client.get(url, period).content.decode()
    assert "over by 5" in page
    drill = client.get(url, period | {"type": w.ball.pk})
    documents = list(drill.context["page"].rows)
    # The issue and the return of ball, not the reversed issue.
    assert {d.number for d in documents} == {
        consumption.number,
        *(d.number for d in documents if d.kind == "return"),
    }
    assert sorted(d.units for d in documents) == [-30, 5]
    assert consumption.number in drill.content.decode()
    assert client.get(url, period | {"type": w.tnt.pk}).context["page"].rows == []
    assert client.get(url, period | {"type": "x"}).status_code == 404


def test_officer_sets_an_allocation_on_the_page_and_changes_it_with_history(
    client, transfer, officer, officer2
):
    w = transfer.world
    client.force_login(officer)
    url = reverse("diversion:training_allocation_list")
    data = {
        "recipient": w.unit.pk, "ammunition_type": w.ball.pk, "year": 2026, "quantity": 5000,
        "approval_reference": "GS/TRG/1",
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    client.force_login(officer2)
    assert (
        client.post(url, data | {"quantity": 6000, "approval_reference": "GS/TRG/2"}).status_code
        == 302
    )
    allocation = TrainingAllocation.objects.get()
    assert (allocation.quantity, allocation.approval_reference) == (6000, "GS/TRG/2")
    assert allocation.set_by == officer2
    listed = client.get(url).content.decode()
    assert "GS/TRG/2" in listed
    detail = client.get(reverse("diversion:training_allocation_detail", args=[allocation.pk]))
    history = detail.context["history"]
    assert [r.history_user for r in history] == [officer2, officer]
    assert history[0].changes["quantity"] == [5000, 6000]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"quantity": -1}, "greater than or equal to 0"),
        ({"year": 1999}, "greater than or equal to 2000"),
        ({"approval_reference": ""}, "This field is required"),
        ({"recipient": "party"}, "Select a valid choice"),
    ],
)
def test_bad_allocations_are_refused_on_the_page_and_nothing_is_written(
    client, transfer, officer, change, message
):
    w = transfer.world
    if change.get("recipient") == "party":
        change = {
            "recipient": Recipient.objects.create(code="KE", name="Kenya", kind="foreign_state").pk
        }
    client.force_login(officer)
    data = {
        "recipient": w.unit.pk, "ammunition_type": w.ball.pk, "year": 2026, "quantity": 10,
        "approval_reference": "GS/TRG/1",
    } | change  # fmt: skip
    response = client.post(reverse("diversion:training_allocation_list"), data)
    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    assert message in response.content.decode() or message in str(response.context["form"].errors)
    assert not TrainingAllocation.objects.exists()


def test_allocations_over_the_api(api_as, transfer, officer, auditor, clerk):
    w = transfer.world
    body = {
        "recipient": w.unit.pk, "ammunition_type": w.ball.pk, "year": 2026, "quantity": 5000,
        "approval_reference": "GS/TRG/1",
    }  # fmt: skip
    created = api_as(officer).post(API, body, format="json")
    assert created.status_code == 201, created.content
    row = created.json()
    assert (row["recipient_code"], row["ammunition_type_code"], row["quantity"]) == (
        "1BDE", "762-BALL", 5000,
    )  # fmt: skip
    changed = api_as(officer).post(API, body | {"quantity": 4000}, format="json")
    assert changed.status_code == 201
    assert changed.json()["id"] == row["id"]
    listed = api_as(auditor).get(API, {"year": 2026})
    assert listed.status_code == 200
    assert [r["quantity"] for r in listed.json()["results"]] == [4000]
    history = api_as(auditor).get(f"{API}{row['id']}/history/").json()
    assert history[0]["changes"]["quantity"] == [5000, 4000]
    # Refusals: clear 4xx, nothing written.
    assert api_as(auditor).post(API, body, format="json").status_code == 403
    assert api_as(clerk).get(API).status_code == 403
    bad = api_as(officer).post(API, body | {"quantity": -5}, format="json")
    assert bad.status_code == 400
    assert "quantity" in str(bad.json())
    state = Recipient.objects.create(code="KE", name="Kenya", kind="foreign_state")
    refused = api_as(officer).post(API, body | {"recipient": state.pk}, format="json")
    assert refused.status_code == 400
    assert "Training allocations are set for units." in str(refused.json())
    unknown = api_as(officer).post(API, body | {"quantity": "4500"}, format="json")
    assert unknown.status_code == 400
    assert TrainingAllocation.objects.get().quantity == 4000


def test_allocation_filters_refuse_what_is_not_a_whole_number_or_an_id(api_as, transfer, auditor):
    for query in (
        {"year": "0.5"},
        {"year": "x"},
        {"recipient": "999999"},
        {"ammunition_type": "a"},
    ):
        assert api_as(auditor).get(API, query).status_code == 400, query
    assert api_as(auditor).get(API, {"recipient": transfer.world.unit.pk}).status_code == 200
