"""An officer sets a national requirement, sees the surplus change on the dashboard, drills down
from the nation to a depot, a type and a lot, and plans the lot's disposal."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from inventory.models import Lot, PolicySetting, Waiver
from inventory.models.reference import WaiverRule
from surplus import reference_data
from surplus.models import DisposalPlan, PlanStatus
from tests.browser.test_clerk_journey import screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def stocked(world, clerk, inspector):
    """300 serviceable 7.62 mm ball in DA/SH1 and 20 condemned (H) beside them (waived)."""
    reference_data.load(PolicySetting=PolicySetting)
    Waiver.objects.create(
        storehouse=world.sh1,
        rule=WaiverRule.ISOLATION,
        reason="Awaiting disposal",
        authority_reference="W-1",
        expires_on=timezone.localdate().replace(year=2099),
        recorded_by=inspector,
    )
    good = world.lot(world.ball, number="BALL-GOOD")
    world.stock(clerk, good, world.sh1, 300)
    bad = world.lot(world.ball, number="BALL-COND")
    world.stock(clerk, bad, world.sh1, 20)
    Lot.objects.filter(pk=bad.pk).update(condition_id="H")
    return world


def _surplus_cell(page: Page):
    row = page.locator("table[data-table='types'] tbody tr", has_text="762-BALL")
    return row.locator("td").nth(13)


def test_officer_sets_requirement_drills_down_and_plans_disposal(
    live_server, page: Page, stocked, officer
):
    # 1. The dashboard with no requirement: the 300 serviceable are not assessed (a missing
    # requirement is never read as zero, DESIGN.md §9) and listed apart; only the 20 condemned
    # are surplus.
    sign_in(page, officer.username, "/surplus/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Surplus against national")
    expect(_surplus_cell(page)).to_have_text("20")
    expect(
        page.locator("table[data-table='not_assessed'] tbody tr", has_text="762-BALL")
    ).to_contain_text("no requirement stated")
    expect(page.locator("svg.chart").first).to_have_attribute("role", "img")

    # 2. Set a requirement of 100 (operational 60 + training 10 a year x 2 + 10 + 10).
    page.get_by_role("link", name="Set a requirement").click()
    page.get_by_label("Ammunition type or group (code)").fill("762-BALL")
    page.get_by_label("Operational stock (war reserve)").fill("60")
    page.get_by_label("Training consumption per year").fill("10")
    page.get_by_label("Years of training cover").fill("2")
    page.get_by_label("Testing").fill("10")
    page.get_by_label("Contingency").fill("10")
    page.get_by_label("Approval reference").fill("MoD/LOG/2026/7")
    page.get_by_role("button", name="Set requirement").click()
    expect(page.get_by_role("status")).to_contain_text("version 1, 100")
    expect(_surplus_cell(page)).to_have_text("220")
    screenshot(page, "surplus-dashboard")

    # 3. Drill down: the type (in its section, opened), then depot DA, then the condemned lot.
    page.get_by_role("heading", name="By type or group").click()
    page.locator("table[data-table='types']").get_by_role("link", name="762-BALL").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("762-BALL")
    expect(page.locator("#fact-requirement")).to_have_text("100")
    page.locator("table[data-table='depots']").get_by_role("link", name="DA").click()
    lot_row = page.locator("table[data-table='lots'] tbody tr", has_text="BALL-COND")
    expect(lot_row).to_contain_text("unserviceable")
    screenshot(page, "surplus-type")
    lot_row.get_by_role("link", name="Plan disposal").click()

    # 4. The plan form comes filled from the lot's holding.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft a disposal plan")
    expect(page.get_by_label("Lot number").first).to_have_value("BALL-COND")
    expect(page.get_by_label("Quantity").first).to_have_value("20")
    page.get_by_label("Method").select_option("open_detonation")
    page.get_by_label("Site").fill("Range 4 demolition ground")
    page.get_by_role("button", name="Draft plan").click()
    expect(page.locator("#plan-status")).to_have_text("draft")
    expect(page.locator("#plan-lines")).to_contain_text("BALL-COND")
    plan = DisposalPlan.objects.get()
    assert (plan.status, plan.lines.get().quantity) == (PlanStatus.DRAFT, 20)
