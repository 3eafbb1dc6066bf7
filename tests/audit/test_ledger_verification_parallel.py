"""Depots checked in groups on connections of their own (audit.verification, workers > 1) give
the answer of one connection, read from one snapshot. Committed data: the other connections
cannot see a test's transaction."""

import pytest

from audit.services import FULL, INCREMENTAL, ledger_verification_run, ledger_verify
from inventory.models import LedgerLine
from tests.audit.test_ledger_verification import history, tamper  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_groups_find_what_one_connection_finds(history):  # noqa: F811 (fixture)
    one, two = ledger_verify(workers=1), ledger_verify(workers=2)
    assert one.ok
    assert two.ok
    assert one.lines_checked == two.lines_checked == LedgerLine.objects.count()
    record = ledger_verification_run(mode=FULL)  # verified checkpoints for both depots
    assert record.checkpoints.count() == 2
    victims = [
        LedgerLine.objects.filter(depot=history.depot_a).order_by("id")[1],
        LedgerLine.objects.filter(depot=history.depot_b).order_by("id")[0],
    ]
    for victim in victims:
        tamper("UPDATE inventory_ledgerline SET quantity = quantity + 1 WHERE id = %s", [victim.pk])
    one, two = ledger_verify(workers=1), ledger_verify(workers=2)
    assert one.broken == two.broken
    assert sorted((each.depot, each.line) for each in two.broken) == sorted(
        (victim.depot.code, victim.pk) for victim in victims
    )
    assert two.first_broken.line == min(victim.pk for victim in victims)
    # Depot A's line lies before its verified checkpoint: the weekly full run's to find; depot
    # B's only line is its checkpointed line, whose content an incremental run hashes again.
    incremental = ledger_verify(mode=INCREMENTAL, workers=2)
    assert [(each.depot, each.line) for each in incremental.broken] == [("DB", victims[1].pk)]
