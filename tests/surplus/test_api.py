"""The surplus API (DESIGN.md §11): requirements, surplus, snapshots, disposal plans, approval
and executions; roles and scope; 4xx answers that write nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inventory.models import Balance
from surplus.models import DisposalPlan, Requirement, SurplusSnapshot
from surplus.services import snapshot_take

pytestmark = pytest.mark.django_db


def _requirement(world, **changes):
    body = {
        "ammunition_type": world.ball.pk,
        "effective_from": timezone.localdate().isoformat(),
        "operational": 100,
        "training_per_year": 20,
        "training_years": 2,
        "testing": 5,
        "contingency": 15,
        "approval_reference": "MoD/1",
    }
    body.update(changes)
    return body


def test_requirement_create_and_total(api_as, officer, world, policy):
    response = api_as(officer).post("/api/v1/requirements/", _requirement(world), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["total"] == 160
    assert response.json()["version"] == 1
    again = api_as(officer).post(
        "/api/v1/requirements/", _requirement(world, operational=10), format="json"
    )
    assert again.json()["version"] == 2
    listed = api_as(officer).get("/api/v1/requirements/", {"ammunition_type": world.ball.pk})
    assert [r["version"] for r in listed.json()["results"]] == [2, 1]
    assert listed.json()["count"] == 2


@pytest.mark.parametrize("role", ["clerk", "inspector", "auditor"])
def test_requirement_create_forbidden(api_as, request, world, role, policy):
    user = request.getfixturevalue(role)
    response = api_as(user).post("/api/v1/requirements/", _requirement(world), format="json")
    assert response.status_code == 403
    assert Requirement.objects.count() == 0


def test_requirement_bad_input_400(api_as, officer, world, policy):
    client = api_as(officer)
    for body in (
        _requirement(world, operational=-1),
        _requirement(world, operational="5"),
        _requirement(world, ammunition_type=None),
        {**_requirement(world), "group": 999},
    ):
        assert client.post("/api/v1/requirements/", body, format="json").status_code == 400
    assert Requirement.objects.count() == 0


def test_surplus_list_fields_and_filters(api_as, officer, clerk, world, stock):
    api_as(officer).post("/api/v1/requirements/", _requirement(world), format="json")
    stock(300)
    stock(40, depot="b", condition="H")
    response = api_as(officer).get("/api/v1/surplus/")
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert {
        "ammunition_type",
        "requirement",
        "serviceable",
        "unserviceable",
        "expiring_before_use",
        "obsolete_or_banned",
        "usable",
        "surplus",
        "surplus_neq_kg",
    } <= set(row)
    assert (row["ammunition_type"], row["requirement"], row["surplus"]) == (
        world.ball.pk,
        160,
        140 + 40,
    )
    assert row["surplus_neq_kg"] == "0.540"
    by_depot = api_as(officer).get("/api/v1/surplus/", {"depot": world.depot_b.pk}).json()
    assert by_depot["results"][0]["surplus"] == 40
    by_region = api_as(officer).get("/api/v1/surplus/", {"region": "North"}).json()
    assert by_region["results"][0]["serviceable"] == 300
    typed = api_as(officer).get("/api/v1/surplus/", {"ammunition_type": world.tnt.pk}).json()
    assert typed["results"] == []
    # A clerk sees their own depot's share; another depot is a 400, like one that does not exist.
    mine = api_as(clerk).get("/api/v1/surplus/").json()["results"][0]
    assert (mine["serviceable"], mine["unserviceable"]) == (300, 0)
    assert api_as(clerk).get("/api/v1/surplus/", {"depot": world.depot_b.pk}).status_code == 400
    assert api_as(officer).get("/api/v1/surplus/", {"depot": "x"}).status_code == 400


def test_snapshot_request_and_rows(api_as, officer, clerk, auditor, world, stock):
    stock(30, condition="H")
    stock(20, depot="b", condition="H")
    assert api_as(auditor).post("/api/v1/surplus-snapshots/", {}, format="json").status_code == 403
    response = api_as(officer).post("/api/v1/surplus-snapshots/", {}, format="json")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    snapshot = SurplusSnapshot.objects.get(pk=response.json()["id"])
    snapshot_take(snapshot)
    detail = api_as(auditor).get(f"/api/v1/surplus-snapshots/{snapshot.pk}/").json()
    assert (detail["status"], detail["progress"]) == ("done", 100)
    rows = api_as(auditor).get(f"/api/v1/surplus-snapshots/{snapshot.pk}/rows/").json()["results"]
    national = [r for r in rows if r["depot"] is None]
    assert [r["surplus"] for r in national] == [50]
    mine = api_as(clerk).get(f"/api/v1/surplus-snapshots/{snapshot.pk}/rows/").json()["results"]
    assert [(r["depot"], r["surplus"]) for r in mine] == [(world.depot_a.pk, 30)]


def _plan_body(world, lot, quantity=40, method="open_detonation"):
    today = timezone.localdate()
    return {
        "depot": world.depot_a.pk,
        "method": method,
        "site": "Range 4",
        "scheduled_from": today.isoformat(),
        "scheduled_until": (today + timedelta(days=10)).isoformat(),
        "lines": [{"lot": lot.pk, "storehouse": world.sh1.pk, "quantity": quantity}],
    }


def test_plan_approve_execute_flow(api_as, officer, officer2, clerk, clerk_b, world, stock):
    lot = stock(40, condition="H")
    created = api_as(officer).post("/api/v1/disposal-plans/", _plan_body(world, lot), format="json")
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert plan["status"] == "draft"
    url = f"/api/v1/disposal-plans/{plan['id']}/"
    self_approve = api_as(officer).post(url + "approve/", {}, format="json")
    assert self_approve.status_code == 409
    assert self_approve.json()["code"] == "self_approval"
    approved = api_as(officer2).post(url + "approve/", {"approval_reference": "A"}, format="json")
    assert approved.json()["status"] == "approved"
    execution = {
        "executed_on": timezone.localdate().isoformat(),
        "witnesses": [{"name": "Capt. Mensah", "position": "ATO"}],
        "lines": [{"plan_line": plan["lines"][0]["id"], "quantity": 30}],
    }
    assert api_as(officer).post(url + "executions/", execution, format="json").status_code == 403
    assert api_as(clerk_b).post(url + "executions/", execution, format="json").status_code == 404
    done = api_as(clerk).post(url + "executions/", execution, format="json")
    assert done.status_code == 201, done.json()
    assert done.json()["certificate_number"].startswith("DC-")
    assert Balance.objects.get(lot=lot, storehouse=world.sh1).quantity == 10
    over = api_as(clerk).post(
        url + "executions/",
        {**execution, "lines": [{"plan_line": plan["lines"][0]["id"], "quantity": 11}]},
        format="json",
    )
    assert (over.status_code, over.json()["code"]) == (409, "exceeds_plan")
    listed = api_as(clerk).get(url + "executions/").json()["results"]
    assert [e["lines"][0]["quantity"] for e in listed] == [30]


def test_plan_refusals(api_as, officer, clerk, world, stock):
    serviceable = stock(40)
    api_as(officer).post(
        "/api/v1/requirements/", _requirement(world, operational=1000), format="json"
    )
    refused = api_as(officer).post(
        "/api/v1/disposal-plans/", _plan_body(world, serviceable), format="json"
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "not_disposable")
    assert (
        api_as(clerk)
        .post("/api/v1/disposal-plans/", _plan_body(world, serviceable), format="json")
        .status_code
        == 403
    )
    assert (
        api_as(officer)
        .post(
            "/api/v1/disposal-plans/",
            {**_plan_body(world, serviceable), "method": "x"},
            format="json",
        )
        .status_code
        == 400
    )
    assert DisposalPlan.objects.count() == 0


def test_plan_scope(api_as, officer, clerk_b, world, stock):
    lot = stock(40, condition="H")
    plan = api_as(officer).post("/api/v1/disposal-plans/", _plan_body(world, lot), format="json")
    url = f"/api/v1/disposal-plans/{plan.json()['id']}/"
    assert api_as(clerk_b).get(url).status_code == 404
    assert api_as(clerk_b).get("/api/v1/disposal-plans/").json()["results"] == []


def test_transfer_plan_not_executed_here(api_as, officer, officer2, clerk, world, stock):
    lot = stock(40, condition="H")
    plan = (
        api_as(officer)
        .post("/api/v1/disposal-plans/", _plan_body(world, lot, method="gift"), format="json")
        .json()
    )
    url = f"/api/v1/disposal-plans/{plan['id']}/"
    api_as(officer2).post(url + "approve/", {}, format="json")
    response = api_as(clerk).post(
        url + "executions/",
        {
            "executed_on": timezone.localdate().isoformat(),
            "witnesses": [{"name": "W"}],
            "lines": [{"plan_line": plan["lines"][0]["id"], "quantity": 1}],
        },
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "transfer_case_required")
