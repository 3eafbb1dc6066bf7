"""In a real browser: an inspector splits condemned boxes off a lot from its stock card, and a
clerk receives one transfer line into two storehouses with "Add a storehouse"."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from inventory import models, reference_data
from inventory.models import Balance, Storehouse
from inventory.services.posting import Movement, transfer_dispatch
from tests.browser.test_clerk_journey import line, nav, screenshot, sign_in
from tests.inventory.ledger_world import licence, make_world

pytestmark = pytest.mark.browser


@pytest.fixture
def world(depot_a, depot_b):
    """tests/inventory's world; the policy tables are loaded again after an earlier flush."""
    reference_data.load(
        HazardCode=models.HazardCode,
        ConditionCode=models.ConditionCode,
        MixingMatrixVersion=models.MixingMatrixVersion,
        MixingCell=models.MixingCell,
        PolicySetting=models.PolicySetting,
    )
    return make_world(depot_a, depot_b)


def test_inspector_splits_condemned_boxes_off_a_lot(
    live_server, page: Page, world, clerk, inspector
):
    lot = world.lot(world.ball, "AK-21-0457")
    world.stock(clerk, lot, world.sh1, 800)
    year = timezone.now().year

    sign_in(page, inspector.username)
    nav(page, "Stock")
    page.locator("#stock-table tr", has_text="AK-21-0457").get_by_role(
        "link", name="AK-21-0457"
    ).click()
    page.get_by_role("link", name="Split part of this lot").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Split a lot · AK-21-0457")

    # Nothing to split: refused on the form, nothing posted.
    page.get_by_label("Suffix of the child lot").fill("-H")
    page.get_by_label("Condition of the child lot").select_option(value="H")
    page.get_by_label("Reason").fill("Inspection 2026/17: two boxes corroded")
    page.get_by_role("button", name="Post lot split").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "Give the number of units to split in at least one storehouse."
    )
    # What was typed is kept; more than on hand is refused by the ledger.
    expect(page.get_by_label("Suffix of the child lot")).to_have_value("-H")
    page.get_by_label("Units to split in DA/SH1 — ECM 1").fill("900")
    page.get_by_role("button", name="Post lot split").click()
    expect(page.locator("#error-summary")).to_contain_text("800 on hand, 900 requested")

    page.get_by_label("Units to split in DA/SH1 — ECM 1").fill("60")
    screenshot(page, "lot-split-form")
    page.get_by_role("button", name="Post lot split").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Stock card · AK-21-0457-H")
    expect(page.get_by_role("status")).to_have_text(
        f"Lot split DA-{year}-000002 posted: 60 units of AK-21-0457 are now lot AK-21-0457-H."
    )
    expect(page.locator("dl.facts")).to_contain_text("H ·")
    expect(page.locator("#stock-card tbody tr")).to_have_count(1)
    screenshot(page, "lot-split-child")
    page.get_by_role("link", name="AK-21-0457", exact=True).click()  # "Split from"
    expect(page.locator("#stock-card tbody tr").last).to_contain_text("740")
    assert Balance.objects.get(lot=lot, storehouse=world.sh1).quantity == 740


def test_clerk_receives_one_line_into_two_storehouses(
    live_server, page: Page, world, clerk, clerk_b
):
    sh4 = Storehouse.objects.create(
        depot=world.depot_b, code="SH4", name="Container 4", kind="container"
    )
    licence(sh4, {"1.4": None})
    lot = world.lot(world.ball, "AK-21-0457")
    world.stock(clerk, lot, world.sh1, 500)
    transfer = transfer_dispatch(
        depot=world.depot_a,
        destination_depot=world.depot_b,
        lines=[Movement(lot.pk, world.sh1.pk, 300)],
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    )

    sign_in(page, clerk_b.username)
    nav(page, "Inbox")
    page.locator("#inbox-table tr", has_text=transfer.number).get_by_role(
        "link", name="Receive"
    ).click()
    first = line(page, 1)
    first.get_by_label("Into storehouse").select_option(label="DB/SH3 — ECM 3")
    first.get_by_label("Quantity received").fill("200")
    first.get_by_role("button", name="Add a storehouse").click()

    part = line(page, 1).get_by_role("group", name="Part 2")
    expect(part.get_by_label("Into storehouse")).to_be_focused()
    # What was typed in the first row is still there.
    expect(line(page, 1).get_by_label("Quantity received").first).to_have_value("200")
    part.get_by_label("Into storehouse").select_option(label="DB/SH4 — Container 4")
    part.get_by_label("Quantity received").fill("150")
    page.get_by_role("button", name="Post transfer receipt").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "350 of lot AK-21-0457 are entered as received, but 300 were sent"
    )

    line(page, 1).get_by_role("group", name="Part 2").get_by_label("Quantity received").fill("90")
    screenshot(page, "transfer-receive-two-storehouses")
    page.get_by_role("button", name="Post transfer receipt").click()
    expect(page.get_by_role("status")).to_contain_text("is received with discrepancy.")
    expect(page.locator("#document-lines")).to_contain_text("SH3")
    expect(page.locator("#document-lines")).to_contain_text("SH4")
    quantities = dict(
        Balance.objects.filter(lot=lot, depot=world.depot_b).values_list(
            "storehouse__code", "quantity"
        )
    )
    assert quantities == {"SH3": 200, "SH4": 90}


def test_inspector_records_a_waiver_from_the_stock_page(live_server, page: Page, world, inspector):
    sign_in(page, inspector.username)
    nav(page, "Stock")
    page.locator("article[data-storehouse='SH1']").get_by_role(
        "link", name="Record a waiver"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a storage waiver")
    expect(page.get_by_label("Storehouse")).to_have_value(str(world.sh1.pk))
    page.get_by_label("Rule waived").select_option(value="n2")
    page.get_by_label("Authority reference").fill("NTA-2026-17")
    page.get_by_label("Expires on").fill("2000-01-01")
    page.get_by_label("Reason").fill("Traverse between the F and D stacks")
    page.get_by_role("button", name="Record waiver").click()
    expect(page.locator("#error-summary")).to_contain_text("A waiver cannot expire in the past.")
    expires = (timezone.localdate() + timedelta(days=90)).isoformat()
    page.get_by_label("Expires on").fill(expires)
    page.get_by_role("button", name="Record waiver").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Storage waivers")
    expect(page.get_by_role("status")).to_contain_text("Waiver recorded for storehouse DA/SH1")
    row = page.locator("#waiver-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("In force")
    expect(row).to_contain_text("NTA-2026-17")
    expect(row).to_contain_text(expires)
    screenshot(page, "waiver-list")
