import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from alerts.tasks import reconcile_ledger_task

pytestmark = pytest.mark.django_db


def test_reconcile_passes_on_a_consistent_ledger(world, clerk):
    world.stock(clerk, world.lot(world.ball), world.sh1, 10)
    out = io.StringIO()
    call_command("reconcile_ledger", stdout=out)
    assert "Every balance equals" in out.getvalue()
    assert reconcile_ledger_task() == 0


def test_reconcile_fails_when_a_balance_was_tampered_with(world, clerk):
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 10)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_balance SET quantity = 9 WHERE lot_id = %s", [lot.pk])
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 balance"):
        call_command("reconcile_ledger", stderr=err)
    assert "balance 9, ledger 10" in err.getvalue()
    assert reconcile_ledger_task() == 1
