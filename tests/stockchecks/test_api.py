"""The stock-check and incident API: the cycle, blind counts, 409 codes, scope matrix, bad input."""

import json

import pytest
from django.utils import timezone

from inventory.models import Document, Incident
from stockchecks import services
from stockchecks.models import Count, StockCheck, StockCheckLine

pytestmark = pytest.mark.django_db

BASE = "/api/v1/stock-checks/"


def _plan(client, depot, **extra):
    return client.post(BASE, {"depot": depot.pk, "kind": "full", **extra}, format="json")


def _results(response):
    return response.json()["results"]


def test_the_full_cycle_over_the_api(api_as, stocked, clerk, clerk2, inspector, auditor):
    w = stocked.world
    as_clerk, as_counter, as_inspector = api_as(clerk), api_as(clerk2), api_as(inspector)
    planned = _plan(as_clerk, w.depot_a, storehouse=w.sh2.pk)
    assert planned.status_code == 201, planned.content
    check_id = planned.json()["id"]
    assert planned.json()["status"] == "planned"
    started = as_clerk.post(f"{BASE}{check_id}/start/", HTTP_IDEMPOTENCY_KEY="start-1")
    assert started.status_code == 200
    assert started.json()["status"] == "counting"
    again = as_clerk.post(f"{BASE}{check_id}/start/", HTTP_IDEMPOTENCY_KEY="start-1")
    assert again.json() == started.json()
    assert again["Idempotent-Replayed"] == "true"

    lines = as_counter.get(f"{BASE}{check_id}/counts/")
    assert lines.status_code == 200
    assert [(row["lot_number"], row["book_at_start"]) for row in _results(lines)] == [
        ("BALL-1", None),
        ("BALL-2", None),
    ]
    for lot, quantity in ((stocked.l1, 96), (stocked.l2, 50)):
        counted = as_counter.post(
            f"{BASE}{check_id}/counts/",
            {"lot": lot.pk, "storehouse": w.sh2.pk, "quantity": quantity},
            format="json",
        )
        assert counted.status_code == 201, counted.content
        assert counted.json()["variance"] is None  # blind
    line_id = _results(lines)[0]["id"]
    noted = as_inspector.post(
        f"{BASE}{check_id}/notes/",
        {"line": line_id, "note": "Seal broken", "reason": "lost"},
        format="json",
    )
    assert noted.status_code == 200
    assert noted.json()["reason"] == "lost"
    assert noted.json()["variance"] == -4  # the inspector sees the book
    assert as_clerk.post(f"{BASE}{check_id}/submit/").status_code == 200
    approved = as_inspector.post(f"{BASE}{check_id}/approve/")
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert body["status"] == "approved"
    assert (body["lines_counted"], body["lines_correct"], body["units_variance"]) == (2, 1, -4)
    (adjustment_id,) = body["adjustments"]
    document = api_as(auditor).get(f"/api/v1/documents/{adjustment_id}/").json()
    assert (document["reason"], document["status"]) == ("lost", "posted")
    assert [line["quantity"] for line in document["lines"]] == [-4]
    incidents = _results(api_as(auditor).get("/api/v1/incidents/"))
    assert [(i["kind"], i["units_lost"], i["documents"]) for i in incidents] == [
        ("count_variance", 4, [adjustment_id])
    ]


def test_counts_never_show_the_book_to_clerks(api_as, stocked, clerk, inspector, officer):
    w = stocked.world
    w.stock(clerk, stocked.l2, w.sh2, 4271)  # a distinctive book quantity: 4321
    check = services.stock_check_plan(depot=w.depot_a, planned_by=clerk, kind="full")
    services.stock_check_start(stock_check=check, started_by=clerk)
    services.stock_check_count(
        stock_check=check, counted_by=clerk, lot=stocked.l2, storehouse=w.sh2, quantity=4000
    )
    for user in (clerk,):
        body = api_as(user).get(f"{BASE}{check.pk}/counts/").content.decode()
        assert "4321" not in body
        assert "-321" not in body
        rows = json.loads(body)["results"]
        assert {row["book_at_start"] for row in rows} == {None}
        assert {row["variance"] for row in rows} == {None}
    seen = _results(api_as(inspector).get(f"{BASE}{check.pk}/counts/"))
    assert {row["book_at_start"] for row in seen} == {100, 4321, 20}
    assert [row["variance"] for row in seen if row["lot_number"] == "BALL-2"] == [-321]
    assert "4321" in api_as(officer).get(f"{BASE}{check.pk}/counts/").content.decode()


