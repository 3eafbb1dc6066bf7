"""A clerk posts a receipt with the keyboard alone: signs in, opens the menu, fills the voucher,
picks a known lot from the lot search list and types a new lot inline, chooses storehouses with
the arrow keys and posts. No mouse, no filling of fields: keys pressed, and where the focus is."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.test_clerk_journey import line
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

# What has the focus: its tag, name, text and label, for assertions and failure messages.
FOCUSED = """() => {
  const element = document.activeElement;
  const label = element.labels && element.labels.length ? element.labels[0].innerText : "";
  return {
    tag: element.tagName.toLowerCase(),
    name: element.name || "",
    text: (element.innerText || "").trim(),
    label: label.trim(),
  };
}"""


def focused(page: Page) -> dict:
    return page.evaluate(FOCUSED)


def press(page: Page, *keys: str) -> dict:
    for key in keys:
        page.keyboard.press(key)
    return focused(page)


def tab_to(page: Page, wanted, *, limit: int = 40, key: str = "Tab") -> dict:
    """Press Tab until the focused element passes `wanted` (a function of `focused`)."""
    seen = []
    for _ in range(limit):
        now = press(page, key)
        if wanted(now):
            return now
        seen.append(now)
    raise AssertionError(f"Not reached with {key} in {limit} presses; focus went through {seen}")


def named(name: str):
    return lambda element: element["name"] == name


def texted(text: str):
    return lambda element: element["text"] == text


def test_a_receipt_posted_with_the_keyboard_only(live_server, page: Page, world, clerk):
    year = timezone.now().year
    known = world.lot(world.ball, "BALL-1")
    world.stock(clerk, known, world.sh2, 100)  # DA-{year}-000001: BALL-1 is known in depot A
    receipt = f"DA-{year}-000002"

    # Sign in: the username field has the focus; Enter submits.
    page.goto(f"{reverse('login')}?next=/")
    assert focused(page)["name"] == "username"
    page.keyboard.type(clerk.username)
    assert press(page, "Tab")["name"] == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url("/")

    # The Stock menu opens with Enter; its Receive link is the third in it.
    tab_to(page, lambda element: element["tag"] == "summary" and element["text"] == "Stock")
    page.keyboard.press("Enter")
    assert press(page, "Tab")["text"] == "Stock"
    assert press(page, "Tab")["text"] == "Documents"
    assert press(page, "Tab")["text"] == "Receive"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a receipt")

    # The voucher: past the menus and the date (today, kept) to "Received from".
    assert tab_to(page, named("counterparty"))["label"] == "Received from"
    page.keyboard.type("National Arsenal")
    assert press(page, "Tab")["name"] == "reference"
    page.keyboard.type("WB-7")

    # Line 1, a known lot: typed in part, its match reached with Tab and picked with Enter.
    first = line(page, 1)
    assert press(page, "Tab")["name"] == "lines-0-lot_number"
    page.keyboard.type("ball")
    expect(first.locator("[data-lot-pick]")).to_have_count(1)
    pick = press(page, "Tab")
    assert (pick["tag"], pick["text"].split()[0]) == ("button", "BALL-1")
    # Escape closes the list and gives the focus back to the lot number, not to the page.
    assert press(page, "Escape")["name"] == "lines-0-lot_number"
    expect(first.locator("[data-lot-pick]")).to_have_count(0)
    # Typing again lists the lots again; the down arrow goes into the list, as in a combobox.
    page.keyboard.type("-1")
    expect(first.locator("[data-lot-pick]")).to_have_count(1)
    pick = press(page, "ArrowDown")
    assert (pick["tag"], pick["text"].split()[0]) == ("button", "BALL-1")
    assert press(page, "ArrowUp")["name"] == "lines-0-lot_number"
    assert press(page, "ArrowDown")["text"].startswith("BALL-1")
    assert press(page, "Enter")["name"] == "lines-0-quantity"  # the pick moves on to the quantity
    expect(first.get_by_label("Lot number")).to_have_value("BALL-1")
    expect(first.locator("[data-lot-pick]")).to_have_count(0)
    page.keyboard.type("40")
    # Back to the storehouse: the arrow keys choose it.
    assert press(page, "Shift+Tab")["name"] == "lines-0-storehouse"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(first.get_by_label("Storehouse")).to_have_value(str(world.sh2.pk))

    # Line 2, a new lot: no match, so its new-lot fields open, and Tab goes through them.
    second = line(page, 2)
    tab_to(page, named("lines-1-lot_number"), limit=5)
    page.keyboard.type("AK-21-0457")
    expect(second.get_by_text("No lot numbered like")).to_be_visible()
    expect(second.locator("details.new-lot-box")).to_have_attribute("open", "")
    assert press(page, "Tab")["name"] == "lines-1-storehouse"
    page.keyboard.press("ArrowDown")
    expect(second.get_by_label("Storehouse")).to_have_value(str(world.sh1.pk))
    assert press(page, "Tab")["name"] == "lines-1-quantity"
    page.keyboard.type("800")
    assert tab_to(page, named("lines-1-ammunition_type"), limit=4)["label"].startswith(
        "Ammunition type code"
    )
    page.keyboard.type("762-BALL")
    assert press(page, "Tab")["name"] == "lines-1-manufacturer"
    page.keyboard.type("Arsenal 10")
    assert press(page, "Tab")["name"] == "lines-1-manufactured_on"
    page.keyboard.type("2021-05")

    # "Add a line" works from the keyboard too, and takes the focus to the new line.
    tab_to(page, texted("+ Add a line"), limit=30)
    assert press(page, "Enter")["name"] == "lines-5-lot_number"
    expect(line(page, 6)).to_be_visible()

    # Post: the button is reached with Tab past the blank line, and pressed with Enter.
    tab_to(page, texted("Post receipt"), limit=8)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Receipt {receipt}")
    expect(page.get_by_role("status")).to_have_text(f"Receipt {receipt} posted.")
    lines = page.locator("#document-lines tbody tr")
    expect(lines).to_have_count(2)
    expect(lines.filter(has_text="BALL-1")).to_contain_text("SH2 Small arms")
    expect(lines.filter(has_text="BALL-1")).to_contain_text("+40")
    expect(lines.filter(has_text="AK-21-0457")).to_contain_text("SH1 ECM 1")
    expect(lines.filter(has_text="AK-21-0457")).to_contain_text("+800")
