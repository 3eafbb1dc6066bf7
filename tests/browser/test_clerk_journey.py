"""A clerk's day in a real browser: a receipt with a new lot typed inline, an issue and a transfer
to depot DB picked through the lot search; then DB's clerk receives the transfer short."""

import os
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from inventory import models, reference_data
from tests.factories import PASSWORD
from tests.inventory.ledger_world import make_world

pytestmark = pytest.mark.browser


@pytest.fixture
def world(depot_a, depot_b):
    """tests/inventory's world (its fixtures are not visible here). The data migration's policy
    tables are emptied by the transactional flush of an earlier test: load them again."""
    reference_data.load(
        HazardCode=models.HazardCode,
        ConditionCode=models.ConditionCode,
        MixingMatrixVersion=models.MixingMatrixVersion,
        MixingCell=models.MixingCell,
        PolicySetting=models.PolicySetting,
    )
    return make_world(depot_a, depot_b)


def sign_in(page: Page, username: str, next_path: str = "/") -> None:
    page.goto(f"{reverse('login')}?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(next_path)


def nav(page: Page, name: str) -> None:
    """Follow a link of the main navigation, opening the menu it is in first."""
    main = page.get_by_role("navigation", name="Main")
    link = main.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        in_menu = page.get_by_role("link", name=name, exact=True, include_hidden=True)
        main.locator("details", has=in_menu).locator("summary").click()
    link.click()


def line(page: Page, number: int):
    return page.get_by_role("group", name=f"Line {number}", exact=True)


def pick_lot(page: Page, number: int, typed: str, lot_number: str) -> None:
    """Type part of a lot number and pick the lot from the search list."""
    row = line(page, number)
    row.get_by_label("Lot number").fill(typed)
    row.get_by_role("button", name=re.compile(re.escape(lot_number))).first.click()
    expect(row.get_by_label("Lot number")).to_have_value(lot_number)


def screenshot(page: Page, name: str) -> None:
    if os.environ.get("STOCKPILE_SCREENSHOTS"):
        folder = settings.BASE_DIR / "var" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=folder / f"{name}.png", full_page=True)


def test_receipt_issue_transfer_then_receipt_with_shortfall(
    live_server, page: Page, world, clerk, clerk_b
):
    year = timezone.now().year
    receipt, issue, transfer = (f"DA-{year}-{n:06d}" for n in (1, 2, 3))
    arrival = f"DB-{year}-000001"

    # 1. A receipt of a lot never seen before, typed inline.
    sign_in(page, clerk.username)
    nav(page, "Receive")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a receipt")
    page.get_by_label("Received from").fill("National Arsenal")
    page.get_by_label("External reference").fill("WB-114")
    first = line(page, 1)
    first.get_by_label("Lot number").fill("AK-21-0457")
    expect(first.get_by_text("No lot numbered like")).to_be_visible()
    # An unknown lot: its new-lot fields open by themselves.
    expect(first.get_by_label("Ammunition type code")).to_be_visible()
    first.get_by_label("Ammunition type code").fill("762-BALL")
    first.get_by_label("Manufacturer").fill("Arsenal 10")
    first.get_by_label("Date of manufacture").fill("2021-05")  # only the month is marked
    first.get_by_label("Storehouse").select_option(label="DA/SH1 — ECM 1")
    first.get_by_label("Quantity").fill("800")
    screenshot(page, "receipt-form")
    page.get_by_role("button", name="Post receipt").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Receipt {receipt}")
    expect(page.get_by_role("status")).to_have_text(f"Receipt {receipt} posted.")
    expect(page.locator("[data-status]")).to_have_text("Posted")
    expect(page.locator("#document-lines")).to_contain_text("AK-21-0457")
    screenshot(page, "receipt-posted")
    page.get_by_role("link", name="Print voucher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Receipt voucher {receipt}")
    expect(page.get_by_text("UNCLASSIFIED", exact=True)).to_have_count(2)
    expect(page.locator(".signature")).to_have_count(2)
    screenshot(page, "receipt-print")
    page.go_back()

    # 2. An issue: the lot is found by part of its number, its storehouse filled in.
    nav(page, "Issue")
    page.get_by_label("Issued to").select_option(label="1BDE — 1st Brigade")
    page.get_by_label("Purpose").fill("Training")
    pick_lot(page, 1, "ak-21", "AK-21-0457")
    expect(line(page, 1).get_by_label("Storehouse")).to_have_value(str(world.sh1.pk))
    line(page, 1).get_by_label("Quantity").fill("100")
    page.get_by_role("button", name="Post issue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Issue {issue}")
    expect(page.get_by_role("status")).to_have_text(f"Issue {issue} posted.")

    # 3. A transfer of 300 to depot DB, using a line added with the "Add a line" button.
    nav(page, "Transfer")
    page.get_by_label("Send to depot").select_option(label="DB — Depot B")
    for _ in range(5):
        page.get_by_role("button", name="Add a line").click()
    expect(page.get_by_role("group", name=re.compile(r"^Line \d+$"))).to_have_count(10)
    pick_lot(page, 10, "0457", "AK-21-0457")
    line(page, 10).get_by_label("Quantity").fill("300")
    page.get_by_role("button", name="Dispatch transfer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Transfer dispatch {transfer}")
    expect(page.locator("[data-status]")).to_have_text("In transit")

    # What is left: 800 - 100 - 300 in SH1, as 1.4S.
    nav(page, "Stock")
    row = page.locator("#stock-table tr", has_text="AK-21-0457")
    expect(row).to_contain_text("400")
    expect(row).to_contain_text("1.4S")
    expect(page.locator("article[data-storehouse='SH1']")).to_contain_text("1.4")
    screenshot(page, "stock-page")
    row.get_by_role("link", name="AK-21-0457").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stock card · AK-21-0457")
    expect(page.locator("dl.facts")).to_contain_text("May 1, 2021")
    expect(page.locator("#stock-card tbody tr")).to_have_count(3)
    expect(page.locator("#stock-card tbody tr").last).to_contain_text("400")

    page.get_by_role("button", name="Sign out").click()

    # 4. Depot DB's clerk receives it: 290 of the 300 arrived.
    sign_in(page, clerk_b.username)
    nav(page, "Inbox")
    inbox_row = page.locator("#inbox-table tr", has_text=transfer)
    expect(inbox_row).to_contain_text("DA — Depot A")
    inbox_row.get_by_role("link", name="Receive").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Receive transfer {transfer}")
    first = line(page, 1)
    expect(first).to_contain_text("AK-21-0457")
    expect(first).to_contain_text("Sent: 300")
    expect(first.get_by_label("Quantity received")).to_have_value("300")
    first.get_by_label("Into storehouse").select_option(label="DB/SH3 — ECM 3")
    first.get_by_label("Quantity received").fill("290")
    screenshot(page, "transfer-receive")
    page.get_by_role("button", name="Post transfer receipt").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Transfer receipt {arrival}")
    expect(page.get_by_role("status")).to_have_text(
        f"Transfer receipt {arrival} posted: transfer {transfer} is received with discrepancy."
    )
    page.get_by_role("link", name=transfer).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Transfer dispatch {transfer}")
    expect(page.locator("[data-status]")).to_have_text("Received with discrepancy")
    expect(page.get_by_text("Less arrived than was sent")).to_be_visible()
    expect(page.locator("#shortfalls tbody tr")).to_have_text(
        re.compile(r"AK-21-0457\s*300\s*290\s*10")
    )
    screenshot(page, "transfer-discrepancy")

    nav(page, "Inbox")
    expect(page.get_by_text("Nothing is on its way to your depots.")).to_be_visible()
