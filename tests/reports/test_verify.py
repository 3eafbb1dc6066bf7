"""Verification: the ledger still matches a report, or the system says what changed."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from audit.models import AuditAction, AuditEvent
from inventory.services.reversals import document_reverse
from reports.selectors import report_list
from reports.services import report_request, report_verify


@pytest.fixture
def statement(history, auditor):
    return report_request(
        kind="accounting_statement", parameters=history.parameters(), requested_by=auditor
    )


def verify(user, **what):
    return report_verify(user=user, runs=report_list(user=user), **what)


def pdf_bytes(run) -> bytes:
    with run.file.open("rb") as handle:
        return handle.read()


def test_an_unchanged_ledger_matches(statement, auditor):
    result = verify(auditor, number=statement.number)
    assert result.matches
    assert result.ledger_matches
    assert result.later_lines == 0
    assert statement.number in result.detail
    assert statement.ledger_digest in result.detail
    event = AuditEvent.objects.get(action=AuditAction.VERIFY, object_type="reports.reportrun")
    assert event.object_repr == statement.number
    assert event.actor == auditor


def test_a_reversal_posted_after_the_report_is_detected(statement, history, auditor, clerk):
    reversal = document_reverse(document=history.issue, reason="Wrong recipient", posted_by=clerk)
    result = verify(auditor, number=statement.number)
    assert not result.matches
    assert result.ledger_matches  # the lines it covered are untouched ...
    assert result.later_lines == 1  # ... but the period has a line posted after its cut-off
    assert result.later_documents == [reversal.number]
    assert reversal.number in result.detail


def test_an_altered_line_is_detected(statement, history, auditor):
    line = history.issue.lines.get()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE inventory_ledgerline DISABLE TRIGGER ledgerline_append_only")
        cursor.execute("UPDATE inventory_ledgerline SET quantity = -20 WHERE id = %s", [line.pk])
        cursor.execute("ALTER TABLE inventory_ledgerline ENABLE TRIGGER ledgerline_append_only")
    result = verify(auditor, number=statement.number)
    assert not result.matches
    assert result.ledger_matches is False
    assert "altered" in result.detail


def test_the_uploaded_pdf_is_checked_byte_for_byte(statement, auditor):
    data = pdf_bytes(statement)
    result = verify(auditor, pdf_data=data)
    assert (result.number, result.matches, result.pdf_matches) == (statement.number, True, True)
    forged = data.replace(b"/Producer", b"/Producxr", 1)
    assert forged != data
    result = verify(auditor, pdf_data=forged)
    assert result.number == statement.number
    assert (result.matches, result.pdf_matches, result.ledger_matches) == (False, False, True)
    assert "altered" in result.detail


def test_unknown_numbers_and_other_files_are_refused(statement, auditor, clerk_b):
    with pytest.raises(ValidationError) as caught:
        verify(auditor, number="RPT-1999-000001")
    assert "number" in caught.value.message_dict
    with pytest.raises(ValidationError):
        verify(auditor, number="not a number")
    with pytest.raises(ValidationError) as caught:
        verify(auditor, pdf_data=b"%PDF-1.7 nothing of ours")
    assert "file" in caught.value.message_dict
    # A clerk of depot B may not read depot A's report: the same answer as an unknown number.
    with pytest.raises(ValidationError):
        verify(clerk_b, number=statement.number)


def test_a_file_the_system_made_is_found_by_its_hash_without_being_parsed(
    statement, auditor, settings
):
    """Hash first: with the reader allowed no byte at all, the system's own PDF still verifies."""
    settings.REPORT_VERIFY_PARSE_MAX_BYTES = 0
    data = pdf_bytes(statement)
    # Even with the metadata entry gone, the hash alone names the report.
    result = verify(auditor, pdf_data=data)
    assert (result.number, result.matches, result.pdf_matches) == (statement.number, True, True)


def test_an_unknown_pdf_is_read_only_within_its_limits(statement, auditor, settings):
    data = pdf_bytes(statement)
    # No metadata entry the regex can see: the number must come from the child reader.
    hidden = data.replace(b"/StockpileReport", b"/StockpileRepXrt")
    assert hidden != data
    result = verify(auditor, pdf_data=hidden)
    assert (result.number, result.pdf_matches) == (statement.number, False)
    settings.REPORT_VERIFY_PARSE_MAX_BYTES = len(hidden) - 1
    with pytest.raises(ValidationError) as caught:
        verify(auditor, pdf_data=hidden)
    assert "could not be read" in caught.value.message_dict["file"][0]


def test_a_hostile_pdf_costs_the_web_process_nothing(statement, auditor):
    """A decompression bomb (a stream that inflates to 1 GB) is read in the capped child, which
    gives up; the request is a clear refusal, not a worker stuck or killed."""
    import zlib

    bomb = zlib.compress(b"\0" * (256 * 1024 * 1024), 9)
    pdf = (
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj\n"
        b"4 0 obj << /Length "
        + str(len(bomb)).encode()
        + b" /Filter /FlateDecode >>\nstream\n"
        + bomb
        + b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    with pytest.raises(ValidationError) as caught:
        verify(auditor, pdf_data=pdf)
    assert "file" in caught.value.message_dict
