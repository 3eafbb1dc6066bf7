"""Accessibility (issue 17): axe-core finds no WCAG 2.1 A or AA violation on the main pages of each
role, in English and in Arabic (right to left), on a laptop and on an upright tablet."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.browser.test_clerk_journey import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
PAGES = {
    "clerk": ["/", "/stock/", "/documents/", "/receipts/new/", "/issues/new/", "/transfers/new/"],
    "inspector": ["/surveillance/", "/alerts/", "/qd/"],
    "officer": ["/surplus/", "/reports/"],
}


def _violations(page: Page, paths: list[str]) -> list[str]:
    axe = Axe()
    found = []
    for path in paths:
        page.goto(path)
        for violation in axe.run(page, options=WCAG_21_AA).response["violations"]:
            targets = [node["target"] for node in violation["nodes"]][:3]
            found.append(f"{path}: {violation['id']} ({violation['impact']}) {targets}")
    return found


@pytest.mark.parametrize("role", sorted(PAGES))
def test_main_pages_have_no_wcag_violation(live_server, page: Page, world, request, role):
    user = request.getfixturevalue(role)
    sign_in(page, user.username)
    assert _violations(page, PAGES[role]) == []
    page.set_viewport_size({"width": 800, "height": 1280})
    assert _violations(page, PAGES[role]) == []


def test_arabic_pages_have_no_wcag_violation(
    live_server, browser: Browser, browser_context_args, world, clerk
):
    context = browser.new_context(**{**browser_context_args, "locale": "ar"})
    try:
        page = context.new_page()
        page.set_default_navigation_timeout(30_000)
        page.goto(f"{live_server.url}/accounts/login/?next=/")
        page.locator("input[name=username]").fill(clerk.username)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/")
        paths = [f"{live_server.url}{path}" for path in PAGES["clerk"]]
        assert _violations(page, paths) == []
    finally:
        context.close()