def test_a_frozen_depot_answers_409_depot_frozen(api_as, stocked, clerk):
    w = stocked.world
    client = api_as(clerk)
    check_id = _plan(client, w.depot_a, freeze_depot=True).json()["id"]
    assert client.post(f"{BASE}{check_id}/start/").json()["frozen"] is True
    documents = Document.objects.count()
    issued = client.post(
        "/api/v1/issues/",
        {
            "occurred_on": str(timezone.localdate()),
            "recipient": w.unit.pk,
            "purpose": "Training",
            "lines": [{"lot": stocked.l1.pk, "storehouse": w.sh2.pk, "quantity": 1}],
        },
        format="json",
    )
    assert issued.status_code == 409
    assert issued.json()["code"] == "depot_frozen"
    assert f"SC-{check_id:05d}" in issued.json()["detail"]
    assert Document.objects.count() == documents
    cancelled = client.post(f"{BASE}{check_id}/cancel/")
    assert cancelled.json()["frozen"] is False
    assert cancelled.json()["status"] == "cancelled"


def test_self_approval_is_409_and_changes_nothing(api_as, stocked, clerk, admin_user):
    w = stocked.world
    client = api_as(admin_user)
    check_id = _plan(client, w.depot_a, storehouse=w.sh1.pk).json()["id"]
    client.post(f"{BASE}{check_id}/start/")
    client.post(
        f"{BASE}{check_id}/counts/",
        {"lot": stocked.t1.pk, "storehouse": w.sh1.pk, "quantity": 19},
        format="json",
    )
    api_as(clerk).post(f"{BASE}{check_id}/submit/")
    refused = client.post(f"{BASE}{check_id}/approve/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "self_approval"
    assert StockCheck.objects.get(pk=check_id).status == "submitted"
    assert not Document.objects.filter(kind="adjustment").exists()


def test_scope_and_roles(api_as, stocked, clerk, clerk_b, inspector, officer, auditor):
    w = stocked.world
    check = services.stock_check_plan(depot=w.depot_a, planned_by=clerk, kind="full")
    services.stock_check_start(stock_check=check, started_by=clerk)
    url = f"{BASE}{check.pk}/"
    # Outside one's depots: 404 by URL, 400 in a body, absent from lists.
    outsider = api_as(clerk_b)
    assert outsider.get(url).status_code == 404
    assert outsider.get(f"{url}counts/").status_code == 404
    assert outsider.post(f"{url}submit/").status_code == 404
    assert _results(outsider.get(BASE)) == []
    assert _plan(outsider, w.depot_a).status_code == 400
    counted = outsider.post(
        f"{BASE}{check.pk}/counts/",
        {"lot": stocked.l1.pk, "storehouse": w.sh2.pk, "quantity": 1},
        format="json",
    )
    assert counted.status_code == 404
    # In scope, but the role may not: 403.
    for user in (officer, auditor, inspector):
        assert api_as(user).get(url).status_code == 200
        assert _plan(api_as(user), w.depot_a).status_code == 403
        refused = api_as(user).post(
            f"{url}counts/",
            {"lot": stocked.l1.pk, "storehouse": w.sh2.pk, "quantity": 1},
            format="json",
        )
        assert refused.status_code == 403
    for user in (officer, auditor):
        assert api_as(user).post(f"{url}cancel/").status_code == 403
    assert api_as(clerk).post(f"{url}approve/").status_code == 403
    assert Count.objects.count() == 0
    assert StockCheck.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"depot": None, "kind": "full", "_drop": "depot"},
        {"depot": "1", "kind": "full"},
        {"depot": None, "kind": "full"},
        {"depot": 999999, "kind": "full"},
        {"kind": "sample"},
        {"kind": "sample", "sample_size": 0},
        {"kind": "full", "sample_size": 3},
        {"kind": "sample", "sample_size": 2, "freeze_depot": True},
        {"kind": "full", "freeze_depot": "yes"},
        {"kind": "weekly"},
    ],
)
def test_bad_plans_are_400_and_write_nothing(api_as, world, clerk, body):
    body = {"depot": world.depot_a.pk, **body}
    if body.pop("_drop", None):
        del body["depot"]
    response = api_as(clerk).post(BASE, body, format="json")
    assert response.status_code == 400, response.content
    assert StockCheck.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"lot": None, "quantity": 1},
        {"lot": "x", "quantity": 1},
        {"quantity": -1},
        {"quantity": "3"},
        {"quantity": 1.5},
    ],
)
def test_bad_counts_are_400_and_write_nothing(api_as, stocked, clerk, body):
    w = stocked.world
    check = services.stock_check_plan(depot=w.depot_a, planned_by=clerk, kind="full")
    services.stock_check_start(stock_check=check, started_by=clerk)
    full = {"lot": stocked.l1.pk, "storehouse": w.sh2.pk, **body}
    if full["lot"] is None:
        del full["lot"]
    response = api_as(clerk).post(f"{BASE}{check.pk}/counts/", full, format="json")
    assert response.status_code == 400, response.content
    assert Count.objects.count() == 0
    assert StockCheckLine.objects.filter(extra=True).count() == 0


