"""Dispatches racing a second dispatch or a party's denial, on real PostgreSQL."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from diversion import services
from diversion.errors import PartyNotPermitted
from diversion.models import TransferCase
from inventory.errors import InvalidState
from inventory.models import Balance, Document

pytestmark = pytest.mark.django_db(transaction=True)


def _race(first_action, second_action):
    """Run `first_action` in a transaction kept open a moment after it acted; start
    `second_action` meanwhile; return what the second raised (or None)."""
    acted = threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                first_action()
                acted.set()
                time.sleep(0.8)
        finally:
            acted.set()
            connection.close()

    def second():
        acted.wait(10)
        try:
            second_action()
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


@pytest.fixture
def ready(transfer, officer, officer2):
    case = transfer.case(officer)
    transfer.approved(case, officer, officer2)
    return case


def _dispatch(case, clerk):
    return lambda: services.transfer_case_dispatch(
        case=case, occurred_on=timezone.localdate(), dispatched_by=clerk
    )


def test_two_dispatches_of_one_case_post_once(ready, transfer, clerk):
    raised = _race(_dispatch(ready, clerk), _dispatch(ready, clerk))
    assert isinstance(raised, InvalidState)
    assert Document.objects.filter(kind="issue").count() == 1
    assert Balance.objects.get(lot=transfer.lot, storehouse=transfer.world.sh2).quantity == 60


def test_a_dispatch_waits_for_a_denial_in_flight_and_obeys_it(ready, transfer, clerk, officer):
    raised = _race(
        lambda: services.party_update(
            party=transfer.carrier,
            changed_by=officer,
            status="denied",
            status_reason="Sanctioned vessel",
            status_source="UN list",
        ),
        _dispatch(ready, clerk),
    )
    assert isinstance(raised, PartyNotPermitted)
    assert not Document.objects.filter(kind="issue").exists()
    assert TransferCase.objects.get().status == "draft"
