"""Quantity-distance in the browser (DESIGN.md §13): a clerk uses the calculator from the
navigation; an administrator finds a licence beyond what its exposed sites permit on the
storehouse's QD page and sketch, generates the limits from QD, and requests the licence PDF."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from inventory.models import LicenceLimit
from qd.services import exposed_site_create
from reports.models import ReportRun
from tests.browser.test_clerk_journey import nav, screenshot, sign_in
from tests.factories import LicenceFactory, StorehouseFactory

pytestmark = pytest.mark.browser


def test_clerk_calculates_distances_for_a_mix(live_server, page: Page, clerk):
    sign_in(page, clerk.username)
    nav(page, "Quantity-distance")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quantity-distance calculator")

    # A wrong NEQ is refused with the field named, and nothing is calculated.
    page.get_by_label("Hazard division 1").select_option("1.1")
    page.get_by_label("NEQ (kg) 1").fill("-4")
    page.get_by_role("button", name="Calculate").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was calculated")
    expect(page.locator("#qd-distances")).to_have_count(0)

    # 10,000 kg of HD 1.1: the public check of DESIGN §13.
    page.get_by_label("NEQ (kg) 1").fill("10000")
    page.get_by_role("button", name="Calculate").click()
    distances = page.locator("#qd-distances")
    expect(distances.get_by_role("row", name="IBD")).to_contain_text("480")
    expect(distances.get_by_role("row", name="VBD")).to_contain_text("960")

    # A mix: 1,000 kg of 1.1 beside 5,000 kg of 1.3 is assessed as 6,000 kg of 1.1.
    page.get_by_label("NEQ (kg) 1").fill("1000")
    page.get_by_label("Hazard division 2").select_option("1.3")
    page.get_by_label("NEQ (kg) 2").fill("5000")
    page.get_by_role("button", name="Calculate").click()
    expect(page.get_by_role("region", name="Required distances")).to_contain_text("HD 1.1 6,000 kg")
    screenshot(page, "qd-calculator")


def test_admin_brings_a_licence_within_qd_and_prints_it(
    live_server, page: Page, admin_user, depot_a
):
    storehouse = StorehouseFactory(depot=depot_a, code="ESH1", kind="above_ground_storehouse")
    licence = LicenceFactory(
        storehouse=storehouse,
        limits={"1.1": Decimal("20000"), "1.3": Decimal("5000"), "1.4": None},
    )
    exposed_site_create(
        depot=depot_a,
        name="Village",
        kind="inhabited_building",
        distances=[{"storehouse": storehouse, "distance_m": Decimal("480")}],
        created_by=admin_user,
    )

    sign_in(page, admin_user.username, "/qd/")
    page.get_by_role("link", name="ESH1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quantity-distance of")
    # 20,000 kg of 1.1 needs 610 m to an inhabited building; the village is at 480 m.
    expect(page.locator("#beyond-qd")).to_contain_text("HD 1.1")
    permitted = page.locator("#qd-permitted").get_by_role("row").filter(has_text="beyond QD")
    expect(permitted).to_contain_text("10,107")
    expect(permitted).to_contain_text("Village (480 m)")
    sketch = page.locator("svg#qd-sketch")
    expect(sketch).to_have_attribute("role", "img")
    expect(sketch.locator("circle.inside")).to_have_count(1)
    expect(sketch).to_contain_text("Village (480 m)")
    screenshot(page, "qd-storehouse-beyond")

    page.get_by_role("button", name="Generate licence limits from QD").click()
    expect(page.get_by_role("status")).to_contain_text("now has the limits its exposed sites")
    expect(page.locator("#beyond-qd")).to_have_count(0)
    expect(page.locator("svg#qd-sketch circle.inside")).to_have_count(0)
    new_limit = LicenceLimit.objects.get(licence=licence, hazard_division="1.1")
    assert new_limit.max_neq_kg == 10107

    page.get_by_role("button", name="Print explosive limit licence (PDF)").click()
    run = ReportRun.objects.get(kind="explosive_licence")
    expect(page).to_have_url(f"/reports/{run.pk}/")
    assert run.parameters["licence"] == licence.pk
    assert run.requested_by == admin_user
