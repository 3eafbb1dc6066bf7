"""The same file confirmed, or uploaded, twice at the same moment is posted once (issue 19): two
threads, two database connections, committed transactions."""

import threading

import pytest
from django.db import connection

from imports.models import ImportRun, ImportStatus
from imports.services import import_confirm, import_submit
from inventory.models import Balance, Document, LedgerLine
from tests.imports.conftest import csv_file, row

pytestmark = pytest.mark.django_db(transaction=True)


def _at_once(call, times=2) -> list[str]:
    barrier = threading.Barrier(times)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(call())
        except Exception as exc:  # the refusal is the result
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return sorted(results)


def test_two_confirmations_at_once_post_once(world, clerk):
    data = csv_file([row(), row(lot="TNT-OB-2", quantity="7")])
    run = import_submit(
        user=clerk, kind="opening_balances", depot=world.depot_a, file_name="a.csv",
        data=data, keep_for_confirmation=True,
    ).run  # fmt: skip

    def confirm():
        return import_confirm(run=ImportRun.objects.get(pk=run.pk), user=clerk, inline=True).status

    assert _at_once(confirm) == ["InvalidState", ImportStatus.IMPORTED]
    assert Document.objects.count() == 1
    assert LedgerLine.objects.count() == 2
    assert sorted(Balance.objects.values_list("quantity", flat=True)) == [7, 100]


def test_two_uploads_of_one_file_at_once_post_once(world, clerk):
    data = csv_file([row(), row(lot="TNT-OB-2", quantity="7")])

    def submit():
        return import_submit(
            user=clerk, kind="opening_balances", depot=world.depot_a, file_name="a.csv",
            data=data,
        ).status  # fmt: skip

    assert _at_once(submit) == ["DuplicateImport", ImportStatus.IMPORTED]
    assert Document.objects.count() == 1
    assert LedgerLine.objects.count() == 2
    assert ImportRun.objects.count() == 1
