"""A storehouse's history to read its daily book from (DESIGN.md §14): see `post_book_history`."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from inventory.models import Document, Lot
from inventory.services.posting import (
    MoveLine,
    Movement,
    issue_post,
    lot_split,
    move_post,
    receipt_post,
    transfer_dispatch,
)
from inventory.services.reversals import document_reverse
from tests.inventory.ledger_world import World


@dataclass
class Book:
    world: World
    ball: Lot
    tnt: Lot
    child: Lot
    today: date
    start: date
    issue: Document
    transfer: Document
    reversal: Document


def ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def post_book_history(world: World, clerk) -> Book:
    """SH1 of depot A, the book from 14 days ago to today:
    - BALL-1 (1.4, 0.003 kg): 1,000 received 25 days ago (before the book);
    - TNT-1 (1.1, 0.2 kg): 100 received 12 days ago;
    - BALL-1: 200 issued 10 days ago; 50 moved to SH2 8 days ago; 40 dispatched to depot B 6
      days ago (in transit); the issue reversed today (+200);
    - TNT-1: 10 split into TNT-1/D (condition D) 5 days ago."""
    a, sh1 = world.depot_a, world.sh1
    ball = world.lot(world.ball, "BALL-1")
    tnt = world.lot(world.tnt, "TNT-1")
    receipt_post(
        depot=a,
        lines=[Movement(ball.pk, sh1.pk, 1000)],
        occurred_on=ago(25),
        posted_by=clerk,
        counterparty="Arsenal",
    )
    receipt_post(
        depot=a,
        lines=[Movement(tnt.pk, sh1.pk, 100)],
        occurred_on=ago(12),
        posted_by=clerk,
        counterparty="=Factory",
    )
    issue = issue_post(
        depot=a,
        lines=[Movement(ball.pk, sh1.pk, 200)],
        recipient=world.unit,
        occurred_on=ago(10),
        posted_by=clerk,
    )
    move_post(
        depot=a,
        lines=[MoveLine(ball.pk, sh1.pk, world.sh2.pk, 50)],
        occurred_on=ago(8),
        posted_by=clerk,
    )
    transfer = transfer_dispatch(
        depot=a,
        destination_depot=world.depot_b,
        lines=[Movement(ball.pk, sh1.pk, 40)],
        occurred_on=ago(6),
        posted_by=clerk,
    )
    child = lot_split(
        lot=tnt,
        quantities={sh1.pk: 10},
        suffix="/D",
        condition="D",
        occurred_on=ago(5),
        posted_by=clerk,
    )
    reversal = document_reverse(document=issue, reason="Wrong recipient", posted_by=clerk)
    return Book(world, ball, tnt, child, ago(0), ago(14), issue, transfer, reversal)