def test_a_storehouse_of_another_depot_is_400(api_as, stocked, clerk):
    w = stocked.world
    check = services.stock_check_plan(depot=w.depot_a, planned_by=clerk, kind="full")
    services.stock_check_start(stock_check=check, started_by=clerk)
    response = api_as(clerk).post(
        f"{BASE}{check.pk}/counts/",
        {"lot": stocked.l1.pk, "storehouse": w.sh3.pk, "quantity": 1},
        format="json",
    )
    assert response.status_code == 400
    assert Count.objects.count() == 0


def test_the_count_list_costs_a_fixed_number_of_queries(
    api_as, world, clerk, django_assert_max_num_queries
):
    lots = [world.lot(world.ball, f"Q-{n:02d}") for n in range(30)]
    for lot in lots:
        world.stock(clerk, lot, world.sh2, 5)
    check = services.stock_check_plan(depot=world.depot_a, planned_by=clerk, kind="full")
    services.stock_check_start(stock_check=check, started_by=clerk)
    client = api_as(clerk)
    client.get(f"{BASE}{check.pk}/counts/")  # warm the session
    with django_assert_max_num_queries(8) as captured:
        response = client.get(f"{BASE}{check.pk}/counts/?page_size=50")
    assert len(_results(response)) == 30
    few = len(captured.captured_queries)
    for lot in lots[:10]:
        services.stock_check_count(
            stock_check=check, counted_by=clerk, lot=lot, storehouse=world.sh2, quantity=5
        )
    with django_assert_max_num_queries(few):
        client.get(f"{BASE}{check.pk}/counts/?page_size=50")


def test_incidents_over_the_api(api_as, stocked, clerk, clerk_b, inspector, officer):
    w = stocked.world
    reported = api_as(clerk).post(
        "/api/v1/incidents/",
        {
            "depot": w.depot_a.pk,
            "kind": "theft",
            "title": "Break-in at SH2",
            "occurred_on": str(timezone.localdate()),
            "units_lost": 12,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="theft-1",
    )
    assert reported.status_code == 201, reported.content
    incident_id = reported.json()["id"]
    url = f"/api/v1/incidents/{incident_id}/"
    assert api_as(clerk_b).get(url).status_code == 404
    assert api_as(clerk).patch(url, {"status": "closed"}, format="json").status_code == 403
    refused = api_as(inspector).patch(url, {"status": "closed"}, format="json")
    assert refused.status_code == 400  # closing needs findings
    assert Incident.objects.get(pk=incident_id).status == "open"
    investigating = api_as(inspector).patch(url, {"status": "under_investigation"}, format="json")
    assert investigating.json()["status"] == "under_investigation"
    closed = api_as(inspector).patch(
        url,
        {
            "status": "closed",
            "findings": "Padlock cut; police report 77/26",
            "suspected_point_of_loss": "SH2 rear door",
        },
        format="json",
    )
    assert closed.status_code == 200
    assert closed.json()["closed_by"] == "inspector_a"
    assert api_as(officer).get("/api/v1/incidents/?unresolved=true").json()["results"] == []
    monthly = api_as(officer).get("/api/v1/incidents/monthly/").json()["results"]
    assert [(m["depot_code"], m["incidents"], m["thefts"], m["units_lost"]) for m in monthly] == [
        ("DA", 1, 1, 12)
    ]
    bad = api_as(clerk).post(
        "/api/v1/incidents/",
        {"depot": w.depot_b.pk, "kind": "theft", "title": "x", "occurred_on": "2026-01-01"},
        format="json",
    )
    assert bad.status_code == 400
    assert Incident.objects.count() == 1
