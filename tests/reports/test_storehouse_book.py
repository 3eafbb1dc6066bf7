"""The report kind `storehouse_book` (DESIGN.md §14): rendered from known data, verified, its
CSV/XLSX; scope and bad input refused with nothing written; the API and the request page."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from openpyxl import load_workbook

from inventory.services.posting import Movement, receipt_post
from reports.models import ReportRun, ReportStatus
from reports.selectors import report_list
from reports.services import report_request, report_verify
from tests.inventory.book_history import ago, post_book_history
from tests.reports.conftest import pdf_text

URL = "/api/v1/reports/"


@pytest.fixture
def book(world, clerk, media):
    return post_book_history(world, clerk)


def parameters(book, **changes) -> dict:
    values = {
        "storehouse": book.world.sh1.pk,
        "date_from": book.start.isoformat(),
        "date_to": book.today.isoformat(),
    }
    return {**values, **changes}


def request_book(book, user, **changes):
    return report_request(
        kind="storehouse_book", parameters=parameters(book, **changes), requested_by=user
    )


def test_the_book_renders_each_day_with_a_signature_line(book, clerk):
    run = request_book(book, clerk)
    assert run.status == ReportStatus.DONE, run.error
    assert run.depot == book.world.depot_a
    assert run.line_count == 8  # every line of SH1 up to the last day: the openings rest on them
    text = pdf_text(run)
    assert "Daily storehouse book" in text
    for days in range(14, -1, -1):
        assert ago(days).isoformat() in text
    assert text.count("No movement.") == 9
    assert text.count("Magazine keeper (name, signature)") == 15
    assert book.issue.number in text
    assert book.reversal.number in text
    assert re.search(r"BALL-1 \(762-BALL\), opening\s+1,000", text)
    assert re.search(r"1st Brigade\s+200\s+800", text)
    assert "NEQ (kg) at closing: 1.1 20.000 · 1.4 2.130" in text
    assert "split into lot TNT-1/D" in text


def test_the_book_verifies_and_a_later_line_in_its_opening_is_detected(book, clerk, auditor):
    run = request_book(book, clerk)
    result = report_verify(user=auditor, runs=report_list(user=auditor), number=run.number)
    assert result.matches, result.detail
    late = receipt_post(
        depot=book.world.depot_a,
        lines=[Movement(book.ball.pk, book.world.sh1.pk, 5)],
        occurred_on=ago(20),  # before the book's first day: it changes the opening
        posted_by=clerk,
    )
    result = report_verify(user=auditor, runs=report_list(user=auditor), number=run.number)
    assert not result.matches
    assert result.later_documents == [late.number]


def test_the_csv_and_xlsx_hold_the_same_rows_with_formulas_neutralised(book, clerk):
    run = request_book(book, clerk)
    with run.csv_file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert rows[0] == [
        "date", "entry", "lot", "ammunition_type", "hazard_division", "document", "kind",
        "counterparty", "reference", "received", "removed", "balance", "neq_kg",
    ]  # fmt: skip
    first = book.start.isoformat()
    assert rows[1] == [
        first,
        "held_at_start",
        "BALL-1",
        "762-BALL",
        "1.4",
        *[""] * 6,
        "1000",
        "3.000",
    ]
    assert [first, "no_movement", *[""] * 9, "1000", ""] in rows
    received = next(row for row in rows if row[1] == "receipt" and row[2] == "TNT-1")
    assert received[7] == "'=Factory"  # a counterparty typed as a formula arrives as text
    assert received[9:] == ["100", "", "100", "20.000"]
    issued = next(row for row in rows if row[1] == "removal" and row[6] == "issue")
    assert issued[9:] == ["", "200", "800", "-0.600"]
    last = book.today.isoformat()
    assert [last, "neq_closing", "", "", "1.4", *[""] * 7, "2.730"] in rows
    assert rows[-1][:3] == [last, "held_at_end", "TNT-1/D"]
    with run.xlsx_file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == len(rows)
    assert "'=Factory" in values[rows.index(received)]


def test_scope_and_bad_input_are_refused_and_nothing_is_written(book, clerk, clerk_b):
    other = book.world.sh3.pk  # depot B's
    for user, changes, field in [
        (clerk_b, {}, "storehouse"),  # depot A's storehouse, read by depot B's clerk
        (clerk, {"storehouse": other}, "storehouse"),
        (clerk, {"storehouse": 999_999}, "storehouse"),
        (clerk, {"storehouse": "SH1"}, "storehouse"),
        (clerk, {"date_from": ago(1).isoformat(), "date_to": ago(2).isoformat()}, "date_to"),
        (clerk, {"date_from": ago(400).isoformat()}, "date_to"),
        (clerk, {"date_to": (ago(0) + timedelta(days=1)).isoformat()}, "date_to"),
        (clerk, {"date_from": "2026-02-30"}, "date_from"),
        (clerk, {"date_to": "yesterday"}, "date_to"),
        (clerk, {"colour": "red"}, "colour"),
    ]:
        with pytest.raises(ValidationError) as caught:
            request_book(book, user, **changes)
        assert field in caught.value.message_dict, (changes, caught.value)
    assert not ReportRun.objects.exists()
    # 366 days is the longest book.
    assert request_book(book, clerk, date_from=ago(365).isoformat()).status == ReportStatus.DONE


def test_the_api_requests_a_book_and_refuses_another_depots(book, api_as, clerk, clerk_b):
    body = {"kind": "storehouse_book", "parameters": parameters(book)}
    answer = api_as(clerk).post(URL, body, format="json")
    assert answer.status_code == 202, answer.json()
    assert answer.json()["status"] == "done"
    assert set(answer.json()["downloads"]) == {"pdf", "csv", "xlsx"}
    refused = api_as(clerk_b).post(URL, body, format="json")
    assert refused.status_code == 400
    assert "storehouse" in str(refused.json())
    assert ReportRun.objects.count() == 1


def test_the_request_page_offers_the_book(book, client, clerk):
    client.force_login(clerk)
    page = client.get("/reports/new/?kind=storehouse_book")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="date_from"' in html
    assert 'name="date_to"' in html
    assert f'<option value="{book.world.sh1.pk}"' in html
    assert f'<option value="{book.world.sh3.pk}"' not in html  # depot B's
    answer = client.post(
        "/reports/new/", {"kind": "storehouse_book", **parameters(book)}, follow=False
    )
    run = ReportRun.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/reports/{run.pk}/"
    assert run.kind == "storehouse_book"


def test_the_book_is_rendered_in_the_requesters_language(book, clerk):
    clerk.language = "fr"
    clerk.save()
    run = request_book(book, clerk)
    assert run.language == "fr"
    with translation.override("fr"):
        title = translation.gettext("Daily storehouse book")
        quiet = translation.gettext("No movement.")
    assert title != "Daily storehouse book"
    text = " ".join(pdf_text(run).split())
    assert title in text
    assert quiet in text
    assert "No movement." not in text
