"""Surveillance decisions and issues in flight at the same moment, on real PostgreSQL."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from inventory.errors import LotBanned, LotNotIssuable
from inventory.models import Document
from inventory.services.posting import Movement, issue_post
from surveillance import services

pytestmark = pytest.mark.django_db(transaction=True)


def _race(decide, issue):
    """Run `decide` in a transaction that stays open a moment after it has decided; start
    `issue` meanwhile; return what `issue` raised (or None)."""
    decided = threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                decide()
                decided.set()
                time.sleep(0.8)
        finally:
            decided.set()
            connection.close()

    def second():
        decided.wait(10)
        try:
            issue()
            outcome["raised"] = None
        except Exception as error:
            outcome["raised"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcome["raised"]


def _issue(world, clerk, lot):
    return lambda: issue_post(
        depot=world.depot_a,
        lines=[Movement(lot.pk, world.sh1.pk, 1)],
        recipient=world.unit,
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    )


def test_an_issue_waits_for_a_condemnation_in_flight_and_obeys_it(
    world, charge_lot, clerk, inspector
):
    raised = _race(
        lambda: services.condition_change_post(
            lot=charge_lot,
            condition="H",
            reason="Unstable",
            depot=world.depot_a,
            posted_by=inspector,
        ),
        _issue(world, clerk, charge_lot),
    )
    assert isinstance(raised, LotNotIssuable)
    assert not Document.objects.filter(kind="issue").exists()


def test_an_issue_waits_for_a_ban_in_flight_and_obeys_it(world, charge_lot, clerk, inspector):
    raised = _race(
        lambda: services.ban_impose(
            kind="ban", lot=charge_lot, reason="Misfires", reference="TB-1", imposed_by=inspector
        ),
        _issue(world, clerk, charge_lot),
    )
    assert isinstance(raised, LotBanned)
    assert not Document.objects.filter(kind="issue").exists()
