"""Imports, the last mile (issue 19): the dry run's verdict is the real run's (a frozen depot, a
closed period), progress moves per chunk of rows and per document, and every balance equals the
file's sums."""

from collections import defaultdict

import pytest
from django.core.management import call_command
from django.utils import timezone

from imports.models import ImportRun
from imports.opening import PROGRESS_CHUNK, opening_check
from imports.parsing import read_sheet
from imports.services import import_submit
from inventory.models import Balance, ClosedPeriod
from inventory.services.freezes import depot_freeze
from inventory.services.posting import OpeningLine, opening_balances_post
from tests.imports.conftest import counts, csv_file, row
from tests.imports.test_api import upload

pytestmark = pytest.mark.django_db


def _refusing(world, clerk, why):
    if why == "depot_frozen":
        depot_freeze(depot=world.depot_a, reference="SC-2026-000001")
    else:
        today = timezone.localdate()
        ClosedPeriod.objects.create(
            depot=world.depot_a, starts_on=today, ends_on=today, closed_by=clerk
        )


@pytest.mark.parametrize("why", ["depot_frozen", "period_closed"])
def test_the_dry_run_says_what_the_real_run_would(world, clerk, api_as, why):
    _refusing(world, clerk, why)
    data = csv_file([row(), row(lot="TNT-OB-2", quantity="7")])
    before = counts()
    client = api_as(clerk)
    dry = upload(client, data, depot=world.depot_a, dry_run=True)
    real = upload(client, data, depot=world.depot_a, dry_run=False)
    for response in (dry, real):
        assert response.status_code == 400, response.json()
        body = response.json()
        assert body["status"] == "rejected"
        assert [(e["row"], e["column"], e["code"]) for e in body["errors"]] == [(None, None, why)]
    assert counts() == before
    assert not ImportRun.objects.exists()


def test_the_page_says_so_before_confirmation(world, clerk, client):
    _refusing(world, clerk, "depot_frozen")
    client.force_login(clerk)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/imports/new/",
        {
            "kind": "opening_balances",
            "depot": world.depot_a.pk,
            "reference": "",
            "file": SimpleUploadedFile("ledger.csv", csv_file([row()]), "text/csv"),
        },
    )
    assert response.status_code == 400
    assert "depot_frozen" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_checking_reports_progress_per_chunk_of_rows(world):
    rows = [row(lot=f"T-{n}", quantity="1") for n in range(1, 1_301)]
    seen = []
    good, errors = opening_check(
        read_sheet(csv_file(rows)),
        depot=world.depot_a,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert errors == []
    assert len(good) == 1_300
    assert seen == [(PROGRESS_CHUNK, 1_300), (2 * PROGRESS_CHUNK, 1_300)]


def test_posting_reports_progress_per_document(world, clerk):
    sheet = read_sheet(
        csv_file([row(lot="T-1"), row(storehouse="SH2", kind="762-BALL", lot="B-1")])
    )
    good, _errors = opening_check(sheet, depot=world.depot_a)
    seen = []
    documents = opening_balances_post(
        depot=world.depot_a,
        lines=[OpeningLine(r.new_lot(), r.storehouse.pk, r.quantity, r.row, r.note) for r in good],
        posted_by=clerk,
        file_name="ledger.csv",
        file_sha256="0" * 64,
        progress=lambda done, steps: seen.append((done, steps)),
    )
    assert len(documents) == 2
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_every_balance_equals_the_files_sums(world, clerk):
    """Lots spread over two storehouses, some in both, quantities of every size: each balance,
    each storehouse's total and the depot's total are the file's, to the unit."""
    rows, expected = [], defaultdict(int)
    for n in range(1, 601):
        storehouse, kind = ("SH1", "TNT-200") if n % 3 == 0 else ("SH2", "762-BALL")
        # SH1's licence holds 1,000 kg of 1.1 (5,000 TNT blocks); SH2's 1.4 has no limit.
        quantity = n % 20 + 1 if storehouse == "SH1" else (n * 7919) % 100_000 + 1
        lot = f"L-{n:04d}"
        rows.append(row(storehouse=storehouse, kind=kind, lot=lot, quantity=str(quantity)))
        expected[(storehouse, lot)] += quantity
    for n in (1, 2, 4, 5):  # small-arms lots held in both storehouses
        rows.append(row(storehouse="SH1", kind="762-BALL", lot=f"L-{n:04d}", quantity=str(n)))
        expected[("SH1", f"L-{n:04d}")] += n
    outcome = import_submit(
        user=clerk, kind="opening_balances", depot=world.depot_a, file_name="sums.csv",
        data=csv_file(rows), inline=True,
    )  # fmt: skip
    assert outcome.status == "imported", outcome.errors[:3]
    found = {
        (code, lot): quantity
        for code, lot, quantity in Balance.objects.filter(depot=world.depot_a).values_list(
            "storehouse__code", "lot__lot_number", "quantity"
        )
    }
    assert found == dict(expected)
    for code in ("SH1", "SH2"):
        assert sum(q for (sh, _lot), q in found.items() if sh == code) == sum(
            q for (sh, _lot), q in expected.items() if sh == code
        )
    call_command("verify_ledger")


def test_a_file_never_confirmed_loses_its_bytes_and_keeps_its_record(
    world, clerk, client, settings
):
    from datetime import timedelta

    from audit.models import AuditEvent
    from imports.models import ImportStatus
    from imports.services import import_confirm, imports_stale_clear
    from imports.tasks import imports_stale_clear_task
    from inventory.errors import InvalidState

    settings.IMPORT_STALE_HOURS = 6
    data = csv_file([row()])
    old = import_submit(
        user=clerk, kind="opening_balances", depot=world.depot_a, file_name="old.csv",
        data=data, keep_for_confirmation=True,
    ).run  # fmt: skip
    fresh = import_submit(
        user=clerk, kind="opening_balances", depot=world.depot_a, file_name="fresh.csv",
        data=csv_file([row(lot="T-FRESH")]), keep_for_confirmation=True,
    ).run  # fmt: skip
    ImportRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=7))
    before = counts()
    assert imports_stale_clear_task.apply().get() == {"cleared": 1}
    assert imports_stale_clear() == 0  # nothing left to clear
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, old.content) == (ImportStatus.EXPIRED, None)
    assert (old.file_name, old.rows, len(old.file_sha256)) == ("old.csv", 1, 64)
    assert old.finished_at is not None
    assert fresh.status == ImportStatus.VALIDATED
    assert fresh.content is not None
    assert counts() == before
    event = AuditEvent.objects.get(object_type="imports.importrun", object_id=str(old.pk))
    assert old.file_sha256 in event.detail
    with pytest.raises(InvalidState):
        import_confirm(run=old, user=clerk)
    client.force_login(clerk)
    page = client.get(f"/imports/{old.pk}/").content.decode()
    assert "Never confirmed" in page
    assert client.post(f"/imports/{old.pk}/confirm/").status_code == 302
    assert counts() == before
    # The same file may be uploaded again: an expired run does not hold the file.
    again = import_submit(
        user=clerk, kind="opening_balances", depot=world.depot_a, file_name="old.csv",
        data=data,
    )  # fmt: skip
    assert again.status == ImportStatus.IMPORTED, again.errors


def test_the_nightly_job_is_scheduled(settings):
    from stockpile.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["imports-clear-stale"]
    assert entry["task"] == "imports.clear_stale"
    app.loader.import_default_modules()
    assert "imports.clear_stale" in app.tasks
