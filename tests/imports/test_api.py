"""The imports API (issue 19): every answer of the contract, each refusal leaving the database
unchanged, the templates and the balances export."""

import io

import pytest
from openpyxl import load_workbook

from imports.models import ImportRun
from inventory.models import Balance
from tests.imports.conftest import counts, csv_file, row
from tests.imports.test_opening_service import BAD_ROWS

pytestmark = pytest.mark.django_db
URL = "/api/v1/imports/"
RECIPIENTS = ["code", "name", "kind", "depot", "permitted_restricted", "is_active"]


def upload(client, data, *, depot=None, kind="opening_balances", dry_run=None, name="ledger.csv"):
    body = {"file": io.BytesIO(data), "kind": kind, "reference": "Paper ledgers"}
    body["file"].name = name
    if depot is not None:
        body["depot"] = depot.pk
    if dry_run is not None:
        body["dry_run"] = "true" if dry_run else "false"
    return client.post(URL, body, format="multipart")


def test_dry_run_then_import_then_duplicate(world, clerk, api_as):
    client = api_as(clerk)
    data = csv_file([row(), row(lot="TNT-OB-2", quantity="7")])
    before = counts()
    response = upload(client, data, depot=world.depot_a, dry_run=True)
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "validated", "rows": 2, "errors": []}
    assert counts() == before
    response = upload(client, data, depot=world.depot_a, dry_run=False)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "imported"
    assert body["rows"] == 2
    assert len(body["documents"]) == 1
    assert len(body["file_sha256"]) == 64
    assert isinstance(body["id"], int)
    assert Balance.objects.filter(storehouse=world.sh1).count() == 2
    after = counts()
    response = upload(client, data, depot=world.depot_a)
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_import"
    assert counts() == after
    detail = client.get(f"{URL}{body['id']}/")
    assert detail.status_code == 200
    assert detail.json()["progress"] == 100
    listed = client.get(URL).json()["results"]
    assert [r["id"] for r in listed] == [body["id"]]


def test_a_bad_file_is_rejected_with_every_error(world, clerk, api_as):
    before = counts()
    data = csv_file([row(quantity="2.5"), row(lot="X", storehouse="NOPE")])
    response = upload(api_as(clerk), data, depot=world.depot_a)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "rejected"
    assert body["rows"] == 2
    assert [(e["row"], e["column"], e["code"]) for e in body["errors"]] == [
        (1, "quantity", "bad_quantity"),
        (2, "storehouse", "unknown_storehouse"),
    ]
    assert counts() == before
    assert not ImportRun.objects.exists()


def test_roles_and_scope(world, clerk_b, inspector, officer, auditor, api_as):
    data = csv_file([row()])
    before = counts()
    # Depot A is outside clerk B's scope: the same 400 as a depot that does not exist.
    response = upload(api_as(clerk_b), data, depot=world.depot_a)
    assert response.status_code == 400
    assert "depot" in response.json()
    for user in (inspector, officer, auditor):
        assert upload(api_as(user), data, depot=world.depot_a).status_code == 403
    assert counts() == before
    assert api_as(clerk_b).get(URL).json()["results"] == []


def test_reference_data_is_for_administrators(world, clerk, admin_user, api_as):
    data = csv_file([["1BDE-2", "2nd Brigade", "unit", "", "false", "true"]], columns=RECIPIENTS)
    assert upload(api_as(clerk), data, kind="recipients").status_code == 403
    response = upload(api_as(admin_user), data, kind="recipients")
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == 1
    bad = csv_file([["1BDE-3", "3rd", "navy", "", "false", "true"]], columns=RECIPIENTS)
    response = upload(api_as(admin_user), bad, kind="recipients")
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] == 1
    assert response.json()["errors"][0]["column"] == "kind"


def test_json_bodies_are_not_taken(world, clerk, api_as):
    response = api_as(clerk).post(URL, {"kind": "opening_balances"}, format="json")
    assert response.status_code == 415


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_templates(clerk, api_as, file_format):
    response = api_as(clerk).get(f"{URL}template/", {"format": file_format})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if file_format == "csv":
        lines = content.decode().splitlines()
        assert lines[0].startswith("storehouse,ammunition_type,lot_number")
        assert len(lines) == 2
    else:
        sheet = load_workbook(io.BytesIO(content)).active
        assert [c.value for c in sheet[1]][:3] == ["storehouse", "ammunition_type", "lot_number"]


def test_the_export_is_scoped(world, clerk_b, api_as):
    response = api_as(clerk_b).get(f"{URL}export/", {"depot": world.depot_a.pk})
    assert response.status_code == 404


BAD_FILES = [
    ("storehouse;ammunition_type\n".encode("utf-16"), "bad_encoding"),
    (b"", "empty_file"),
    (b"PK\x03\x04garbage", "bad_format"),
]


@pytest.mark.parametrize(("bad", "column", "code"), BAD_ROWS)
def test_every_bad_row_through_the_api(world, propellant, clerk, api_as, bad, column, code):
    before = counts()
    response = upload(api_as(clerk), csv_file([row(lot="GOOD-1"), bad]), depot=world.depot_a)
    assert response.status_code == 400
    found = [(e["row"], e["column"], e["code"]) for e in response.json()["errors"]]
    assert (2, column, code) in found
    assert counts() == before
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize(("data", "code"), BAD_FILES)
def test_unreadable_files_through_the_api(world, clerk, api_as, data, code):
    before = counts()
    response = upload(api_as(clerk), data, depot=world.depot_a, dry_run=True)
    if code == "empty_file" and response.status_code == 400 and "file" in response.json():
        return  # DRF refuses an empty upload as a field error first: a 400 all the same
    assert response.status_code == 400
    assert code in {e["code"] for e in response.json()["errors"]}
    assert counts() == before


def test_a_formula_and_a_storage_breach_through_the_api(world, clerk, api_as):
    from tests.imports.conftest import xlsx_file

    before = counts()
    data = xlsx_file([["SH1", "TNT-200", "T-1", "Maker", "2020-01", "=2*50", "", "", "", "", ""]])
    response = upload(api_as(clerk), data, depot=world.depot_a, name="ledger.xlsx")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "formula_cell"
    data = csv_file([row(lot="T-1"), row(lot="T-2", condition="H")])
    response = upload(api_as(clerk), data, depot=world.depot_a)
    assert response.status_code == 400
    (breach,) = response.json()["errors"]
    assert (breach["code"], breach["rows"], breach["rule"]) == (
        "suspect_isolation",
        [1, 2],
        "isolation",
    )
    assert counts() == before
