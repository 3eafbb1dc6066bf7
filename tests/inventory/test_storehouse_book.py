"""The daily storehouse book (DESIGN.md §14) from a known history: per day and lot, opening +
lines = closing, equal to the ledger's sums; NEQ per division; quiet days; reversals, transfers in
transit, a lot split, an internal move; the posted_at cut-off; a fixed number of queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from inventory.models import LedgerLine
from inventory.selectors.book import storehouse_book
from inventory.services.posting import (
    Movement,
    receipt_post,
    transfer_receive,
)
from tests.inventory.book_history import Book, ago, post_book_history


@pytest.fixture
def book(world, clerk) -> Book:
    return post_book_history(world, clerk)


def read(book: Book, storehouse=None, *, start=None, end=None, cutoff=None):
    return storehouse_book(
        storehouse=storehouse or book.world.sh1,
        date_from=start or book.start,
        date_to=end or book.today,
        cutoff=cutoff or timezone.now(),
    )


def ledger_balance(lot, storehouse, on: date) -> int:
    lines = LedgerLine.objects.filter(lot=lot, storehouse=storehouse, occurred_on__lte=on)
    return lines.aggregate(total=Sum("quantity"))["total"] or 0


def test_every_day_is_listed_and_quiet_days_say_so(book):
    result = read(book)
    assert [day.day for day in result.days] == [ago(n) for n in range(14, -1, -1)]
    moving = {day.day for day in result.days if not day.quiet}
    assert moving == {ago(12), ago(10), ago(8), ago(6), ago(5), ago(0)}
    assert result.quiet_days == 15 - 6
    quiet = result.days[0]
    assert (quiet.opening_units, quiet.closing_units, quiet.lots) == (1000, 1000, [])
    assert result.opening == [(result.opening[0][0], 1000)]
    assert result.opening[0][0].lot_number == "BALL-1"


def test_each_line_with_its_document_kind_and_counterparty(book):
    result = read(book)
    entries = {
        day.day: [
            (e.lot.lot_number, e.quantity, e.balance, e.kind, e.counterparty)
            for lot in day.lots
            for e in lot.entries
        ]
        for day in result.days
        if not day.quiet
    }
    transfer_to = f"to depot {book.world.depot_b.code}"
    assert entries == {
        ago(12): [("TNT-1", 100, 100, "receipt", "=Factory")],
        ago(10): [("BALL-1", -200, 800, "issue", "1st Brigade")],
        ago(8): [("BALL-1", -50, 750, "internal_move", "to storehouse SH2")],
        ago(6): [("BALL-1", -40, 710, "transfer", transfer_to)],
        ago(5): [
            ("TNT-1", -10, 90, "lot_split", "split into lot TNT-1/D"),
            ("TNT-1/D", 10, 10, "lot_split", "split from lot TNT-1"),
        ],
        ago(0): [("BALL-1", 200, 910, "reversal", f"reversal of {book.issue.number}")],
    }
    numbers = {e.document_number for day in result.days for lot in day.lots for e in lot.entries}
    assert book.issue.number in numbers
    assert book.reversal.number in numbers
    issued = result.days[4].lots[0].entries[0]
    assert (issued.received, issued.removed, issued.entry) == (None, 200, "removal")


def test_per_lot_opening_and_closing_equal_the_ledger_sums_every_day(book):
    result = read(book)
    sh1 = book.world.sh1
    for day in result.days:
        for lot_day in day.lots:
            lot = lot_day.lot.id
            assert lot_day.opening == ledger_balance(lot, sh1, day.day - timedelta(days=1))
            assert lot_day.closing == ledger_balance(lot, sh1, day.day)
        total = LedgerLine.objects.filter(storehouse=sh1, occurred_on__lte=day.day)
        assert day.closing_units == total.aggregate(total=Sum("quantity"))["total"]
    closing = {lot.lot_number: quantity for lot, quantity in result.closing}
    assert closing == {"BALL-1": 910, "TNT-1": 90, "TNT-1/D": 10}
    for lot, quantity in result.closing:
        assert quantity == ledger_balance(lot.id, sh1, book.today)


def test_neq_per_hazard_division_opens_and_closes_each_day(book):
    result = read(book)
    assert result.divisions == ["1.1", "1.4"]

    def neq(day):
        return {d.division: (d.opening_kg, d.closing_kg) for d in day.divisions}

    by_day = {day.day: neq(day) for day in result.days}
    assert by_day[ago(14)] == {"1.1": (Decimal("0.000"),) * 2, "1.4": (Decimal("3.000"),) * 2}
    assert by_day[ago(12)]["1.1"] == (Decimal("0.000"), Decimal("20.000"))
    assert by_day[ago(10)]["1.4"] == (Decimal("3.000"), Decimal("2.400"))
    assert by_day[ago(5)]["1.1"] == (Decimal("20.000"), Decimal("20.000"))  # a split moves none
    assert by_day[ago(0)]["1.4"] == (Decimal("2.130"), Decimal("2.730"))
    for day in result.days:  # each day opens where the day before closed
        if day.day > book.start:
            before = by_day[day.day - timedelta(days=1)]
            assert {k: v[0] for k, v in neq(day).items()} == {k: v[1] for k, v in before.items()}


def test_a_transfer_in_transit_is_out_of_the_sender_and_not_yet_in_the_receiver(book, clerk_b):
    sh3 = book.world.sh3
    receiving = read(book, sh3)
    assert receiving.line_count == 0
    assert receiving.opening == receiving.closing == []
    assert all(day.quiet for day in receiving.days)
    received = transfer_receive(
        transfer=book.transfer,
        lines=[Movement(book.ball.pk, sh3.pk, 40)],
        occurred_on=ago(0),
        posted_by=clerk_b,
    )
    receiving = read(book, sh3)
    entry = receiving.days[-1].lots[0].entries[0]
    assert (entry.document_number, entry.kind, entry.quantity) == (
        received.number,
        "transfer_receipt",
        40,
    )
    assert book.world.depot_a.code in entry.counterparty  # the sending depot
    assert receiving.closing[0][1] == 40


def test_the_book_is_frozen_at_its_cutoff(book, clerk):
    before_reversal = book.reversal.posted_at - timedelta(microseconds=1)
    result = read(book, cutoff=before_reversal)
    assert result.days[-1].quiet
    assert {lot.lot_number: q for lot, q in result.closing}["BALL-1"] == 710
    # A receipt backdated into the opening, posted after the cut-off, changes nothing either.
    cutoff = timezone.now()
    receipt_post(
        depot=book.world.depot_a,
        lines=[Movement(book.ball.pk, book.world.sh1.pk, 5)],
        occurred_on=ago(20),
        posted_by=clerk,
    )
    assert read(book, cutoff=cutoff).opening[0][1] == 1000
    assert read(book).opening[0][1] == 1005


def test_the_other_storehouse_of_a_move_has_its_own_book(book):
    sh2 = read(book, book.world.sh2)
    entries = [e for day in sh2.days for lot in day.lots for e in lot.entries]
    assert [(e.quantity, e.counterparty) for e in entries] == [(50, "from storehouse SH1")]
    assert sh2.divisions == ["1.4"]


def test_a_fixed_number_of_queries_whatever_the_range(book, django_assert_num_queries):
    with django_assert_num_queries(2):
        one = read(book, start=ago(0), end=ago(0))
    with django_assert_num_queries(2):
        many = read(book, start=ago(30), end=ago(0))
    assert len(one.days) == 1
    assert len(many.days) == 31
    assert many.line_count == 8
    assert one.line_count == 1
