"""An auditor's reports in a real browser: a stock card requested on the Reports page (small, so
rendered at once), its PDF downloaded (and the download in the audit log), then verified on
"Verify a report" by its number and by uploading the PDF; a posting after its cut-off makes it no
longer match. A long statement is rendered in the background: its page follows the rendering."""

import uuid

import pytest
import redis
from django.utils import timezone
from playwright.sync_api import Page, expect

from inventory.services.posting import Movement, issue_post
from reports.models import ReportRun, ReportStatus
from reports.services import report_render
from tests.browser.test_clerk_journey import nav, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def media(settings, tmp_path):
    """Report files where the test can drop them (the live server shares the settings)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def ball(world, clerk):
    """Lot BALL-1 in depot A: 1,000 received, 200 issued to 1st Brigade."""
    lot = world.lot(world.ball, "BALL-1")
    world.stock(clerk, lot, world.sh1, 1000)
    issue_post(
        depot=world.depot_a,
        lines=[Movement(lot.pk, world.sh1.pk, 200)],
        recipient=world.unit,
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    )
    return lot


def request_report(page: Page, kind: str) -> None:
    nav(page, "Reports")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    page.get_by_role("link", name="Request a report").click()
    page.get_by_role("link", name=kind, exact=True).click()
    expect(page.get_by_role("group", name=kind)).to_be_visible()


def verify(page: Page, *, number: str = "", pdf=None) -> None:
    nav(page, "Verify a report")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify a report")
    if number:
        page.get_by_label("Report number").fill(number)
    if pdf is not None:
        page.get_by_label("…or the PDF itself").set_input_files(pdf)
    page.get_by_role("button", name="Verify", exact=True).click()


def test_request_download_and_verify_a_stock_card(
    live_server, page: Page, world, ball, clerk, auditor, media, tmp_path
):
    number = f"RPT-{timezone.now().year}-000001"

    # 1. The auditor requests a stock card of BALL-1 in depot A (typed in lower case).
    sign_in(page, auditor.username)
    request_report(page, "Stock card")
    page.get_by_label("Lot", exact=True).fill("ball-1")
    page.get_by_label("Depot").select_option(label="DA Depot A")
    page.get_by_role("button", name="Request", exact=True).click()

    # 2. Two ledger lines: small, so rendered before the page answers; it shows its status.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Stock card {number}")
    expect(page.get_by_role("status").first).to_have_text(f"Report {number} requested.")
    status = page.locator("#report-status")
    expect(status.get_by_role("heading")).to_have_text("Status: done")
    expect(status).not_to_have_attribute("hx-trigger", "every 2s")  # done: no more polling
    covered = status.locator("dt", has_text="Ledger lines covered").locator(
        "xpath=following-sibling::dd[1]"
    )
    expect(covered).to_have_text("2")
    run = ReportRun.objects.get(number=number)
    expect(status.locator("code").first).to_have_text(run.ledger_digest)

    # 3. The PDF downloads: the very file whose SHA-256 the page shows; the download is logged.
    with page.expect_download() as info:
        status.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF")
    expect(status).to_contain_text(run.pdf_sha256)

    nav(page, "Audit log")
    logged = page.locator("#audit-table tbody tr", has_text=number)
    expect(logged).to_have_count(1)
    expect(logged).to_contain_text("Downloaded")
    expect(logged).to_contain_text("auditor")
    expect(logged).to_contain_text("stock_card pdf")

    # 4. Verified by its number, then by uploading the downloaded PDF: the ledger still matches.
    verify(page, number=number)
    result = page.locator("#verification")
    expect(result.get_by_role("heading")).to_have_text(f"Matches: {number}")
    expect(result.get_by_role("status")).to_contain_text(
        f"The ledger still matches report {number}"
    )
    verify(page, pdf=saved)
    expect(result.get_by_role("heading")).to_have_text(f"Matches: {number}")
    expect(result.get_by_role("status")).to_contain_text(
        f"The ledger still matches report {number}"
    )
    result.get_by_role("link", name="The report's record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Stock card {number}")

    # 5. An issue posted after the report's cut-off, within its content: it no longer matches.
    later = issue_post(
        depot=world.depot_a,
        lines=[Movement(ball.pk, world.sh1.pk, 5)],
        recipient=world.unit,
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    )
    verify(page, pdf=saved)
    expect(result.get_by_role("heading")).to_have_text(f"Does not match: {number}")
    expect(result.get_by_role("status")).to_contain_text("posted after its cut-off")
    expect(result.get_by_role("status")).to_contain_text(later.number)

    # The verifications are in the audit log too.
    nav(page, "Audit log")
    expect(page.locator("#audit-table tbody tr", has_text="report verification")).to_have_count(3)


@pytest.fixture
def report_queue(settings):
    """Background renders go to a queue of their own, with no worker (this test renders them as
    the worker would), and are purged after."""
    queue = f"test-browser-reports-{uuid.uuid4().hex[:12]}"
    settings.REPORTS_QUEUE = queue
    settings.REPORTS_INLINE_LINES = 0  # every report with ledger lines is "long"
    yield queue
    client = redis.Redis.from_url(settings.REDIS_URL)
    left = client.keys(f"*{queue}")  # the queue and kombu's bindings of it
    if left:
        client.delete(*left)


def test_a_long_report_page_follows_its_rendering(
    live_server, page: Page, world, ball, officer, media, report_queue
):
    today = timezone.localdate().isoformat()
    number = f"RPT-{timezone.now().year}-000001"
    sign_in(page, officer.username)
    request_report(page, "Depot accounting statement")
    page.get_by_label("Depot").select_option(label="DA Depot A")
    page.get_by_label("Period from").fill(today)
    page.get_by_label("Period to").fill(today)
    page.get_by_role("button", name="Request", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Depot accounting statement {number}"
    )
    status = page.locator("#report-status")
    expect(status.get_by_role("heading")).to_have_text("Status: queued")
    expect(status.get_by_role("progressbar", name="Progress")).to_be_visible()
    expect(status).to_contain_text("you may leave it and come back")
    expect(status.get_by_role("link", name="Download PDF")).to_have_count(0)

    # The worker's part, here; the page, polling, shows the result without a reload.
    run = report_render(run_id=ReportRun.objects.get(number=number).pk)
    assert run.status == ReportStatus.DONE, run.error
    expect(status.get_by_role("heading")).to_have_text("Status: done", timeout=10_000)
    expect(status.get_by_role("progressbar")).to_have_count(0)
    with page.expect_download() as info:
        status.get_by_role("link", name="Download PDF").click()
    with open(info.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    expect(status.get_by_role("link", name="CSV")).to_be_visible()
