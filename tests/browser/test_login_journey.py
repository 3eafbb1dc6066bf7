"""Signing in and out in a real browser, for every role: what each one lands on and may open."""

import os
import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

LOGIN_PATH = reverse("login")
ADMIN_LOGIN_PATH = reverse("admin:login")
WRONG_LOGIN = "Please enter a correct username and password"

# role -> (the fixture holding a user with that role, the depot codes in their scope)
JOURNEYS = {
    "clerk": ("clerk", ["DA"]),
    "inspector": ("inspector", ["DA"]),
    "officer": ("officer", ["DA", "DB"]),
    "auditor": ("auditor", ["DA", "DB"]),
    "admin": ("admin_user", ["DA", "DB"]),
}


def login_url_re(next_path: str | None = None) -> re.Pattern:
    """The login page's URL, optionally with ?next=<path>."""
    query = rf"\?next={re.escape(next_path)}" if next_path else r"(\?.*)?"
    return re.compile(rf"^https?://[^/]+{re.escape(LOGIN_PATH)}{query}$")


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


@pytest.mark.parametrize("role", list(JOURNEYS))
def test_each_role_signs_in_sees_its_home_and_signs_out(
    live_server, page: Page, request, depot_a, depot_b, role
):
    fixture, depot_codes = JOURNEYS[role]
    user = request.getfixturevalue(fixture)

    # Anonymous: the home page sends us to sign in, and back home afterwards.
    page.goto("/")
    expect(page).to_have_url(login_url_re(next_path="/"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    sign_in(page, user.username)
    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {user.get_full_name()}")

    # Exactly this role's section and badge.
    expect(page.locator(f"section#role-{role}")).to_be_visible()
    expect(page.locator("section.role-section")).to_have_count(1)
    expect(page.locator("[data-role]")).to_have_count(1)
    expect(page.locator(f"[data-role='{role}']")).to_be_visible()

    # Exactly the depots in scope, in code order.
    rows = page.locator("tr[data-depot]")
    expect(rows).to_have_count(len(depot_codes))
    for row, code in zip(rows.all(), depot_codes, strict=True):
        expect(row).to_have_attribute("data-depot", code)

    # The classification marking, top and bottom of the page.
    expect(page.get_by_role("note", name="Classification")).to_have_text("UNCLASSIFIED")
    expect(page.get_by_text("UNCLASSIFIED", exact=True)).to_have_count(2)

    # "Administration" in the navigation only for the admin role.
    admin_link = main_nav(page).get_by_role(
        "link", name="Administration", exact=True, include_hidden=True
    )
    expect(admin_link).to_have_count(1 if role == "admin" else 0)

    if role == "clerk" and os.environ.get("STOCKPILE_SCREENSHOTS"):
        folder = settings.BASE_DIR / "var" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=folder / "clerk-home.png", full_page=True)

    # Sign out: back on the login page, and the home page is closed again.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(login_url_re())
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    page.goto("/")
    expect(page).to_have_url(login_url_re(next_path="/"))
    expect(page.get_by_label("Username")).to_be_visible()


def test_wrong_password_shows_error_and_keeps_username(live_server, page: Page, clerk):
    page.goto(LOGIN_PATH)
    sign_in(page, clerk.username, "not-the-password")

    expect(page).to_have_url(login_url_re())
    expect(page.get_by_role("alert")).to_contain_text(WRONG_LOGIN)
    expect(page.get_by_label("Username")).to_have_value(clerk.username)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_admin_opens_django_admin_from_navigation(live_server, page: Page, admin_user):
    page.goto("/")
    sign_in(page, admin_user.username)
    expect(page).to_have_url("/")

    main_nav(page).get_by_role("group").filter(has_text="System").locator("summary").click()
    main_nav(page).get_by_role("link", name="Administration", exact=True).click()
    expect(page).to_have_url(reverse("admin:index"))
    expect(page.get_by_role("link", name="Stockpile administration")).to_be_visible()
    expect(page).to_have_title(re.compile("Stockpile administration"))


def test_clerk_is_sent_to_admin_login_not_admin_index(live_server, page: Page, clerk):
    page.goto("/")
    sign_in(page, clerk.username)
    expect(page).to_have_url("/")

    page.goto(reverse("admin:index"))
    expect(page).to_have_url(
        re.compile(rf"{re.escape(ADMIN_LOGIN_PATH)}\?next={re.escape(reverse('admin:index'))}$")
    )
    expect(page.get_by_text(f"You are authenticated as {clerk.username}")).to_be_visible()
    expect(page.get_by_role("heading", name="Site administration")).to_have_count(0)
