"""The surplus dashboard opens with its figures and charts; its long tables are sections one click
away (issue 17), reachable from the figures and the contents, and all open to print."""

import pytest
from playwright.sync_api import Page, expect

from inventory.models import Lot
from tests.browser.test_accessibility import _violations
from tests.browser.test_clerk_journey import sign_in
from tests.browser.test_surplus_journey import stocked  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser

SIDEWAYS = "() => document.scrollingElement.scrollWidth - window.innerWidth"
HEIGHT = "() => document.scrollingElement.scrollHeight"


@pytest.fixture
def many_lots(stocked, clerk):  # noqa: F811 - the fixture imported above
    """Forty condemned lots more: forty rows in the unserviceable table."""
    for n in range(40):
        lot = stocked.lot(stocked.ball, number=f"COND-{n:02d}")
        stocked.stock(clerk, lot, stocked.sh1, 5)
        Lot.objects.filter(pk=lot.pk).update(condition_id="H")
    return stocked


def test_the_dashboard_opens_short_and_every_table_is_one_click_away(
    live_server, page: Page, many_lots, officer
):
    sign_in(page, officer.username, "/surplus/")
    closed = page.evaluate(HEIGHT)
    assert closed < 2500, closed  # figures, charts and a closed section per table
    expect(page.locator("ul.headline")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    unserviceable = page.locator("table[data-table='unserviceable']")
    expect(unserviceable).to_be_hidden()

    # A figure leads to its section, opened.
    page.locator("ul.headline").get_by_role("link", name="Unserviceable awaiting disposal").click()
    expect(unserviceable).to_be_visible()
    expect(unserviceable.locator("tbody tr")).to_have_count(41)

    # A section's title opens it, by keyboard too.
    types = page.locator("table[data-table='types']")
    expect(types).to_be_hidden()
    page.locator("#table-types > summary").focus()
    page.keyboard.press("Enter")
    expect(types).to_be_visible()

    # Every section open, without a script: the whole dashboard (to read or print).
    page.get_by_role("link", name="Open every section").click()
    expect(page.locator("details.section:not([open])")).to_have_count(0)
    assert page.evaluate(HEIGHT) > closed + 1000
    assert page.evaluate(SIDEWAYS) <= 0

    # Printing opens the closed sections.
    page.goto("/surplus/")
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    expect(page.locator("details.section:not([open])")).to_have_count(0)
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    expect(page.locator("details.section[open]")).to_have_count(1)  # the totals

    assert _violations(page, ["/surplus/", "/surplus/?section=all"]) == []
