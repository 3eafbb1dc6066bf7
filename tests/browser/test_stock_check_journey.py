"""A stock check in a real browser: a clerk plans a 100 % check that freezes the depot, counts on
the tablet page (htmx, one line at a time, with a recount), submits; an inspector reviews the
variances and approves; the auditor sees the resulting adjustment and the loss incident."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from inventory import models, reference_data
from inventory.services.posting import Movement, receipt_post
from tests.browser.test_clerk_journey import nav, screenshot, sign_in
from tests.inventory.ledger_world import make_world

pytestmark = pytest.mark.browser


@pytest.fixture
def stocked(depot_a, depot_b, clerk):
    reference_data.load(
        HazardCode=models.HazardCode,
        ConditionCode=models.ConditionCode,
        MixingMatrixVersion=models.MixingMatrixVersion,
        MixingCell=models.MixingCell,
        PolicySetting=models.PolicySetting,
    )
    world = make_world(depot_a, depot_b)
    for number, quantity in (("BALL-1", 100), ("BALL-2", 50)):
        lot = world.lot(world.ball, number)
        receipt_post(
            depot=depot_a,
            lines=[Movement(lot.pk, world.sh2.pk, quantity)],
            occurred_on=timezone.localdate(),
            posted_by=clerk,
            counterparty="Factory",
        )
    return world


def count(page: Page, lot_number: str, quantity: str) -> None:
    row = page.locator("tr", has_text=lot_number)
    row.get_by_label(f"Count of {lot_number}").fill(quantity)
    row.get_by_role("button").click()
    expect(page.locator("tr", has_text=lot_number).get_by_role("status")).to_have_text("Saved")


def test_clerk_counts_inspector_approves_auditor_sees(
    live_server, page: Page, stocked, clerk, inspector, auditor
):
    sign_in(page, clerk.username)
    nav(page, "Stock checks")
    page.get_by_role("link", name="Plan a stock check").click()
    page.get_by_label("Depot", exact=True).select_option(label="DA Depot A")
    page.get_by_label("Kind").select_option(label="100 % check")
    page.get_by_label("Freeze the depot while counting").check()
    page.get_by_role("button", name="Plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"Stock check SC-\d+ · DA")
    )
    page.get_by_role("button", name="Start counting (take the book)").click()
    expect(page.locator("#check-status")).to_have_text("counting")
    expect(page.get_by_text("depot frozen: postings refused")).to_be_visible()
    expect(page.get_by_text("Counting is blind: the book is not shown.")).to_be_visible()

    page.get_by_role("link", name="Enter counts").click()
    expect(page.locator("body")).not_to_contain_text("100")  # blind: no book quantity
    count(page, "BALL-1", "98")
    count(page, "BALL-1", "97")  # a recount, kept as history
    expect(page.locator("tr", has_text="BALL-1")).to_contain_text("2 counts")
    count(page, "BALL-2", "50")
    screenshot(page, "stock-check-count")
    page.get_by_role("link", name="Back to the check").click()
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("#check-status")).to_have_text("submitted for approval")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, inspector.username)
    nav(page, "Stock checks")
    page.locator("#check-results").get_by_role("link", name=re.compile(r"SC-\d+")).click()
    row = page.locator("#lines tr", has_text="BALL-1")
    expect(row.locator(".variance")).to_have_text("-3")
    screenshot(page, "stock-check-review")
    page.get_by_role("button", name="Approve and post the variances").click()
    expect(page.locator("#check-status")).to_have_text("approved")
    expect(page.locator("#accuracy")).to_contain_text("50.0 %")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, auditor.username)
    nav(page, "Stock checks")
    page.locator("#check-results").get_by_role("link", name=re.compile(r"SC-\d+")).click()
    adjustment = page.locator("#accuracy").get_by_role("link", name=re.compile(r"DA-\d{4}-\d+"))
    adjustment.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Adjustment")
    expect(page.locator("body")).to_contain_text("BALL-1")
    nav(page, "Incidents")
    expect(page.locator("#incident-results")).to_contain_text("3 units missing")
    assert page.url.endswith(reverse("stockchecks:incident_list"))
    # ...and the audit log: who signed in during the check (the auditor reads, changes nothing).
    nav(page, "Audit log")
    audit = page.locator("#audit-table")
    expect(audit).to_contain_text(inspector.username)
    expect(audit).to_contain_text("Signed in")
    expect(page.get_by_role("button", name="Approve and post the variances")).to_have_count(0)
