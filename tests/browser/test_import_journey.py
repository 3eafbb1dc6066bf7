"""A clerk brings a depot's paper ledger in, in a real browser (issue 19): an upload with a
mistake shows every row and the error on its row, nothing written; the corrected file shows its
preview, and Confirm posts the opening balances."""

import pytest
from playwright.sync_api import Page, expect

from inventory.models import Balance, Document
from tests.browser.test_clerk_journey import nav, screenshot, sign_in, world  # noqa: F401
from tests.imports.conftest import csv_file, row

pytestmark = pytest.mark.browser


def choose_file(page: Page, name: str, data: bytes) -> None:
    page.get_by_label("File", exact=True).set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data}
    )


def test_upload_preview_confirm(page: Page, world, clerk):  # noqa: F811
    sign_in(page, clerk.username)
    nav(page, "Import")
    page.get_by_role("link", name="Import a file").click()
    page.get_by_label("Depot").select_option(label=str(world.depot_a))
    page.get_by_label("Reference").fill("Paper ledgers 2015–2026")
    choose_file(page, "ledger.csv", csv_file([row(), row(lot="TNT-OB-2", quantity="2.5")]))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was written")
    bad = page.locator("#row-2")
    expect(bad).to_have_class("row-error")
    expect(bad).to_contain_text("bad_quantity")
    assert not Document.objects.exists()
    screenshot(page, "import-rejected")

    choose_file(page, "ledger.csv", csv_file([row(), row(lot="TNT-OB-2", quantity="25")]))
    page.get_by_label("Depot").select_option(label=str(world.depot_a))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("status")).to_contain_text("all 2 rows are correct")
    expect(page.locator("#row-2")).to_contain_text("TNT-OB-2")
    assert not Balance.objects.exists()
    screenshot(page, "import-preview")

    page.get_by_role("button", name="Confirm: post the opening balances").click()
    expect(page.locator("#import-status")).to_have_text("imported")
    expect(page.locator("#import-progress")).to_contain_text("2 rows imported")
    assert sorted(Balance.objects.values_list("lot__lot_number", "quantity")) == [
        ("TNT-OB-1", 100),
        ("TNT-OB-2", 25),
    ]
