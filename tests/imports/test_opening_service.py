"""Opening balances through the service (DESIGN.md §14): the clean path, the trace to the file,
the refusals, each leaving the database unchanged."""

import hashlib
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from imports.errors import DuplicateImport
from imports.models import ImportRun, ImportStatus
from imports.services import import_submit
from inventory.models import Balance, Document, DocumentSource, LedgerLine, LineSource, Lot
from inventory.models.ledger import DocumentKind
from surveillance.models import LotSurveillance
from tests.imports.conftest import counts, csv_file, row, xlsx_file

pytestmark = pytest.mark.django_db


def submit(user, depot, data, **options):
    return import_submit(
        user=user,
        kind=options.pop("kind", "opening_balances"),
        depot=depot,
        file_name=options.pop("file_name", "ledger.csv"),
        data=data,
        reference=options.pop("reference", "Paper ledgers 2015-2026"),
        **options,
    )


def test_a_clean_file_posts_one_opening_balance_per_storehouse(world, clerk):
    data = csv_file(
        [
            row(lot="TNT-OB-1", quantity="100"),
            row(storehouse="SH2", kind="762-BALL", lot="B-1", quantity="5000"),
            row(lot="TNT-OB-2", quantity="30", note="Ledger p. 3"),
        ]
    )
    outcome = submit(clerk, world.depot_a, data)
    assert outcome.status == ImportStatus.IMPORTED, outcome.errors
    run = outcome.run
    assert run.rows == 3
    assert run.file_sha256 == hashlib.sha256(data).hexdigest()
    documents = Document.objects.filter(pk__in=run.documents).order_by("id")
    assert [d.kind for d in documents] == [DocumentKind.OPENING_BALANCE] * 2
    assert {
        d.lines.get().storehouse.code if d.lines.count() == 1 else "SH1" for d in documents
    } == {
        "SH1",
        "SH2",
    }
    sh1 = Balance.objects.filter(storehouse=world.sh1).order_by("lot__lot_number")
    assert [(b.lot.lot_number, b.quantity) for b in sh1] == [("TNT-OB-1", 100), ("TNT-OB-2", 30)]
    assert Balance.objects.get(storehouse=world.sh2).quantity == 5000
    source = DocumentSource.objects.get(document=documents[0])
    assert (source.file_name, source.file_sha256) == ("ledger.csv", run.file_sha256)
    traced = {
        (s.line.lot.lot_number, s.row, s.note)
        for s in LineSource.objects.select_related("line__lot")
    }
    assert traced == {("TNT-OB-1", 1, ""), ("B-1", 2, ""), ("TNT-OB-2", 3, "Ledger p. 3")}
    lot = Lot.objects.get(lot_number="TNT-OB-1")
    assert lot.manufactured_on == date(2020, 1, 1)
    assert lot.condition_id == "A"
    assert ledger_verify_ok()


def ledger_verify_ok() -> bool:
    from django.core.management import call_command

    call_command("verify_ledger")
    return True


def test_the_same_file_again_is_a_duplicate(world, clerk):
    data = csv_file([row()])
    submit(clerk, world.depot_a, data)
    before = counts()
    with pytest.raises(DuplicateImport):
        submit(clerk, world.depot_a, data)
    with pytest.raises(DuplicateImport):
        submit(clerk, world.depot_a, data, dry_run=True)
    assert counts() == before
    assert ImportRun.objects.count() == 1


def test_a_dry_run_writes_nothing(world, clerk):
    before = counts()
    outcome = submit(clerk, world.depot_a, csv_file([row()]), dry_run=True)
    assert (outcome.status, outcome.rows, outcome.errors) == ("validated", 1, [])
    assert counts() == before
    assert not ImportRun.objects.exists()


BAD_ROWS = [
    (row(storehouse="SH3"), "storehouse", "unknown_storehouse"),  # depot B's
    (row(kind="NOPE"), "ammunition_type", "unknown_ammunition_type"),
    (row(made="2020-13-01"), "manufactured_on", "bad_date"),
    (row(made="01/02/2020"), "manufactured_on", "bad_date"),
    (row(made="2999-01"), "manufactured_on", "bad_date"),
    (row(quantity="0"), "quantity", "bad_quantity"),
    (row(quantity="-4"), "quantity", "bad_quantity"),
    (row(quantity="2.5"), "quantity", "bad_quantity"),
    (row(quantity="1 000"), "quantity", "bad_quantity"),
    (row(condition="Z"), "condition", "unknown_condition"),
    (row(lot=""), "lot_number", "missing_value"),
    (row(expiry="2019-01-01"), "expiry_on", "bad_date"),
    (row(tested="2021-01-01", category="stable"), "stability_category", "not_propellant"),
    (row(kind="PROP-105", tested="2021-01-01", category="great"), "stability_category",
     "unknown_stability_category"),
    (row(kind="PROP-105", tested="2021-01-01"), "stability_category", "missing_value"),
]  # fmt: skip


