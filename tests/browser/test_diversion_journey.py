"""Diversion control in a real browser: an officer opens a transfer case and fills its
pre-transfer risk assessment, a second officer approves it, the depot clerk dispatches the
consignment, and the trace page shows it leaving under the case to its end user."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.roles import Role
from diversion import reference_data as checklist_data
from diversion import services
from diversion.models import ChecklistItem, ChecklistVersion
from inventory import models, reference_data
from tests.browser.test_clerk_journey import screenshot, sign_in
from tests.factories import UserFactory
from tests.inventory.ledger_world import make_world

pytestmark = pytest.mark.browser


@pytest.fixture
def register(depot_a, depot_b, clerk, officer):
    reference_data.load(
        HazardCode=models.HazardCode,
        ConditionCode=models.ConditionCode,
        MixingMatrixVersion=models.MixingMatrixVersion,
        MixingCell=models.MixingCell,
        PolicySetting=models.PolicySetting,
    )
    checklist_data.load(ChecklistVersion=ChecklistVersion, ChecklistItem=ChecklistItem)
    world = make_world(depot_a, depot_b)
    lot = world.lot(world.ball, "BALL-7", manufacturer="Arsenal 10")
    world.stock(clerk, lot, world.sh2, 100)
    end_user = services.party_create(
        kind="state_end_user", name="Ministry of Defence of Kenya", country="KE",
        status="verified", status_reason="Embassy confirmed", created_by=officer,
    )  # fmt: skip
    services.party_create(kind="broker", name="Brokerage Ltd", country="GB", created_by=officer)
    today = timezone.localdate()
    services.party_document_add(
        party=end_user, kind="end_user_certificate", number="EUC-2026-17",
        issuer="MoD Kenya", valid_from=today - timedelta(days=5),
        valid_until=today + timedelta(days=60), recorded_by=officer,
    )  # fmt: skip
    return world


def test_officer_builds_a_case_second_officer_approves_clerk_dispatches(
    live_server, page: Page, register, clerk, officer
):
    officer2 = UserFactory(username="officer2", roles=[Role.OFFICER])
    sign_in(page, officer.username)
    page.goto(reverse("diversion:case_list"))
    page.get_by_role("link", name="Open a transfer case").click()
    page.get_by_label("Leaves from depot").select_option(label="DA Depot A")
    page.get_by_label("Purpose").select_option(label="export to another state or agency")
    page.get_by_label("Consignee").select_option(label="Ministry of Defence of Kenya (KE)")
    page.get_by_label("End user", exact=True).select_option(
        label="Ministry of Defence of Kenya (KE)"
    )
    page.get_by_label("End-user certificate").select_option(index=1)
    page.get_by_label("Other parties in the chain").select_option(
        label="Brokerage Ltd (broker, GB)"
    )
    page.get_by_label("Destination country (ISO code)").fill("KE")
    page.get_by_label("Transit states").fill("TZ")
    page.get_by_label("Port of exit").fill("Dar es Salaam")
    page.get_by_label("Lot number 1").fill("ball-7")  # typed as a scanner would, any case
    page.get_by_label("Storehouse 1").select_option(label="DA/SH2")
    page.get_by_label("Quantity 1").fill("40")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Transfer case TC-\d{5}"))
    case_url = page.url
    case_number = page.get_by_role("heading", level=1).inner_text().split()[-1]
    expect(page.locator("#assessment-state")).to_have_text("none approved and in force")

    page.get_by_role("button", name="Start a risk assessment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Risk assessment RA-")
    assessment_url = page.url
    items = ChecklistItem.objects.filter(checklist__version=1).order_by("position")
    for item in items:
        section = page.locator(f"#item-{item.pk}")
        section.get_by_label("Risk").select_option("medium" if item.position == 6 else "low")
        section.get_by_label("Evidence").fill(f"Checked: {item.code}")
        section.get_by_role("button", name="Save the answer").click()
        expect(page.locator(f"#item-{item.pk}")).to_contain_text(f"Checked: {item.code}")
    expect(page.locator("#overall-risk")).to_contain_text("medium (10 / 10 answered)")
    expect(page.get_by_role("button", name="Approve the assessment")).to_have_count(0)
    screenshot(page, "diversion-assessment")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, officer2.username)
    page.goto(assessment_url)
    page.get_by_role("button", name="Approve the assessment").click()
    expect(page.locator("#assessment-status")).to_have_text("approved")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, clerk.username)
    page.goto(case_url)
    expect(page.get_by_text("Pre-transfer risk assessments")).to_have_count(0)
    page.get_by_role("button", name="Dispatch the consignment").click()
    expect(page.get_by_role("status")).to_contain_text("Dispatched: issue DA-")
    expect(page.locator("#case-status")).to_contain_text("dispatched")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, officer.username)
    page.goto(reverse("diversion:trace"))
    page.get_by_label(re.compile("Lot number")).fill("BALL-7")
    page.get_by_role("button", name="Trace").click()
    export = page.locator("tr", has_text=case_number)
    expect(export).to_contain_text("-40")
    expect(export).to_contain_text("Ministry of Defence of Kenya")
    expect(export).to_contain_text("broker Brokerage Ltd")
    expect(export).to_contain_text("end-use check: pending")
    expect(page.get_by_text("DA/SH2 60")).to_be_visible()
    screenshot(page, "diversion-trace")
