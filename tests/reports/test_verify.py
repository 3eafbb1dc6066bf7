"""Verification: the ledger still matches a report, or the system says what changed."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from audit.models import AuditAction, AuditEvent
from inventory.services.posting import document_reverse
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
