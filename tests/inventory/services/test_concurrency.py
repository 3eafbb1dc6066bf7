"""Concurrent postings on PostgreSQL: no lost update, never negative, ledger = balance."""

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection
from django.db.models import Sum
from django.utils import timezone

from inventory.errors import InsufficientStock
from inventory.models import Balance, Document, LedgerLine
from inventory.selectors.ledger import balance_drift
from inventory.services.posting import Movement, issue_post, receipt_post

THREADS = 12


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_from_one_lot_lose_nothing(world, clerk):
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 50)
    barrier = threading.Barrier(THREADS)

    def issue_five(_):
        barrier.wait()
        try:
            issue_post(
                depot=world.depot_a,
                lines=[Movement(lot.pk, world.sh1.pk, 5)],
                recipient=world.unit,
                occurred_on=timezone.localdate(),
                posted_by=clerk,
            )
            return "posted"
        except InsufficientStock:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(issue_five, range(THREADS)))
    close_old_connections()

    assert outcomes.count("posted") == 10
    assert outcomes.count("refused") == THREADS - 10
    assert Balance.objects.get(lot=lot, storehouse=world.sh1).quantity == 0
    total = LedgerLine.objects.filter(lot=lot, storehouse=world.sh1).aggregate(t=Sum("quantity"))
    assert total["t"] == 0
    assert balance_drift() == []
    numbers = sorted(Document.objects.filter(depot=world.depot_a).values_list("number", flat=True))
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == list(range(1, 12))  # gapless


@pytest.mark.django_db(transaction=True)
def test_two_depots_post_side_by_side_with_intact_chains(world, clerk, clerk_b):
    lot = world.lot(world.ball)

    def receive(args):
        user, storehouse = args
        try:
            for _ in range(5):
                receipt_post(
                    depot=storehouse.depot,
                    lines=[Movement(lot.pk, storehouse.pk, 1)],
                    occurred_on=timezone.localdate(),
                    posted_by=user,
                )
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(receive, [(clerk, world.sh1), (clerk_b, world.sh3)] * 2))
    close_old_connections()
    for depot in (world.depot_a, world.depot_b):
        lines = list(LedgerLine.objects.filter(depot=depot).order_by("id"))
        assert len(lines) == 10
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(lines))
