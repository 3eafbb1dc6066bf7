"""An inspector's round in a real browser: an inspection with a photo, picked through the lot
search; then a failing stability test condemns the lot, and depot DA's clerk can no longer issue
it: the issue form's search does not offer it, and typing its number is refused."""

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from inventory.models import AmmunitionType, Document, Lot
from inventory.models.ledger import DocumentKind
from surveillance.models import Inspection, StabilityTest
from tests.browser.test_clerk_journey import line, nav, screenshot, sign_in

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def charge_lot(world, surveillance_policy, clerk):
    """Propelling charges (propellant-bearing, 1.3C), lot CHG-20-01: 50 in DA/SH1, condition A,
    made 2020-01-01 and so overdue for its first stability test."""
    charges = AmmunitionType.objects.create(
        code="CHG-122",
        name="122 mm propelling charge",
        category="other",
        hazard_division="1.3",
        compatibility_group="C",
        neq_per_unit_kg=Decimal("2"),
        shelf_life_months=240,
        contains_propellant=True,
    )
    lot = Lot.objects.create(
        ammunition_type=charges,
        manufacturer="Arsenal",
        lot_number="CHG-20-01",
        manufactured_on=date(2020, 1, 1),
        condition_id="A",
    )
    world.stock(clerk, lot, world.sh1, 50)
    return lot


def test_failing_stability_test_takes_the_lot_out_of_what_a_clerk_can_issue(
    live_server, page: Page, world, charge_lot, inspector, clerk, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path  # the live server runs in this process: it sees the setting

    # 1. The work list: the lot's first stability test is overdue.
    sign_in(page, inspector.username)
    nav(page, "Surveillance")
    expect(page.get_by_role("heading", level=1)).to_have_text("Surveillance work list")
    row = page.locator("#work-table tr[data-what='stability_test']", has_text="CHG-20-01")
    expect(row).to_contain_text("OVERDUE by")
    screenshot(page, "surveillance-work-list")

    # 2. An inspection, the lot picked by part of its number, with a photo.
    page.get_by_role("link", name="Record an inspection").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an inspection")
    page.get_by_label("Lot number").fill("chg-20")
    page.get_by_role("button", name=re.compile("CHG-20-01")).first.click()
    expect(page.get_by_label("Lot number")).to_have_value("CHG-20-01")
    expect(page.get_by_label("Depot or storehouse")).to_have_value(f"s:{world.sh1.pk}")
    page.get_by_label("Kind of inspection").select_option(label="periodic inspection")
    page.get_by_label("Sample size (units)").fill("6")
    page.get_by_label("Resulting condition").select_option(value="A")
    page.get_by_label("Findings").fill("Containers sound; one label faded.")
    page.get_by_label("Attachments").set_input_files(
        [{"name": "crate.png", "mimeType": "image/png", "buffer": PNG}]
    )
    screenshot(page, "inspection-form")
    page.get_by_role("button", name="Record inspection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Surveillance · CHG-20-01")
    expect(page.locator(".messages")).to_contain_text(
        "Periodic inspection of lot CHG-20-01 recorded"
    )
    expect(page.locator("#inspections")).to_contain_text("one label faded")
    expect(page.get_by_role("link", name="crate.png")).to_be_visible()
    assert Inspection.objects.get().attachments.count() == 1

    # 3. A heat-flow calorimetry test that fails: only the pass/fail fields are shown.
    page.get_by_role("link", name="Record a stability test").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a stability test")
    expect(page.get_by_label("Depot")).to_have_value(str(world.depot_a.pk))
    page.get_by_label("Laboratory").fill("National Propellant Laboratory")
    page.get_by_label("Method").select_option(label="heat-flow calorimetry (pass/fail)")
    expect(page.locator("#content-fields")).to_be_hidden()
    expect(page.locator("#pass-fail-fields")).to_be_visible()
    page.get_by_label("Fail").check()
    screenshot(page, "stability-test-form")
    page.get_by_role("button", name="Record stability test").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stability test · CHG-20-01")
    expect(page.locator("[data-category]")).to_have_text("UNSTABLE")
    expect(page.locator("[data-action]")).not_to_be_empty()
    expect(page.locator(".messages")).to_contain_text("Stability test of lot CHG-20-01 recorded")
    screenshot(page, "stability-test-result")
    assert StabilityTest.objects.get().category == "unstable"

    page.get_by_role("link", name="Back to the lot").click()
    expect(page.locator("#lot-condition")).to_contain_text("H")
    expect(page.locator("#timeline")).to_contain_text("A → H")
    screenshot(page, "surveillance-lot-page")
    page.get_by_role("button", name="Sign out").click()

    # 4. The clerk of depot DA: the issue form no longer offers the lot ...
    sign_in(page, clerk.username)
    nav(page, "Issue")
    page.get_by_label("Issued to").select_option(label="1BDE — 1st Brigade")
    page.get_by_label("Purpose").fill("Live firing")
    first = line(page, 1)
    first.get_by_label("Lot number").fill("CHG-20")
    expect(first.get_by_text("Not issuable: condition H, unserviceable.")).to_be_visible()
    expect(first.get_by_role("button", name=re.compile("CHG-20-01"))).to_have_count(0)
    screenshot(page, "issue-not-offered")

    # ... and typing its number in full is refused with the reason; nothing is posted.
    first.get_by_label("Lot number").fill("CHG-20-01")
    first.get_by_label("Storehouse").select_option(label="DA/SH1 — ECM 1")
    first.get_by_label("Quantity").fill("5")
    page.get_by_role("button", name="Post issue").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "Lot CHG-20-01 is not issuable (condition H, unserviceable)."
    )
    assert not Document.objects.filter(kind=DocumentKind.ISSUE).exists()

    # The stock list shows the lot's condition, and its surveillance page is one tap away.
    nav(page, "Stock")
    stock_row = page.locator("#stock-table tr", has_text="CHG-20-01")
    expect(stock_row).to_contain_text("H · unserviceable")
    stock_row.get_by_role("link", name="Surveillance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Surveillance · CHG-20-01")
    expect(page.get_by_role("link", name="Record an inspection")).to_have_count(0)
