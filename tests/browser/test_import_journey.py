"""A clerk brings a depot's paper ledger in, in a real browser (issue 19): an upload with a
mistake shows every row and the error on its row, nothing written; the corrected file shows its
preview, and Confirm posts the opening balances."""

import threading
import time

import pytest
from playwright.sync_api import Page, expect

from imports.models import ImportRun, ImportStatus
from imports.tasks import import_run_task
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


def test_ten_thousand_rows_with_progress(page: Page, world, clerk, settings):  # noqa: F811
    """Above IMPORT_ASYNC_ROWS the confirmed file is queued; no worker runs in browser tests, so
    this test runs the task as the worker would, in a thread of its own, while the page polls:
    the progress bar moves, then the result shows, correct to the unit."""
    settings.IMPORT_ASYNC_ROWS = 100
    rows = [
        row(storehouse="SH2", kind="762-BALL", lot=f"B-{n:05d}", quantity=str(n))
        for n in range(1, 10_001)
    ]
    sign_in(page, clerk.username)
    page.goto("/imports/new/")
    page.get_by_label("Depot").select_option(label=str(world.depot_a))
    choose_file(page, "big.csv", csv_file(rows))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("status")).to_contain_text("all 10,000 rows are correct")
    page.get_by_role("button", name="Confirm: post the opening balances").click()
    expect(page.locator("#import-status")).to_have_text("queued")
    progress = page.locator("#import-progress progress")
    expect(progress).to_have_attribute("value", "0")

    run = ImportRun.objects.get()
    worker = threading.Thread(target=_work, args=(run.pk,))
    worker.start()
    seen = set()
    deadline = time.monotonic() + 180
    while worker.is_alive() and time.monotonic() < deadline:
        if progress.count():
            seen.add(int(progress.get_attribute("value")))
        time.sleep(0.2)
    worker.join()
    expect(page.locator("#import-progress")).to_contain_text("10,000 rows imported", timeout=10_000)
    assert [value for value in seen if 0 < value < 100], seen
    screenshot(page, "import-progress-done")
    balances = Balance.objects.filter(storehouse=world.sh2)
    assert balances.count() == 10_000
    assert sum(balances.values_list("quantity", flat=True)) == 10_000 * 10_001 // 2
    assert ImportRun.objects.get().status == ImportStatus.IMPORTED


def _work(run_id: int) -> None:
    from django.db import connection

    try:
        import_run_task.apply(kwargs={"run_id": run_id}).get()
    finally:
        connection.close()
