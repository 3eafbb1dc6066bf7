"""Under the Content-Security-Policy (issue 15, part B) the pages still work in a real browser,
and Chromium reports no violation: an administrator opens every page of the main navigation, the
API docs, a lot card and a printable count sheet, whose Print button only a script run from a
file can reveal."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from inventory import models, reference_data
from inventory.services.posting import Movement, receipt_post
from stockchecks.models import StockCheckKind
from stockchecks.services import stock_check_plan, stock_check_start
from tests.browser.test_clerk_journey import sign_in
from tests.inventory.ledger_world import make_world

pytestmark = pytest.mark.browser

# Collects violations from inside the page too (an init script is exempt from the policy).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(event.violatedDirective + " " + event.blockedURI);
});
"""


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
    lot = world.lot(world.ball, "BALL-1")
    receipt_post(
        depot=depot_a,
        lines=[Movement(lot.pk, world.sh2.pk, 100)],
        occurred_on=timezone.localdate(),
        posted_by=clerk,
        counterparty="Factory",
    )
    return world, lot


def test_no_policy_violation_on_the_main_pages(page: Page, stocked, clerk_b, admin_user):
    world, lot = stocked
    # In depot B: an administrator may count, so depot A's book stays visible to them.
    check = stock_check_plan(depot=world.depot_b, planned_by=clerk_b, kind=StockCheckKind.FULL)
    stock_check_start(stock_check=check, started_by=clerk_b)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(LISTEN)
    sign_in(page, admin_user.username)
    links = page.get_by_role("navigation", name="Main").get_by_role("link", include_hidden=True)
    paths = [links.nth(i).get_attribute("href") for i in range(links.count())]
    paths = [p for p in paths if not p.startswith("/admin/")]
    assert len(paths) > 15
    paths += [
        reverse("inventory:lot_card", args=[lot.pk]),
        reverse("admin:index"),
    ]
    for path in paths:
        page.goto(path)
        expect(page.locator("body")).to_be_visible()
        assert page.evaluate("window.__csp") == [], path
    # htmx works: filtering the stock list swaps the results in place.
    page.goto(reverse("inventory:stock_list"))
    results = page.locator("#stock-results")
    expect(results).to_contain_text("BALL-1")
    page.get_by_label("Lot number").first.fill("NOPE")
    expect(results).not_to_contain_text("BALL-1")
    expect(page).to_have_url(re.compile(r"/stock/\?.*lot_number=NOPE"))  # swapped by htmx
    # A script from a file reveals the count sheet's Print button.
    page.goto(reverse("stockchecks:check_sheet", args=[check.pk]))
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    assert page.evaluate("window.__csp") == []
    # Ledger verification is queued; the page polls its progress (no worker runs it here).
    page.goto(reverse("audit:ledger"))
    page.get_by_role("button", name="Verify the ledger now").click()
    expect(page.locator("#verification-progress")).to_contain_text("Verification queued")
    page.wait_for_timeout(2500)  # one htmx poll
    expect(page.locator("#verification-progress")).to_contain_text("Verification queued")
    assert page.evaluate("window.__csp") == []
    # The API docs start from their own script file.
    page.goto(reverse("api-docs"))
    expect(page.locator("#swagger-ui")).to_contain_text("Stockpile API")
    assert page.evaluate("window.__csp") == []
    assert console == []
