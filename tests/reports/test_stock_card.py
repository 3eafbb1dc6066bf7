"""The stock card from known data, and long reports rendered in parts then numbered."""

import re

from reports.models import ReportStatus
from reports.services import report_request
from tests.reports.conftest import pdf_reader, pdf_text


def test_the_stock_card_of_a_lot_in_a_depot(history, clerk):
    run = report_request(
        kind="stock_card",
        parameters={"lot": history.ball1.pk, "depot": history.world.depot_a.pk},
        requested_by=clerk,
    )
    assert run.status == ReportStatus.DONE, run.error
    assert run.line_count == 4
    text = pdf_text(run)
    assert "Stock card" in text
    assert re.search(r"Occurred on\s+Document\s+Kind\s+Store\s+Counterparty\s+Qty", text)
    balances = re.findall(r"DA SH1\s+.*?\s+(-?[\d,]+)\s+([\d,]+)\s+([\d,]+)\n", text)
    assert balances == [
        ("1,000", "1,000", "1,000"),
        ("-200", "800", "800"),
        ("500", "1,300", "1,300"),
        ("-40", "1,260", "1,260"),
    ]
    assert "Units in: 1,500; units out: 240." in text
    assert "77" not in text.replace(run.ledger_digest, "")
    assert (run.page_count, len(pdf_reader(run).pages)) == (1, 1)


def test_a_national_stock_card_runs_across_depots(history, auditor):
    run = report_request(
        kind="stock_card", parameters={"lot": history.ball1.pk}, requested_by=auditor
    )
    text = pdf_text(run)
    assert run.line_count == 5
    assert re.search(r"DB SH3\s+Factory\s+77\s+77\s+1,337", text)
    assert re.search(r"Total\s+1,337", text)


def test_a_statement_rendered_in_parallel_parts_is_numbered_as_one(history, auditor, settings):
    whole = report_request(
        kind="accounting_statement", parameters=history.parameters(), requested_by=auditor
    )
    settings.REPORTS_PART_ROWS = 8  # a block per part: several worker processes
    parted = report_request(
        kind="accounting_statement", parameters=history.parameters(), requested_by=auditor
    )
    assert whole.parts == 1
    assert parted.parts > 2
    assert parted.ledger_digest == whole.ledger_digest
    pages = pdf_reader(parted).pages
    assert parted.page_count == len(pages) >= parted.parts
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page.extract_text()
    text = pdf_text(parted)
    for figure in (r"Closing balance\s+1,260", r"Closing balance\s+70", r"Documents \(5\)"):
        assert re.search(figure, text)
