"""Field-ready pages (issue 17): on a tablet held upright (800 x 1280) and on a small laptop or a
tablet held sideways (1280 x 800), no main page scrolls sideways; posting forms stack to one
column; touch targets are at least 44 px high; the clerk's stock list shows every column it has at
1280 px without scrolling sideways."""

import pytest
from playwright.sync_api import Page

from tests.browser.test_clerk_journey import sign_in

pytestmark = pytest.mark.browser

UPRIGHT = {"width": 800, "height": 1280}
SIDEWAYS = {"width": 1280, "height": 800}

CLERK_PAGES = [
    "/",
    "/stock/",
    "/documents/",
    "/receipts/new/",
    "/issues/new/",
    "/transfers/new/",
    "/moves/new/",
    "/returns/new/",
    "/adjustments/new/",
    "/transfers/inbox/",
    "/qd/",
]
OFFICER_PAGES = ["/", "/surplus/", "/alerts/", "/reports/", "/surveillance/"]

SIDEWAYS_SCROLL = "() => document.scrollingElement.scrollWidth - window.innerWidth"
# Visible buttons, links styled as buttons, inputs and selects of the main content smaller than
# 44 px in height: what a gloved finger on a storehouse tablet misses.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'main button, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), '
    + 'main select, main textarea, main a.button')]
  .filter(e => e.offsetParent !== null)
  .map(e => [e.outerHTML.slice(0, 80), Math.round(e.getBoundingClientRect().height)])
  .filter(([, h]) => h < 44)"""


def _overflowing(page: Page, paths: list[str], viewport: dict) -> dict[str, int]:
    page.set_viewport_size(viewport)
    wide = {}
    for path in paths:
        page.goto(path)
        if (extra := page.evaluate(SIDEWAYS_SCROLL)) > 0:
            wide[path] = extra
    return wide


def test_no_clerk_page_scrolls_sideways(live_server, page: Page, world, clerk):
    sign_in(page, clerk.username)
    assert _overflowing(page, CLERK_PAGES, UPRIGHT) == {}
    assert _overflowing(page, CLERK_PAGES, SIDEWAYS) == {}


def test_no_officer_page_scrolls_sideways(live_server, page: Page, world, officer):
    sign_in(page, officer.username)
    assert _overflowing(page, OFFICER_PAGES, UPRIGHT) == {}
    assert _overflowing(page, OFFICER_PAGES, SIDEWAYS) == {}


def test_posting_forms_stack_with_touch_sized_targets(live_server, page: Page, world, clerk):
    sign_in(page, clerk.username)
    page.set_viewport_size(UPRIGHT)
    for path in ("/receipts/new/", "/issues/new/", "/transfers/new/"):
        page.goto(path)
        assert page.evaluate(SMALL_TARGETS) == [], path
        # One column: no two fields stand side by side (on the same line of the page).
        tops = page.evaluate(
            """() => [...document.querySelectorAll('form.posting .field')]
                 .filter(e => e.offsetParent !== null)
                 .map(e => Math.round(e.getBoundingClientRect().top))"""
        )
        assert tops, path
        assert len(set(tops)) == len(tops), (path, sorted(tops))


def test_stock_list_fits_at_1280(live_server, page: Page, world, clerk):
    clerk_stock = world.lot(world.ball, number="LAYOUT-1")
    world.stock(clerk, clerk_stock, world.sh1, 12)
    sign_in(page, clerk.username, "/stock/")
    page.set_viewport_size(SIDEWAYS)
    page.goto("/stock/")
    table = page.locator("table.data").first
    overflow = table.evaluate("t => t.scrollWidth - t.parentElement.clientWidth")
    assert overflow <= 0
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    for column in ("Lot", "Type", "Storehouse", "Quantity", "NEQ", "Condition"):
        assert any(column.lower() in h.lower() for h in headers), (column, headers)