@pytest.mark.parametrize(("bad", "column", "code"), BAD_ROWS)
def test_every_bad_row_is_named_and_nothing_is_written(world, propellant, clerk, bad, column, code):
    data = csv_file([row(lot="GOOD-1"), bad])
    before = counts()
    outcome = submit(clerk, world.depot_a, data)
    assert outcome.status == ImportStatus.REJECTED
    assert {"row": 2, "column": column, "code": code} in [
        {k: e[k] for k in ("row", "column", "code")} for e in outcome.errors
    ], outcome.errors
    assert all(e["detail"] for e in outcome.errors)
    assert counts() == before
    assert not ImportRun.objects.exists()


def test_duplicate_rows(world, clerk):
    outcome = submit(clerk, world.depot_a, csv_file([row(), row(lot="tnt-ob-1"), row(lot="X")]))
    assert [(e["row"], e["code"]) for e in outcome.errors] == [(2, "duplicate_row")]


def test_storage_rules_on_the_whole_file_name_the_rows(world, clerk):
    data = csv_file(
        [
            row(lot="T-1", quantity="3000"),  # 600 kg 1.1
            row(lot="T-2", quantity="3000"),  # + 600 kg: over the 1,000 kg licence
            row(kind="DET-8", lot="D-1", quantity="10"),  # 1.1B beside 1.1D: refused (n1)
            row(storehouse="SH9", lot="T-3"),  # no licence
            row(storehouse="SH2", lot="T-4"),  # 1.1 where only 1.4 is licensed
        ]
    )
    before = counts()
    outcome = submit(clerk, world.depot_a, data)
    found = {(e["code"], tuple(e.get("rows", ()))) for e in outcome.errors}
    assert ("licence_exceeded", (1, 2)) in found or ("licence_exceeded", (1, 2, 3)) in found
    assert ("storage_incompatible", (1, 2, 3)) in {
        (code, rows) for code, rows in found if code == "storage_incompatible"
    } or any(code == "storage_incompatible" and 3 in rows for code, rows in found)
    assert ("no_licence", (4,)) in found
    assert ("licence_exceeded", (5,)) in found
    assert counts() == before


def test_suspect_stock_is_isolated(world, clerk):
    outcome = submit(
        clerk, world.depot_a, csv_file([row(lot="T-1"), row(lot="T-2", condition="H")])
    )
    assert {e["code"] for e in outcome.errors} == {"suspect_isolation"}


def test_other_roles_and_depots_are_refused(world, clerk_b, inspector, auditor):
    for user in (clerk_b, inspector, auditor):
        with pytest.raises(PermissionDenied):
            submit(user, world.depot_a, csv_file([row()]))
    assert not ImportRun.objects.exists()


def test_xlsx_with_dates_and_numbers_and_a_known_stability_test(world, propellant, clerk):
    data = xlsx_file(
        [
            [
                "SH1", "PROP-105", "P-1", "Maker", date(2010, 3, 1), 40, "A", "",
                date(2022, 6, 1), "stable", "",
            ]
        ]
    )  # fmt: skip
    outcome = submit(clerk, world.depot_a, data, file_name="ledger.xlsx")
    assert outcome.status == ImportStatus.IMPORTED, outcome.errors
    lot = Lot.objects.get(lot_number="P-1")
    record = LotSurveillance.objects.get(lot=lot)
    assert record.last_stability_test_on == date(2022, 6, 1)
    assert record.last_stability_category == "stable"
    assert record.next_stability_test_due == date(2027, 6, 1)
    assert lot.due.never_stability_tested is False


def test_a_formula_cell_is_refused(world, clerk):
    data = xlsx_file([["SH1", "TNT-200", "T-1", "Maker", "2020-01", "=2*50", "", "", "", "", ""]])
    outcome = submit(clerk, world.depot_a, data, file_name="ledger.xlsx")
    assert [(e["row"], e["code"]) for e in outcome.errors] == [(1, "formula_cell")]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        ("storehouse;ammunition_type\n".encode("utf-16"), "bad_encoding"),
        (b"storehouse,ammunition_type,lot_number,manufacturer,manufactured_on\n", "missing_column"),
        (b"PK\x03\x04garbage", "bad_format"),
    ],
)  # fmt: skip
def test_unreadable_files(world, clerk, data, code):
    outcome = submit(clerk, world.depot_a, data)
    assert code in {e["code"] for e in outcome.errors}
    assert not LedgerLine.objects.exists()


def test_a_bom_and_semicolons_are_read(world, clerk):
    data = "\ufeff" + csv_file([row()]).decode().replace(",", ";")
    outcome = submit(clerk, world.depot_a, data.encode())
    assert outcome.status == ImportStatus.IMPORTED, outcome.errors


def test_the_nightly_sweep_spares_propellant_with_a_known_test(world, propellant, clerk):
    from surveillance.sweep import overdue_lots_suspend

    data = csv_file(
        [
            row(kind="PROP-105", lot="P-TESTED", made="2010-03", tested="2023-01-10",
                category="stable"),
            row(kind="PROP-105", lot="P-UNTESTED", made="2010-03"),
        ]
    )  # fmt: skip
    assert submit(clerk, world.depot_a, data).status == ImportStatus.IMPORTED
    overdue_lots_suspend()
    conditions = dict(
        Lot.objects.filter(ammunition_type=propellant).values_list("lot_number", "condition")
    )
    assert conditions == {"P-TESTED": "A", "P-UNTESTED": "J"}
