"""A clerk opens the daily storehouse book from the Stock menu in a real browser, chooses a
storehouse and the days, reads the book, and prints it: on paper each day carries a signature line
and the form is gone."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_clerk_journey import nav, sign_in
from tests.inventory.book_history import post_book_history

pytestmark = pytest.mark.browser


def test_a_clerk_reads_and_prints_the_book(page: Page, world, clerk):
    book = post_book_history(world, clerk)
    sign_in(page, clerk.username)
    nav(page, "Storehouse book")
    expect(page.get_by_role("heading", level=1)).to_have_text("Daily storehouse book")
    page.get_by_label("Storehouse", exact=True).select_option(str(book.world.sh1.pk))
    page.get_by_label("From", exact=True).fill(book.start.isoformat())
    page.get_by_label("To", exact=True).fill(book.today.isoformat())
    page.get_by_role("button", name="Show the book").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("DA/SH1")
    days = page.locator("section.book-day")
    expect(days).to_have_count(15)
    expect(page.locator("section.book-day.quiet")).to_have_count(9)
    expect(page.get_by_role("link", name=book.issue.number)).to_be_visible()
    signatures = page.locator(".day-signature")
    expect(signatures.first).to_be_hidden()  # on screen the signature lines are not shown
    expect(page.get_by_role("link", name="Download CSV")).to_be_visible()
    page.emulate_media(media="print")
    expect(signatures).to_have_count(15)
    expect(signatures.first).to_be_visible()
    expect(page.get_by_role("button", name="Show the book")).to_be_hidden()
    page.emulate_media(media="screen")
