"""The depot accounting statement rendered from known data: its figures, read back from the PDF."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from reports.models import ReportStatus
from reports.services import report_request
from tests.reports.conftest import pdf_reader, pdf_text


@pytest.fixture
def statement(history, auditor):
    return report_request(
        kind="accounting_statement", parameters=history.parameters(), requested_by=auditor
    )


def test_the_statement_shows_opening_movements_and_closing_per_lot(statement, history):
    assert statement.status == ReportStatus.DONE, statement.error
    assert statement.number.startswith("RPT-")
    # Lines of depot A dated in the period: 200 out, 500 in, 100 in, 30 out, 40 out.
    assert statement.line_count == 5
    text = pdf_text(statement)
    assert "Depot accounting statement" in text
    assert "UNCLASSIFIED" in text
    assert f"{history.start.isoformat()} – {history.end.isoformat()}" in text
    assert statement.ledger_digest in text.replace("\n", "")
    assert "DA Depot A" in text
    assert "Arsenal <North> & Co" in text  # escaped in HTML, shown as typed
    ball = text[text.index("Lot BALL-1") : text.index("Lot TNT-1")]
    assert re.search(r"Opening balance\s+1,000", ball)
    assert re.search(r"Closing balance\s+1,260", ball)
    assert re.search(r"Total receipt\s+500", ball)
    assert re.search(r"Total issue\s+-200", ball)
    assert re.search(r"Total transfer dispatch\s+-40", ball)
    tnt = text[text.index("Lot TNT-1") :]
    assert re.search(r"Opening balance\s+0", tnt)
    assert re.search(r"Closing balance\s+70", tnt)
    assert re.search(r"BALL-2\s+762-BALL\s+50", text)  # no movement: opening = closing
    assert re.search(r"Opening balance, all lots\s+1,050", text)
    assert re.search(r"Closing balance, all lots\s+1,380", text)
    assert "Documents (5)" in text
    assert history.issue.number in text
    # Depot B's receipt of 77 is not on depot A's statement: no quantity 77 stands alone (digits
    # inside a name, a number or the digest, such as a generated "Test User 577", do not count).
    assert re.search(r"(?<![\w.-])77(?![\w.])", text.replace(",", " ")) is None


def test_every_page_says_page_x_of_y_and_the_count_is_recorded(statement):
    pages = pdf_reader(statement).pages
    assert statement.page_count == len(pages)
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"Page {number} of {len(pages)}" in text
        assert statement.number in text


def test_opening_plus_movements_is_closing_for_every_lot_in_the_exports(statement):
    with statement.csv_file.open("rb") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read().decode("utf-8-sig"))))
    lots = {}
    for row in rows:
        lot = lots.setdefault(row["lot"], {"opening": 0, "moved": 0, "closing": None})
        if row["entry"] == "opening":
            lot["opening"] = int(row["quantity"])
        elif row["entry"] == "movement":
            lot["moved"] += int(row["quantity"])
        else:
            lot["closing"] = int(row["balance"])
    assert lots == {
        "BALL-1": {"opening": 1000, "moved": 260, "closing": 1260},
        "BALL-2": {"opening": 50, "moved": 0, "closing": 50},
        "TNT-1": {"opening": 0, "moved": 70, "closing": 70},
    }
    for lot in lots.values():
        assert lot["opening"] + lot["moved"] == lot["closing"]
    with statement.xlsx_file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == list(rows[0].keys())
    assert [[str(cell) if cell is not None else "" for cell in row] for row in values[1:]] == [
        list(row.values()) for row in rows
    ]
