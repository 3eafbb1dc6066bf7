"""A client generated from the served OpenAPI schema works out of the box (issue 21).

Integrators generate their client from `/api/schema/` rather than write HTTP calls. This test does
what they do: fetches the schema the server serves, generates a Python client with the pinned
`openapi-python-client` (dev extra) into a temporary directory, a subprocess, any generator
warning failing the test, and drives it through a clerk's and an auditor's day against the live
server. Every answer must parse into the generated models with no field the schema does not know.
The generated code is never committed.
"""

import importlib
import io
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import attrs
import httpx
import pytest
from django.utils import timezone

from tests.factories import PASSWORD

PACKAGE = "stockpile_api_client"


def _generate(live_server, token: str, where: Path) -> None:
    schema = httpx.get(
        f"{live_server.url}/api/schema/",
        params={"format": "json"},
        headers={"Authorization": f"Token {token}"},
        timeout=60,  # httpx's 5 s default is short on a busy CI machine
    )
    assert schema.status_code == 200, schema.text
    (where / "schema.json").write_bytes(schema.content)
    bin_dir = str(Path(sys.executable).parent)  # the generator formats its code with ruff
    generated = subprocess.run(
        [
            sys.executable, "-m", "openapi_python_client", "generate",
            "--path", str(where / "schema.json"), "--output-path", str(where / PACKAGE),
            "--meta", "none", "--fail-on-warning",
        ],
        cwd=where,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=180,
    )  # fmt: skip
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    assert "warning" not in output.lower(), output


@pytest.fixture(scope="session")
def _generated(tmp_path_factory):
    """Generates the client once per session (the first test that asks), imported from a tmp
    dir; every later test of the session imports the same package."""
    where = tmp_path_factory.mktemp("generated_client")
    package = None

    def generate(live_server, user):
        nonlocal package
        if package is None:
            token = httpx.post(
                f"{live_server.url}/api/v1/auth/token/",
                json={"username": user.username, "password": PASSWORD},
                timeout=60,
            ).json()["token"]
            _generate(live_server, token, where)
            sys.path.insert(0, str(where))
            package = importlib.import_module(PACKAGE)
        return package

    yield generate
    if package is not None:
        sys.path.remove(str(where))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture
def client_package(_generated, live_server, clerk):
    """The package generated from the schema the live server serves."""
    return _generated(live_server, clerk)


def _module(package, name: str):
    return importlib.import_module(f"{package.__name__}.{name}")


def _knows_every_field(value) -> None:
    """A parsed model carries no field its schema left out (free-form objects excepted)."""
    if isinstance(value, list):
        for item in value:
            _knows_every_field(item)
        return
    if not attrs.has(type(value)):
        return
    declared = [field.name for field in attrs.fields(type(value))]
    if "additional_properties" in declared[1:]:
        assert value.additional_properties == {}, (type(value).__name__, value)
    for name in declared:
        if name != "additional_properties":
            _knows_every_field(getattr(value, name))


def parsed(response, model, status: int = 200):
    assert response.status_code == status, response.content
    assert isinstance(response.parsed, model), response.parsed
    _knows_every_field(response.parsed)
    return response.parsed


def refusal(response, model, status: int):
    """An error answer in its generated model; a refusal may add fields of its own to `code`
    and `detail` (the API documentation lists them), kept in `additional_properties`."""
    assert response.status_code == status, response.content
    assert isinstance(response.parsed, model), response.parsed
    return response.parsed


