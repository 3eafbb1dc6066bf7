"""A depot with a known history to report on, and helpers to read the PDFs back.

Depot A, period = the last 20 days (today - 20 .. today):
- BALL-1 (762-BALL) in SH1: 1,000 received before the period (opening); in the period 200
  issued to 1st Brigade, 500 received, 40 dispatched to depot B → closing 1,260.
- TNT-1 (TNT-200) in SH1: 100 received in the period, 30 issued → opening 0, closing 70.
- BALL-2 (762-BALL) in SH2: 50 received before the period, no movement → 50.
Depot B receives 77 of BALL-1 in SH3 in the period (never on depot A's statement).
"""

import io
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from inventory.models import Document, Lot
from inventory.services.posting import Movement, issue_post, receipt_post, transfer_dispatch
from tests.inventory.ledger_world import World


@dataclass
class History:
    world: World
    ball1: Lot
    tnt1: Lot
    ball2: Lot
    start: date
    end: date
    issue: Document  # the 200 of BALL-1

    def parameters(self) -> dict:
        return {
            "depot": self.world.depot_a.pk,
            "period_start": self.start.isoformat(),
            "period_end": self.end.isoformat(),
        }


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def history(world, clerk, clerk_b, media) -> History:
    today = timezone.localdate()
    a, b = world.depot_a, world.depot_b
    ball1 = world.lot(world.ball, "BALL-1")
    tnt1 = world.lot(world.tnt, "TNT-1")
    ball2 = world.lot(world.ball, "BALL-2")

    def receive(lot, storehouse, quantity, days_ago, user=clerk, counterparty="Factory"):
        return receipt_post(
            depot=storehouse.depot,
            lines=[Movement(lot.pk, storehouse.pk, quantity)],
            occurred_on=today - timedelta(days=days_ago),
            posted_by=user,
            counterparty=counterparty,
        )

    receive(ball1, world.sh1, 1000, 25)
    receive(ball2, world.sh2, 50, 28)
    receive(tnt1, world.sh1, 100, 15)
    issue = issue_post(
        depot=a,
        lines=[Movement(ball1.pk, world.sh1.pk, 200)],
        recipient=world.unit,
        occurred_on=today - timedelta(days=10),
        posted_by=clerk,
    )
    receive(ball1, world.sh1, 500, 5, counterparty="Arsenal <North> & Co")
    issue_post(
        depot=a,
        lines=[Movement(tnt1.pk, world.sh1.pk, 30)],
        recipient=world.unit,
        occurred_on=today - timedelta(days=3),
        posted_by=clerk,
    )
    transfer_dispatch(
        depot=a,
        destination_depot=b,
        lines=[Movement(ball1.pk, world.sh1.pk, 40)],
        occurred_on=today - timedelta(days=2),
        posted_by=clerk,
    )
    receive(ball1, world.sh3, 77, 5, user=clerk_b)
    return History(world, ball1, tnt1, ball2, today - timedelta(days=20), today, issue)


def pdf_reader(run) -> PdfReader:
    with run.file.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def pdf_text(run) -> str:
    return "\n".join(page.extract_text() for page in pdf_reader(run).pages)
