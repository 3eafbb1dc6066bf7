"""The web pages: planning, the blind count sheet, tablet counting (htmx), review, incidents."""

import re

import pytest
from django.urls import reverse

from inventory.models import Incident
from stockchecks import services
from stockchecks.models import StockCheck, StockCheckLine

pytestmark = pytest.mark.django_db
# The book quantity of the counted line, as a number on its own (not inside an id like 14321).
BOOK = re.compile(r"(?<![\d,.])4,?321(?![\d,.])")


@pytest.fixture
def counting(stocked, clerk):
    """A 100 % check of depot A, counting; BALL-2's book made distinctive (4321)."""
    w = stocked.world
    w.stock(clerk, stocked.l2, w.sh2, 4271)
    check = services.stock_check_plan(depot=w.depot_a, planned_by=clerk, kind="full")
    return services.stock_check_start(stock_check=check, started_by=clerk)


def test_a_clerk_plans_from_the_page(client, world, clerk):
    client.force_login(clerk)
    assert client.get(reverse("stockchecks:check_plan")).status_code == 200
    response = client.post(
        reverse("stockchecks:check_plan"),
        {"depot": world.depot_a.pk, "kind": "full", "freeze_depot": "on"},
    )
    check = StockCheck.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("stockchecks:check_detail", args=[check.pk])
    assert check.freeze_depot
    refused = client.post(
        reverse("stockchecks:check_plan"), {"depot": world.depot_a.pk, "kind": "sample"}
    )
    assert refused.status_code == 200
    assert "A sample check counts at least one line" in refused.content.decode()
    assert StockCheck.objects.count() == 1


def test_clerk_pages_never_show_the_book(client, counting, clerk):
    client.force_login(clerk)
    for name in ("check_detail", "check_sheet", "check_count"):
        response = client.get(reverse(f"stockchecks:{name}", args=[counting.pk]))
        assert response.status_code == 200, name
        body = response.content.decode()
        assert "BALL-2" in body
        assert not BOOK.search(body), name
    listed = client.get(reverse("stockchecks:check_list")).content.decode()
    assert not BOOK.search(listed)


def test_tablet_counting_with_htmx_and_found_stock(client, counting, stocked, clerk):
    client.force_login(clerk)
    line = StockCheckLine.objects.get(stock_check=counting, lot=stocked.l2)
    url = reverse("stockchecks:check_count", args=[counting.pk])
    response = client.post(url, {"line": line.pk, "quantity": 4300}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith(f'<tr id="line-{line.pk}"')
    assert "Saved" in body
    assert not BOOK.search(body)
    client.post(url, {"line": line.pk, "quantity": 4320}, HTTP_HX_REQUEST="true")
    line.refresh_from_db()
    assert line.counted_quantity == 4320
    assert line.counts == 2
    found = stocked.world.lot(stocked.world.ball, "BALL-NEW")
    response = client.post(
        url, {"lot_number": "ball-new", "storehouse": stocked.world.sh2.pk, "quantity": 3}
    )
    assert response.status_code == 302
    assert StockCheckLine.objects.get(stock_check=counting, lot=found).extra


def test_an_inspector_reviews_the_variances_and_approves(
    client, counting, stocked, clerk, inspector, auditor
):
    for line in counting.lines.all():
        services.stock_check_count(
            stock_check=counting, counted_by=clerk, lot=line.lot, storehouse=line.storehouse,
            quantity=line.book_at_start - (1 if line.lot == stocked.l2 else 0),
        )  # fmt: skip
    services.stock_check_submit(stock_check=counting, submitted_by=clerk)
    client.force_login(inspector)
    detail = client.get(reverse("stockchecks:check_detail", args=[counting.pk])).content.decode()
    assert "4,321" in detail  # the reviewer sees the book and the variance
    assert "<strong>-1</strong>" in detail
    response = client.post(reverse("stockchecks:check_action", args=[counting.pk, "approve"]))
    assert response.status_code == 302
    counting.refresh_from_db()
    assert counting.status == "approved"
    client.force_login(auditor)
    page = client.get(reverse("stockchecks:check_detail", args=[counting.pk])).content.decode()
    assert counting.adjustments.get().number in page
    assert "66.7 %" in page  # 2 of 3 lines correct
    incident = Incident.objects.get()
    listed = client.get(reverse("stockchecks:incident_list")).content.decode()
    assert incident.number in listed


def test_a_refusal_is_shown_not_raised(client, counting, clerk):
    client.force_login(clerk)
    response = client.post(
        reverse("stockchecks:check_action", args=[counting.pk, "approve"]), follow=True
    )
    assert response.status_code == 403
    response = client.post(
        reverse("stockchecks:check_action", args=[counting.pk, "submit"]), follow=True
    )
    assert "not counted yet" in response.content.decode()


def test_other_depots_checks_are_404(client, counting, clerk_b):
    client.force_login(clerk_b)
    for name in ("check_detail", "check_sheet", "check_count"):
        assert client.get(reverse(f"stockchecks:{name}", args=[counting.pk])).status_code == 404


def test_incident_pages(client, stocked, clerk, inspector, officer):
    client.force_login(clerk)
    response = client.post(
        reverse("stockchecks:incident_report"),
        {
            "depot": stocked.world.depot_a.pk,
            "kind": "theft",
            "title": "Break-in",
            "occurred_on": "2026-01-05",
            "units_lost": 4,
            "description": "Fence cut",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    client.force_login(inspector)
    url = reverse("stockchecks:incident_detail", args=[incident.pk])
    refused = client.post(url, {"status": "closed", "findings": ""})
    assert "closed with its findings" in refused.content.decode()
    client.post(url, {"status": "closed", "findings": "Fence cut", "suspected_point_of_loss": "N"})
    incident.refresh_from_db()
    assert incident.status == "closed"
    client.force_login(officer)
    monthly = client.get(reverse("stockchecks:incident_monthly")).content.decode()
    assert "DA" in monthly
    assert client.post(url, {"status": "under_investigation"}).status_code == 403
