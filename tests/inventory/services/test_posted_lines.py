"""A posting returns its document with the lines it wrote (Document.posted_lines), the typed value
the API renders instead of reading the document back; a document read back has none."""

import pytest
from django.utils import timezone

from inventory.models import Document, LedgerLine
from inventory.services.posting import Movement, adjustment_create, issue_post
from inventory.services.reversals import document_reverse

pytestmark = pytest.mark.django_db


def _rows(lines):
    return [
        (line.pk, line.document_id, line.lot_id, line.storehouse_id, line.quantity, line.hash)
        for line in lines
    ]


def test_a_posting_returns_the_lines_it_wrote(world, clerk):
    lot = world.lot(world.ball, "762-A")
    receipt = world.stock(clerk, lot, world.sh1, 100)
    issue = issue_post(
        depot=world.depot_a,
        lines=[Movement(lot.pk, world.sh1.pk, 3), Movement(lot.pk, world.sh1.pk, 4)],
        recipient=world.unit,
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    )
    reversal = document_reverse(document=issue, reason="typo", posted_by=clerk)
    for document in (receipt, issue, reversal):
        assert isinstance(document.posted_lines, tuple)
        assert _rows(document.posted_lines) == _rows(
            LedgerLine.objects.filter(document=document).order_by("id")
        )
    assert [line.quantity for line in issue.posted_lines] == [-3, -4]
    assert Document.objects.get(pk=issue.pk).posted_lines is None


def test_a_pending_adjustment_has_no_posted_lines(world, clerk):
    lot = world.lot(world.ball, "762-A")
    world.stock(clerk, lot, world.sh1, 10)
    adjustment = adjustment_create(
        depot=world.depot_a,
        lines=[Movement(lot.pk, world.sh1.pk, -1)],
        reason="count_variance",
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    )
    assert adjustment.posted_lines is None
