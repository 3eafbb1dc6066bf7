"""The depot switcher in a browser (issue 17): a clerk of two depots narrows the stock list to one
of them from the top bar, without a script, and the page stays accessible (axe-core) on a laptop
and an upright tablet."""

import pytest
from playwright.sync_api import Page, expect

from core.roles import Role
from tests.browser.test_accessibility import WCAG_21_AA, _violations
from tests.browser.test_clerk_journey import sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def two_depot_clerk(world):
    clerk = UserFactory(
        username="clerk_ab", roles=[Role.CLERK], depots=[world.depot_a, world.depot_b]
    )
    world.stock(clerk, world.lot(world.ball, number="SW-A"), world.sh1, 10)
    world.stock(clerk, world.lot(world.tnt, number="SW-B"), world.sh3, 20)
    return clerk


def test_a_clerk_narrows_the_stock_list_to_one_depot(
    live_server, page: Page, world, two_depot_clerk
):
    assert WCAG_21_AA  # the same rules as every other page
    sign_in(page, two_depot_clerk.username, "/stock/")
    stock = page.locator("main")
    expect(stock).to_contain_text("SW-A")
    expect(stock).to_contain_text("SW-B")

    switcher = page.locator("form.depot-switch")
    switcher.get_by_label("Showing").select_option(label="DA Depot A")
    switcher.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{live_server.url}/stock/")
    expect(stock).to_contain_text("SW-A")
    expect(stock).not_to_contain_text("SW-B")
    # Always visible: the top bar says which depot the pages show.
    expect(switcher.get_by_label("Showing")).to_have_value(str(world.depot_a.pk))
    expect(page.locator("form.depot-switch.narrowed")).to_be_visible()
    box = switcher.get_by_role("button", name="Show").bounding_box()
    assert box["height"] >= 44
    assert _violations(page, ["/stock/"]) == []

    page.set_viewport_size({"width": 800, "height": 1280})
    assert _violations(page, ["/stock/", "/"]) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Back to every depot, by keyboard.
    page.goto("/stock/")
    switcher.get_by_label("Showing").focus()
    page.keyboard.press("ArrowUp")
    expect(switcher.get_by_label("Showing")).to_have_value("")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("form.depot-switch.narrowed")).to_have_count(0)
    expect(stock).to_contain_text("SW-B")


def test_the_switcher_in_arabic_on_an_upright_tablet(
    live_server, browser, browser_context_args, world, two_depot_clerk
):
    context = browser.new_context(
        **{**browser_context_args, "locale": "ar", "viewport": {"width": 800, "height": 1280}}
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/?next=/stock/")
        page.locator("input[name=username]").fill(two_depot_clerk.username)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/stock/")
        switcher = page.locator("form.depot-switch")
        switcher.locator("select").select_option(str(world.depot_b.pk))
        switcher.locator("button").click()
        expect(page.locator("main")).not_to_contain_text("SW-A")
        expect(page.locator("main")).to_contain_text("SW-B")
        expect(switcher.locator("label")).to_have_text("المعروض")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
        assert _violations(page, [f"{live_server.url}/stock/"]) == []
    finally:
        context.close()
