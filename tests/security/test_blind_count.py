"""Blind counts are blind everywhere (issue 15, part B; DESIGN.md §7): while a stock check counts,
the depot's counters do not see the book quantities of the storehouses counted, on the stock
list, stock cards, lot search, licence use, the API or in reports, until the counts are
submitted. Inspectors and national readers still do."""

import pytest
from django.utils import timezone

from reports.services import report_request
from stockchecks.models import StockCheckKind
from stockchecks.services import (
    stock_check_cancel,
    stock_check_count,
    stock_check_plan,
    stock_check_reject,
    stock_check_start,
    stock_check_submit,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(world, clerk):
    """Lot L-1: 40 in SH1 and 7 in SH2 of depot A."""
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 40)
    world.stock(clerk, lot, world.sh2, 7)
    return lot


def start(world, clerk, storehouse=None):
    check = stock_check_plan(
        depot=world.depot_a, planned_by=clerk, kind=StockCheckKind.FULL, storehouse=storehouse
    )
    return stock_check_start(stock_check=check, started_by=clerk)


def stock_rows(api, lot):
    rows = api.get("/api/v1/stock/", {"lot": lot.pk}).json()["results"]
    return sorted((row["storehouse"], row["quantity"]) for row in rows)


def card_lines(api, lot):
    return api.get(f"/api/v1/lots/{lot.pk}/stock-card/").json()["results"]


def test_counters_see_no_book_until_the_counts_are_submitted(
    world, counted, clerk, inspector, officer, api_as, client
):
    check = start(world, clerk)
    counter = api_as(clerk)
    assert stock_rows(counter, counted) == []
    assert card_lines(counter, counted) == []
    client.force_login(clerk)
    stock_page = client.get("/stock/").content.decode()
    assert "L-1" not in stock_page
    card = client.get(f"/lots/{counted.pk}/card/")
    assert card.context["holdings"] == []
    assert list(card.context["page"].rows) == []
    # Those who do not count still see the book.
    both = [(world.sh1.pk, 40), (world.sh2.pk, 7)]
    assert stock_rows(api_as(inspector), counted) == both
    assert stock_rows(api_as(officer), counted) == both
    assert len(card_lines(api_as(inspector), counted)) == 2
    # Counted and submitted: the book is back.
    for storehouse, quantity in ((world.sh1, 39), (world.sh2, 7)):
        stock_check_count(
            stock_check=check, counted_by=clerk, lot=counted, storehouse=storehouse,
            quantity=quantity,
        )  # fmt: skip
    stock_check_submit(stock_check=check, submitted_by=clerk)
    assert stock_rows(counter, counted) == both
    assert len(card_lines(counter, counted)) == 2
    # Sent back to counting: blind again.
    stock_check_reject(stock_check=check, rejected_by=inspector, note="Recount SH1")
    assert stock_rows(counter, counted) == []


def test_a_storehouse_check_hides_that_storehouse_only(world, counted, clerk, api_as):
    check = start(world, clerk, storehouse=world.sh1)
    assert stock_rows(api_as(clerk), counted) == [(world.sh2.pk, 7)]
    assert [line["storehouse"] for line in card_lines(api_as(clerk), counted)] == [world.sh2.pk]
    stock_check_cancel(stock_check=check, cancelled_by=clerk)
    assert stock_rows(api_as(clerk), counted) == [(world.sh1.pk, 40), (world.sh2.pk, 7)]


def test_other_depots_counters_are_unaffected(world, clerk, clerk_b, api_as):
    lot = world.lot(world.ball, "L-B")
    world.stock(clerk_b, lot, world.sh3, 5)
    start(world, clerk)
    assert stock_rows(api_as(clerk_b), lot) == [(world.sh3.pk, 5)]


def test_lot_search_and_licence_use_hide_the_book(world, counted, clerk, client):
    start(world, clerk, storehouse=world.sh1)
    client.force_login(clerk)
    found = client.get("/lots/search/", {"q": "L-1"}).content.decode()
    assert "SH2" in found
    assert "SH1" not in found
    summary = client.get("/stock/").context["summary"]
    assert [use.storehouse.code for use in summary if use.total_neq_kg] == ["SH2"]


def test_the_stock_card_report_is_refused_to_a_counter(world, counted, clerk, inspector, api_as):
    start(world, clerk)
    answer = api_as(clerk).post(
        "/api/v1/reports/",
        {"kind": "stock_card", "parameters": {"lot": counted.pk, "depot": world.depot_a.pk}},
        format="json",
    )
    assert answer.status_code == 409, answer.content
    assert answer.json()["code"] == "blind_count"
    today = timezone.localdate().isoformat()
    answer = api_as(clerk).post(
        "/api/v1/reports/",
        {
            "kind": "accounting_statement",
            "parameters": {"depot": world.depot_a.pk, "period_start": today, "period_end": today},
        },
        format="json",
    )
    assert answer.json()["code"] == "blind_count"
    # An inspector reviewing the count may have it.
    run = report_request(
        kind="stock_card",
        parameters={"lot": counted.pk, "depot": world.depot_a.pk},
        requested_by=inspector,
        inline=False,
    )
    assert run.pk is not None


def test_a_clerk_of_two_depots_is_blind_only_where_counted(world, counted, clerk, api_as):
    both = UserFactory(roles=["clerk"], depots=[world.depot_a, world.depot_b])
    lot = world.lot(world.ball, "L-B")
    world.stock(both, lot, world.sh3, 5)
    start(world, clerk)
    assert stock_rows(api_as(both), counted) == []
    assert stock_rows(api_as(both), lot) == [(world.sh3.pk, 5)]


def test_surveillance_lot_page_and_split_form_hide_the_book(world, counted, clerk, client):
    start(world, clerk, storehouse=world.sh1)
    client.force_login(clerk)
    page = client.get(f"/surveillance/lots/{counted.pk}/")
    assert [b.storehouse.code for b in page.context["holdings"]] == ["SH2"]
    split = client.get(f"/lots/{counted.pk}/split/")
    assert "SH1" not in split.content.decode()