@pytest.mark.usefixtures("transactional_db")
def test_a_generated_client_runs_a_clerks_and_an_auditors_day(
    client_package, live_server, world, clerk, clerk_b, inspector, auditor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    pkg = client_package
    models = _module(pkg, "models")
    api = _module(pkg, "api.v1")
    reports_api = _module(pkg, "api.reports")
    types = _module(pkg, "types")
    today = timezone.localdate()

    # A statement is rendered within the request (a small report): more than httpx's 5 s
    # default on a busy machine.
    timeout = httpx.Timeout(60.0)

    def sign_in(user):
        anonymous = pkg.Client(base_url=live_server.url, timeout=timeout)
        signed = _module(api, "v1_auth_token_create").sync_detailed(
            client=anonymous,
            body=models.TokenRequestRequest(username=user.username, password=PASSWORD),
        )
        token = parsed(signed, models.Token, 201).token
        return pkg.AuthenticatedClient(
            base_url=live_server.url, token=token, prefix="Token", timeout=timeout
        )

    def call(module, *args, **kwargs):
        return _module(api, module).sync_detailed(*args, **kwargs)

    def post(module, *args, model=models.Document, status=201, **kwargs):
        return parsed(call(module, *args, **kwargs), model, status)

    # The clerk of depot A: receipt (a known lot and a new one), issue, transfer to depot B.
    desk = sign_in(clerk)
    ball = world.lot(world.ball, "BALL-1")
    waybill = models.ReceiptRequest(
        occurred_on=today,
        counterparty="National Arsenal",
        reference="WB-114",
        lines=[
            models.ReceiptLineRequest(lot=ball.pk, storehouse=world.sh1.pk, quantity=1000),
            models.ReceiptLineRequest(
                lot=models.ReceiptLineRequestLotType1(
                    ammunition_type=world.ball.pk,
                    manufacturer="Arsenal 10",
                    lot_number="AK-21-0457",
                    manufactured_on=today - timedelta(days=400),
                ),
                storehouse=world.sh2.pk,
                quantity=800,
            ),
        ],
    )
    receipt = post(
        "v1_receipts_create", client=desk, body=waybill, idempotency_key="receipt-WB-114"
    )
    assert receipt.kind == models.DocumentKindEnum.RECEIPT
    assert sorted(line.quantity for line in receipt.lines) == [800, 1000]
    # The answer was lost on the way: sent again with its key, it is the same document.
    retried = parsed(
        call("v1_receipts_create", client=desk, body=waybill, idempotency_key="receipt-WB-114"),
        models.Document,
        201,
    )
    assert retried.id == receipt.id

    issue = post(
        "v1_issues_create",
        client=desk,
        body=models.IssueRequest(
            occurred_on=today,
            recipient=world.unit.pk,
            purpose="exercise",
            lines=[models.LineRequest(lot=ball.pk, storehouse=world.sh1.pk, quantity=200)],
        ),
    )
    assert [line.quantity for line in issue.lines] == [-200]

    # More than is held: refused with its code, in the generated model, and nothing written.
    refused = refusal(
        call(
            "v1_issues_create",
            client=desk,
            body=models.IssueRequest(
                occurred_on=today,
                recipient=world.unit.pk,
                purpose="exercise",
                lines=[models.LineRequest(lot=ball.pk, storehouse=world.sh1.pk, quantity=5000)],
            ),
        ),
        models.DomainError,
        409,
    )
    assert (refused.code, refused.additional_properties["available"]) == ("insufficient_stock", 800)
    malformed = refusal(
        call(
            "v1_issues_create",
            client=desk,
            body=models.IssueRequest(
                occurred_on=today, recipient=world.unit.pk, purpose="exercise", lines=[]
            ),
        ),
        models.ValidationError,
        400,
    )
    assert "lines" in malformed.additional_properties

    sent = post(
        "v1_transfers_create",
        client=desk,
        body=models.TransferRequest(
            occurred_on=today,
            destination_depot=world.depot_b.pk,
            lines=[models.LineRequest(lot=ball.pk, storehouse=world.sh1.pk, quantity=100)],
        ),
    )
    assert sent.status.value == "in_transit"

    # Depot B's clerk receives 90 of the 100 sent: a shortfall.
    gate = sign_in(clerk_b)
    received = post(
        "v1_transfers_receive_create",
        str(sent.id),
        client=gate,
        body=models.TransferReceiveRequest(
            lines=[models.LineRequest(lot=ball.pk, storehouse=world.sh3.pk, quantity=90)]
        ),
        model=models.TransferReceipt,
    )
    assert received.transfer_status.value == "received_with_discrepancy"

    # The issue went to the wrong unit: reversed at once, the stock comes back.
    reversal = post(
        "v1_documents_reverse_create",
        str(issue.id),
        client=desk,
        body=models.ReverseRequest(reason="wrong unit"),
    )
    assert reversal.reverses == issue.id
    # A waybill typed twice: reversing a receipt takes stock off the books, so it is a proposal
    # (202) that the depot's inspector approves.
    twice = post(
        "v1_receipts_create",
        client=desk,
        body=models.ReceiptRequest(
            occurred_on=today,
            counterparty="National Arsenal",
            reference="WB-114 (again)",
            lines=[models.ReceiptLineRequest(lot=ball.pk, storehouse=world.sh1.pk, quantity=50)],
        ),
    )
    proposal = post(
        "v1_documents_reverse_create",
        str(twice.id),
        client=desk,
        body=models.ReverseRequest(reason="typed twice"),
        model=models.ReversalProposal,
        status=202,
    )
    assert (proposal.status.value, proposal.reversal) == ("pending_approval", None)
    approved = post(
        "v1_reversal_proposals_approve_create",
        str(proposal.id),
        client=sign_in(inspector),
        model=models.ReversalProposal,
        status=200,
    )
    assert approved.status.value == "approved"
    assert isinstance(approved.reversal, int)

    stock = parsed(call("v1_stock_list", client=desk, lot=ball.pk), models.PaginatedBalanceList)
    assert {(row.storehouse, row.quantity) for row in stock.results} == {(world.sh1.pk, 900)}
    documents = parsed(call("v1_documents_list", client=desk), models.PaginatedDocumentList)
    assert {document.id for document in documents.results} >= {receipt.id, issue.id, sent.id}
    for listing, model in [
        ("v1_lots_list", models.PaginatedLotList),
        ("v1_recipients_list", models.PaginatedRecipientList),
        ("v1_alerts_list", models.PaginatedAlertList),
    ]:
        parsed(call(listing, client=desk), model)

    # The auditor requests depot A's statement, waits for it, downloads and verifies it.
    audit = sign_in(auditor)
    report = parsed(
        _module(reports_api, "v1_reports_create").sync_detailed(
            client=audit,
            body=models.ReportRequestRequest(
                kind=models.ReportKindEnum.ACCOUNTING_STATEMENT,
                parameters=models.ReportRequestRequestParameters.from_dict(
                    {
                        "depot": world.depot_a.pk,
                        "period_start": (today - timedelta(days=7)).isoformat(),
                        "period_end": today.isoformat(),
                    }
                ),
            ),
        ),
        models.Report,
        202,
    )
    deadline = time.monotonic() + 60
    while report.status.value not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.5)
        report = parsed(
            _module(reports_api, "v1_reports_retrieve").sync_detailed(str(report.id), client=audit),
            models.Report,
        )
    assert report.status.value == "done", report.error
    # Depot A: 2 received, 1 issued, 1 sent, the issue reversed, 1 received twice and reversed.
    assert report.line_count == 7

    download = _module(reports_api, "v1_reports_download_retrieve")
    pdf_answer = download.sync_detailed(
        str(report.id), client=audit, format_=models.V1ReportsDownloadRetrieveFormat.PDF
    )
    pdf = parsed(pdf_answer, types.File).payload.read()
    assert pdf_answer.headers["content-type"] == "application/pdf"
    assert pdf.startswith(b"%PDF")
    for format_, content_type, magic in [
        ("CSV", "text/csv", b"\xef\xbb\xbf"),  # a byte-order mark, for spreadsheets
        ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
    ]:
        answer = download.sync_detailed(
            str(report.id),
            client=audit,
            format_=getattr(models.V1ReportsDownloadRetrieveFormat, format_),
        )
        assert parsed(answer, types.File).payload.read().startswith(magic), format_
        assert answer.headers["content-type"].split(";")[0] == content_type

    verify = _module(reports_api, "v1_reports_verify_create")
    by_number = parsed(
        verify.sync_detailed(
            client=audit, body=models.ReportVerifyByNumberRequest(number=report.number)
        ),
        models.ReportVerification,
    )
    assert by_number.matches is True
    by_file = parsed(
        verify.sync_detailed(
            client=audit,
            body=models.ReportVerifyUploadRequest(
                file=types.File(
                    payload=io.BytesIO(pdf), file_name="statement.pdf", mime_type="application/pdf"
                )
            ),
        ),
        models.ReportVerification,
    )
    assert (by_file.number, by_file.matches, by_file.pdf_matches) == (report.number, True, True)

    # The whole ledger verified, then the audit log of the day exported.
    ledger = parsed(call("v1_ledger_verification_create", client=audit), models.Verification)
    assert ledger.ok is True
    exported = call(
        "v1_audit_log_export_retrieve",
        client=audit,
        action=models.V1AuditLogExportRetrieveAction.DOWNLOAD,
    )
    assert exported.status_code == 200, exported.content
    assert isinstance(exported.parsed, str)
    assert exported.parsed.count(report.number) >= 3  # the PDF, the CSV and the XLSX
