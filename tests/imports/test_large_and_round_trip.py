"""A 10,000-row file through the background path, the round trip export → import, and what the
rest of the ledger makes of an opening balance (reversal, statement)."""

import io

import pytest
from django.core.management import call_command

from imports.models import ImportRun, ImportStatus
from imports.services import import_submit
from imports.tasks import import_run_task
from inventory.models import Balance, Depot, LedgerLine, ReversalProposal, Storehouse
from inventory.services.reversals import document_reverse
from tests.imports.conftest import counts, csv_file, row
from tests.inventory.ledger_world import licence

pytestmark = pytest.mark.django_db


def test_ten_thousand_rows_through_the_task(
    world, clerk, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_ASYNC_ROWS = 2000
    rows = [
        row(storehouse="SH2", kind="762-BALL", lot=f"B-{n:05d}", quantity=str(n))
        for n in range(1, 10_001)
    ]
    data = csv_file(rows)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = import_submit(
            user=clerk, kind="opening_balances", depot=world.depot_a, file_name="big.csv",
            data=data, reference="Paper ledgers",
        )  # fmt: skip
    assert outcome.status == ImportStatus.QUEUED, outcome.errors[:3]
    assert len(callbacks) == 1
    assert not LedgerLine.objects.exists()
    # What the worker runs (tests/reports/test_worker.py runs a real worker for reports).
    import_run_task.apply(kwargs={"run_id": outcome.run.pk}).get()
    run = ImportRun.objects.get(pk=outcome.run.pk)
    assert run.status == ImportStatus.IMPORTED, run.errors[:3]
    assert run.progress == 100
    assert run.content is None
    balances = dict(
        Balance.objects.filter(storehouse=world.sh2).values_list("lot__lot_number", "quantity")
    )
    assert len(balances) == 10_000
    assert balances["B-00001"] == 1
    assert balances["B-10000"] == 10_000
    assert sum(balances.values()) == 10_000 * 10_001 // 2
    assert LedgerLine.objects.count() == 10_000
    call_command("verify_ledger")


def test_reversing_an_opening_balance_needs_a_second_person(world, clerk):
    outcome = import_submit(
        user=clerk, kind="opening_balances", depot=world.depot_a, file_name="a.csv",
        data=csv_file([row()]),
    )  # fmt: skip
    document = outcome.run and outcome.run.documents[0]
    from inventory.models import Document

    proposal = document_reverse(
        document=Document.objects.get(pk=document), reason="typed twice", posted_by=clerk
    )
    assert isinstance(proposal, ReversalProposal)
    assert Balance.objects.get(storehouse=world.sh1).quantity == 100


def _twin_depot(world) -> Depot:
    """An empty depot laid out as depot A: the same storehouse codes and licences."""
    twin = Depot.objects.create(code="DC", name="Depot C", region="East")
    for source in (world.sh1, world.sh2):
        copy = Storehouse.objects.create(
            depot=twin, code=source.code, name=source.name, kind=source.kind
        )
        limits = {
            limit.hazard_division: limit.max_neq_kg for limit in source.licences.get().limits.all()
        }
        licence(copy, limits)
    return twin


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_gives_identical_balances(
    world, propellant, clerk, admin_user, api_as, file_format
):
    rows = [
        row(lot="T-1", quantity="40"),
        row(lot="=T-2", quantity="12", expiry="2031-05-31"),
        row(storehouse="SH2", kind="762-BALL", lot="B-1", quantity="9000", condition="B"),
        row(storehouse="SH2", kind="762-BALL", lot="B-2", quantity="1"),
    ]
    outcome = import_submit(
        user=clerk, kind="opening_balances", depot=world.depot_a, file_name="a.csv",
        data=csv_file(rows),
    )  # fmt: skip
    assert outcome.status == ImportStatus.IMPORTED, outcome.errors
    twin = _twin_depot(world)
    response = api_as(admin_user).get(
        "/api/v1/imports/export/", {"depot": world.depot_a.pk, "format": file_format}
    )
    assert response.status_code == 200
    exported = response.content
    before = counts()
    answer = import_submit(
        user=admin_user, kind="opening_balances", depot=twin,
        file_name=f"export.{file_format}", data=exported,
    )  # fmt: skip
    assert answer.status == ImportStatus.IMPORTED, answer.errors
    assert counts()[2] == before[2]  # the same lots

    def balances(depot):
        return sorted(
            Balance.objects.filter(depot=depot, quantity__gt=0).values_list(
                "storehouse__code", "lot__ammunition_type__code", "lot__lot_number",
                "lot__condition", "quantity",
            )
        )  # fmt: skip

    assert balances(twin) == balances(world.depot_a)
    assert ("SH1", "TNT-200", "=T-2", "A", 12) in balances(twin)
    call_command("verify_ledger")


def test_a_statement_lists_opening_balances_first(world, clerk):
    from reports.builders.ledger import KIND_ORDER

    assert KIND_ORDER[0] == "opening_balance"
    assert io  # the module's file helpers are shared with the other tests
