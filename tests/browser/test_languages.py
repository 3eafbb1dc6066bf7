"""Every offered language (issue 17): a clerk whose browser asks for it signs in and posts a
receipt, and every label, heading and message on the way is the catalogue's translation; the page
says its language, and Arabic is laid out right to left."""

import pytest
from django.conf import settings
from django.utils import timezone, translation
from playwright.sync_api import Browser, expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


@pytest.fixture
def context_in(browser: Browser, browser_context_args):
    contexts = []

    def open_in(code: str):
        context = browser.new_context(**{**browser_context_args, "locale": code})
        contexts.append(context)
        return context.new_page()

    yield open_in
    for context in contexts:
        context.close()


@pytest.mark.parametrize("code", LANGUAGES)
def test_clerk_signs_in_and_posts_a_receipt(live_server, context_in, world, clerk, code):
    def t(text: str) -> str:
        with translation.override(code):
            return translation.gettext(text)

    assert t("Record a receipt") != "Record a receipt", f"{code} is not translated"
    page = context_in(code)
    errors = []
    page.on("pageerror", lambda error: errors.append(error))

    page.goto(f"{live_server.url}/accounts/login/?next=/receipts/new/")
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if code == "ar" else "ltr")
    page.locator("input[name=username]").fill(clerk.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(t("Record a receipt"))
    page.get_by_label(t("Received from")).fill("National Arsenal")
    line = page.get_by_role("group", name=t("Line %(number)s") % {"number": 1}, exact=True)
    line.get_by_label(t("Lot number")).fill(f"LANG-{code}-1")
    line.get_by_label(t("Ammunition type code")).fill("762-BALL")
    line.get_by_label(t("Manufacturer")).fill("Arsenal 10")
    line.get_by_label(t("Date of manufacture")).fill("2021-05")
    line.get_by_label(t("Storehouse")).select_option(value=str(world.sh1.pk))
    line.get_by_label(t("Quantity")).fill("40")
    page.get_by_role("button", name=t("Post receipt")).click()

    number = f"DA-{timezone.now().year}-000001"
    expect(page.get_by_role("status")).to_have_text(
        t("Receipt %(number)s posted.") % {"number": number}
    )
    expect(page.locator("#document-lines")).to_contain_text(f"LANG-{code}-1")
    assert errors == []
