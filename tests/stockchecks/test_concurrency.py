"""The start of a check against postings in flight (real PostgreSQL, threads): the book taken at
the start and the movements after it always partition the ledger, so counting the shelf as it
is gives no variance."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from inventory.errors import DepotFrozen
from inventory.models import Balance
from inventory.services.posting import Movement, issue_post
from stockchecks import services

pytestmark = pytest.mark.django_db(transaction=True)


def _issue(world, clerk, lot, quantity=1):
    return issue_post(
        depot=world.depot_a,
        lines=[Movement(lot.pk, world.sh2.pk, quantity)],
        recipient=world.unit,
        occurred_on=timezone.localdate(),
        posted_by=clerk,
        purpose="Training",
    )


def _count_the_shelf(check, clerk):
    """Count every line at what is really there now (the balance): every variance must be 0."""
    for line in check.lines.select_related("lot", "storehouse"):
        services.stock_check_count(
            stock_check=check,
            counted_by=clerk,
            lot=line.lot,
            storehouse=line.storehouse,
            quantity=Balance.objects.get(lot=line.lot, storehouse=line.storehouse).quantity,
        )
    return {line.lot.lot_number: line.variance for line in check.lines.select_related("lot")}


def test_a_posting_in_flight_when_counting_starts_is_in_the_book(world, clerk):
    lot = world.lot(world.ball, "RACE-1")
    world.stock(clerk, lot, world.sh2, 100)
    check = services.stock_check_plan(depot=world.depot_a, planned_by=clerk, kind="full")
    posted, release = threading.Event(), threading.Event()

    def slow_issue():
        try:
            with transaction.atomic():
                _issue(world, clerk, lot, 10)  # holds the depot's counter lock
                posted.set()
                release.wait(10)
        finally:
            connection.close()

    def start():
        try:
            return services.stock_check_start(stock_check=check, started_by=clerk)
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        issuing = pool.submit(slow_issue)
        assert posted.wait(10)
        starting = pool.submit(start)
        time.sleep(0.5)
        assert not starting.done()  # the start waits for the posting to commit
        release.set()
        issuing.result()
        started = starting.result()
    close_old_connections()
    line = started.lines.get()
    assert line.book_at_start == 90
    assert _count_the_shelf(started, clerk) == {"RACE-1": 0}


@pytest.mark.parametrize("freeze", [False, True])
def test_postings_racing_a_start_are_never_lost_nor_counted_twice(world, clerk, freeze):
    lots = [world.lot(world.ball, f"RACE-{n}") for n in range(4)]
    for lot in lots:
        world.stock(clerk, lot, world.sh2, 200)
    check = services.stock_check_plan(
        depot=world.depot_a, planned_by=clerk, kind="full", freeze_depot=freeze
    )
    barrier = threading.Barrier(9)

    def issue(n):
        barrier.wait()
        try:
            for _ in range(3):
                _issue(world, clerk, lots[n % 4])
            return "posted"
        except DepotFrozen:
            return "frozen"
        finally:
            connection.close()

    def start():
        barrier.wait()
        try:
            return services.stock_check_start(stock_check=check, started_by=clerk)
        finally:
            connection.close()

    with ThreadPoolExecutor(9) as pool:
        futures = [pool.submit(issue, n) for n in range(8)]
        started = pool.submit(start).result()
        outcomes = [future.result() for future in futures]
    close_old_connections()
    assert set(outcomes) <= {"posted", "frozen"}
    variances = _count_the_shelf(started, clerk)
    assert set(variances.values()) == {0}, variances
