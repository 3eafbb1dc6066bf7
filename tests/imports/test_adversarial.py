"""Hostile and odd files (issue 19's adversarial review): each is a clear 400 naming the problem,
or, where the input is fine after all, imported as it says; nothing written by a refusal."""

import io

import pytest
from openpyxl import Workbook

from imports.models import ImportRun
from inventory.models import Balance
from tests.imports.conftest import COLUMNS, counts, csv_file, row
from tests.imports.test_api import upload

pytestmark = pytest.mark.django_db

ODD_QUANTITIES = [
    ("1e3", "bad_quantity"),
    ('"1,000"', "bad_quantity"),
    ("+5", "bad_quantity"),
    ("٥", "bad_quantity"),  # an Arabic-Indic digit
    ("5.0", "bad_quantity"),
    ("99999999999", "bad_quantity"),
]


@pytest.mark.parametrize(("quantity", "code"), ODD_QUANTITIES)
def test_odd_quantities(world, clerk, api_as, quantity, code):
    before = counts()
    response = upload(api_as(clerk), csv_file([row(quantity=quantity)]), depot=world.depot_a)
    assert response.status_code == 400, response.json()
    assert [(e["row"], e["code"]) for e in response.json()["errors"]] == [(1, code)]
    assert counts() == before


def test_spaces_around_a_value_are_not_part_of_it(world, clerk, api_as):
    data = csv_file([row(storehouse=" sh1 ", kind="tnt-200 ", quantity=" 5 ")])
    response = upload(api_as(clerk), data, depot=world.depot_a)
    assert response.status_code == 201, response.json()
    assert Balance.objects.get(storehouse=world.sh1).quantity == 5


@pytest.mark.parametrize("made", ["2026-02-30", "2025-02-29", "2020-00", "2020-1-5", "20200105"])
def test_impossible_dates(world, clerk, api_as, made):
    before = counts()
    response = upload(api_as(clerk), csv_file([row(made=made)]), depot=world.depot_a)
    assert response.status_code == 400
    assert [(e["column"], e["code"]) for e in response.json()["errors"]] == [
        ("manufactured_on", "bad_date")
    ]
    assert counts() == before


def test_a_storehouse_of_another_depot_by_its_code(world, clerk, api_as):
    before = counts()
    response = upload(api_as(clerk), csv_file([row(storehouse="SH3")]), depot=world.depot_a)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unknown_storehouse"
    assert counts() == before


def test_a_million_blank_lines(world, clerk, api_as):
    before = counts()
    blank = csv_file([]) + b"\n" * 1_000_000
    response = upload(api_as(clerk), blank, depot=world.depot_a, dry_run=True)
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]] == ["empty_file"]
    # Three rows then 800,000 blank lines (a sheet formatted to its end, under 10 MB): three.
    data = csv_file([row(), row(lot="T-2"), row(lot="T-3")]) + b",,,,,,,,,,\n" * 800_000
    response = upload(api_as(clerk), data, depot=world.depot_a)
    assert response.status_code == 201, response.json()
    assert response.json()["rows"] == 3
    assert Balance.objects.count() == 3
    assert counts()[0] == before[0] + 1


def test_a_huge_single_cell(world, clerk, api_as, settings):
    before = counts()
    data = csv_file([row(note="x" * 2_000_000)])
    response = upload(api_as(clerk), data, depot=world.depot_a)
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]] == ["bad_format"]
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    response = upload(api_as(clerk), data, depot=world.depot_a)
    assert response.status_code == 400
    assert counts() == before
    assert not ImportRun.objects.exists()


def test_too_many_rows(world, clerk, api_as, settings):
    settings.IMPORT_MAX_ROWS = 3
    before = counts()
    data = csv_file([row(lot=f"T-{n}") for n in range(4)])
    response = upload(api_as(clerk), data, depot=world.depot_a)
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]] == ["too_many_rows"]
    assert counts() == before


def test_a_workbook_of_many_sheets_reads_the_first(world, clerk, api_as):
    book = Workbook()
    first = book.active
    first.append(COLUMNS)
    first.append(row())
    for n in range(300):
        book.create_sheet(f"S{n}").append(["junk", "=1+1"])
    out = io.BytesIO()
    book.save(out)
    response = upload(api_as(clerk), out.getvalue(), depot=world.depot_a, name="many.xlsx")
    assert response.status_code == 201, response.json()
    assert Balance.objects.get().quantity == 100


def test_a_formula_in_a_lot_number_never_reaches_an_export_as_a_formula(
    world, clerk, admin_user, api_as
):
    data = csv_file([row(lot="=HYPERLINK(1)", note="@SUM(A1)")])
    assert upload(api_as(clerk), data, depot=world.depot_a).status_code == 201
    response = api_as(admin_user).get(
        "/api/v1/imports/export/", {"depot": world.depot_a.pk, "format": "csv"}
    )
    content = b"".join(response.streaming_content) if response.streaming else response.content
    line = content.decode().splitlines()[1]
    assert "'=HYPERLINK(1)" in line
    assert ",=" not in line
