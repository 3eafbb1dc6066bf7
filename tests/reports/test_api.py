"""The reports API: request (202), poll, download, retry and verify (DESIGN.md §11)."""

import io

import pytest
from pypdf import PdfReader

from audit.models import AuditAction, AuditEvent
from reports.models import ReportRun, ReportStatus
from reports.services import report_request

URL = "/api/v1/reports/"


@pytest.fixture
def requested(history, api_as, auditor):
    answer = api_as(auditor).post(
        URL, {"kind": "accounting_statement", "parameters": history.parameters()}, format="json"
    )
    assert answer.status_code == 202, answer.json()
    return answer.json()


def test_request_poll_and_download_a_statement(requested, api_as, auditor):
    assert set(requested) >= {"id", "number", "status"}
    assert requested["status"] == "done"  # small: rendered at once
    client = api_as(auditor)
    detail = client.get(f"{URL}{requested['id']}/").json()
    run = ReportRun.objects.get(pk=requested["id"])
    assert detail["number"] == run.number
    assert detail["progress"] == 100
    assert detail["digest"] == run.ledger_digest
    assert detail["line_count"] == 5
    assert set(detail["downloads"]) == {"pdf", "csv", "xlsx"}
    answer = client.get(detail["downloads"]["pdf"])
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == f'attachment; filename="{run.number}.pdf"'
    body = b"".join(answer.streaming_content)
    assert PdfReader(io.BytesIO(body)).metadata["/StockpileReport"] == run.number
    csv = b"".join(client.get(detail["downloads"]["csv"]).streaming_content).decode("utf-8-sig")
    assert csv.splitlines()[0] == (
        "lot,ammunition_type,entry,kind,document,occurred_on,storehouse,quantity,balance"
    )
    xlsx = client.get(f"{URL}{run.pk}/download/?format=xlsx")
    assert xlsx.status_code == 200
    downloads = AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, object_id=str(run.pk))
    assert sorted(downloads.values_list("detail", flat=True)) == [
        "accounting_statement csv",
        "accounting_statement pdf",
        "accounting_statement xlsx",
    ]
    assert client.get(f"{URL}{run.pk}/download/?format=doc").status_code == 400


def test_a_clerk_cannot_request_or_download_another_depots_report(
    requested, history, api_as, clerk_b
):
    client = api_as(clerk_b)
    assert client.get(f"{URL}{requested['id']}/").status_code == 404
    assert client.get(f"{URL}{requested['id']}/download/").status_code == 404
    assert client.get(URL).json()["results"] == []
    answer = client.post(
        URL, {"kind": "accounting_statement", "parameters": history.parameters()}, format="json"
    )
    assert answer.status_code == 400
    assert "depot" in answer.json()["parameters"]
    assert ReportRun.objects.count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_malformed_requests_are_400_and_write_nothing(history, api_as, auditor):
    client = api_as(auditor)
    for body in [
        {"kind": "stock_card"},
        {"kind": "weather", "parameters": {}},
        {"kind": "stock_card", "parameters": [1]},
        {"kind": "stock_card", "parameters": {"lot": history.ball1.pk, "depot": "x"}},
    ]:
        assert client.post(URL, body, format="json").status_code == 400, body
    assert not ReportRun.objects.exists()


def test_a_queued_report_is_not_downloaded_yet_and_only_a_failed_one_retried(
    history, api_as, auditor
):
    run = report_request(
        kind="stock_card",
        parameters={"lot": history.ball1.pk, "depot": history.world.depot_a.pk},
        requested_by=auditor,
        inline=False,
    )
    client = api_as(auditor)
    assert client.get(f"{URL}{run.pk}/").json()["status"] == "queued"
    answer = client.get(f"{URL}{run.pk}/download/")
    assert (answer.status_code, answer.json()["code"]) == (409, "invalid_state")
    assert client.post(f"{URL}{run.pk}/retry/").status_code == 409
    ReportRun.objects.filter(pk=run.pk).update(status=ReportStatus.FAILED, error="boom")
    answer = client.post(f"{URL}{run.pk}/retry/")
    assert (answer.status_code, answer.json()["status"]) == (202, "queued")


def test_verify_by_number_or_by_pdf(requested, api_as, auditor):
    client = api_as(auditor)
    answer = client.post(f"{URL}verify/", {"number": requested["number"]}, format="json")
    assert answer.status_code == 200
    assert answer.json()["matches"] is True
    assert answer.json()["number"] == requested["number"]
    pdf = b"".join(client.get(f"{URL}{requested['id']}/download/").streaming_content)
    upload = io.BytesIO(pdf)
    upload.name = "statement.pdf"
    answer = client.post(f"{URL}verify/", {"file": upload}, format="multipart")
    assert answer.status_code == 200
    assert (answer.json()["matches"], answer.json()["pdf_matches"]) == (True, True)
    assert client.post(f"{URL}verify/", {}, format="json").status_code == 400
    unknown = client.post(f"{URL}verify/", {"number": "RPT-2000-000009"}, format="json")
    assert unknown.status_code == 400
