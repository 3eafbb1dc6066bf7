"""The trace report: a lot's chain of custody as a PDF through the reports pipeline, its events
exactly the ledger lines it covers and digests."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from diversion import services
from inventory.models import LedgerLine
from inventory.services.posting import Movement, issue_post, return_post
from reports.kinds import builder_for
from reports.models import ReportRun, ReportStatus
from reports.selectors import report_list
from reports.services import report_request, report_verify
from tests.reports.conftest import pdf_reader, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def traced(transfer, clerk, officer, officer2, media, returns_into_the_lot):
    """BALL-7: 100 received in SH2; 30 issued to 1st Brigade, 4 returned (into the lot itself:
    the policy switch RETURNS_AWAIT_CLASSIFICATION off); 40 exported under a case to the Kenyan
    MoD (with a broker and a carrier) → 34 left in SH2."""
    w, today = transfer.world, timezone.localdate()
    issue = issue_post(
        depot=w.depot_a, lines=[Movement(transfer.lot.pk, w.sh2.pk, 30)], recipient=w.unit,
        occurred_on=today - timedelta(days=2), posted_by=clerk,
    )  # fmt: skip
    returned = return_post(
        depot=w.depot_a, lines=[Movement(transfer.lot.pk, w.sh2.pk, 4)], recipient=w.unit,
        occurred_on=today - timedelta(days=1), posted_by=clerk, source_issue=issue,
    )  # fmt: skip
    case = transfer.case(officer, quantity=40)
    transfer.approved(case, officer, officer2)
    dispatch = services.transfer_case_dispatch(case=case, occurred_on=today, dispatched_by=clerk)
    return {"case": case, "issue": issue, "return": returned, "dispatch": dispatch}


def test_the_trace_kind_is_registered_for_officers_auditors_and_admins():
    builder = builder_for("trace")
    assert builder is not None
    assert builder.reader_roles == {"officer", "auditor"}


def test_the_trace_report_shows_every_event_and_the_balances_they_sum_to(traced, transfer, auditor):
    lot = transfer.lot
    run = report_request(kind="trace", parameters={"lot": lot.pk}, requested_by=auditor)
    assert run.status == ReportStatus.DONE, run.error
    assert run.depot is None
    # Covered and digested: the lot's four ledger lines.
    assert run.line_count == LedgerLine.objects.filter(lot=lot).count() == 4
    assert len(run.ledger_digest) == 64
    assert len(run.record_digest) == 64
    text = pdf_text(run)
    flat = re.sub(r"\s+", " ", text)
    assert "Trace report" in text
    assert "BALL-7 · Arsenal 10" in flat
    assert re.search(r"Events\s+4\b", text)
    for document in (traced["issue"], traced["return"], traced["dispatch"]):
        assert document.number in text
    assert re.search(rf"{traced['issue'].number}\s+issue\s+DA\s+SH2\s+-30\s+1st Brigade", text)
    assert re.search(rf"{traced['return'].number}\s+return\s+DA\s+SH2\s+4\s+1st Brigade", text)
    assert re.search(r"DA / SH2\s+34", text)
    assert re.search(r"Total held \(sum of the events\)\s+34", text)
    case = traced["case"]
    assert f"{case.number} · {traced['dispatch'].number}" in flat
    assert "40 units" in flat
    assert "Ministry of Defence of Kenya (KE)" in flat
    assert "broker: Brokerage Ltd (GB)" in flat
    assert "pre-delivery check at the port of exit" in flat
    assert "Traced by (oversight officer)" in text
    assert run.ledger_digest in text.replace("\n", "")
    assert run.page_count == len(pdf_reader(run).pages)
    # The CSV export has the same rows.
    with run.csv_file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert rows[0] == [
        "occurred_on", "document", "kind", "depot", "storehouse", "quantity", "party",
    ]  # fmt: skip
    assert [int(row[5]) for row in rows[1:]] == [100, -30, 4, -40]


def test_lines_posted_after_the_cut_off_are_outside_the_report(traced, transfer, clerk, auditor):
    w = transfer.world
    run = report_request(kind="trace", parameters={"lot": transfer.lot.pk}, requested_by=auditor)
    later = issue_post(
        depot=w.depot_a, lines=[Movement(transfer.lot.pk, w.sh2.pk, 5)], recipient=w.unit,
        occurred_on=timezone.localdate(), posted_by=clerk,
    )  # fmt: skip
    result = report_verify(user=auditor, runs=report_list(user=auditor), number=run.number)
    assert result.ledger_matches
    assert result.later_lines == 1
    assert result.later_documents == [later.number]
    assert later.number not in pdf_text(run)


def test_refusals_write_nothing(traced, transfer, clerk, inspector, auditor):
    before = ReportRun.objects.count()
    for user in (clerk, inspector):
        with pytest.raises(PermissionDenied):
            report_request(kind="trace", parameters={"lot": transfer.lot.pk}, requested_by=user)
    for parameters, field in [
        ({}, "lot"),
        ({"lot": 999_999}, "lot"),
        ({"lot": "abc"}, "lot"),
        ({"lot": transfer.lot.pk, "depot": 1}, "depot"),
    ]:
        with pytest.raises(ValidationError) as refused:
            report_request(kind="trace", parameters=parameters, requested_by=auditor)
        assert field in refused.value.message_dict
    assert ReportRun.objects.count() == before


def test_the_request_page_takes_a_typed_or_scanned_lot(transfer, auditor):
    from reports.forms import ReportRequestForm

    lot = transfer.lot
    twin = transfer.world.lot(transfer.world.tnt, "BALL-7")
    for typed, expected in [
        ("BALL-7|762-BALL", lot.pk),
        ("ball-7|TNT-200", twin.pk),
        (str(lot.pk), lot.pk),
    ]:
        form = ReportRequestForm({"kind": "trace", "lot": typed}, user=auditor)
        assert form.is_valid(), form.errors
        assert form.parameters() == {"lot": expected}
    for typed, message in [
        ("BALL-7", "Several lots carry this number"),
        ("BALL-7|DET-8", "No lot carries this number"),
        ("", "This field is required"),
    ]:
        form = ReportRequestForm({"kind": "trace", "lot": typed}, user=auditor)
        assert not form.is_valid()
        assert message in str(form.errors["lot"])


def test_an_officer_requests_the_trace_report_from_the_reports_page(
    client, traced, transfer, officer
):
    from django.urls import reverse

    client.force_login(officer)
    url = reverse("reports:report_new")
    response = client.post(url, {"kind": "trace", "lot": "BALL-7|762-BALL"})
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert (run.kind, run.parameters, run.status) == ("trace", {"lot": transfer.lot.pk}, "done")
    refused = client.post(url, {"kind": "trace", "lot": "NOPE|762-BALL"})
    assert refused.status_code == 200
    assert "No lot carries this number" in refused.content.decode()
    assert ReportRun.objects.count() == 1
