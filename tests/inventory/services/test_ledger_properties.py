"""Property: any sequence of postings and reversals keeps every ledger invariant (DESIGN.md §7)."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import ApplicationError
from inventory.models import Balance, Document, LedgerLine
from inventory.selectors.ledger import balance_drift
from inventory.services.posting import (
    MoveLine,
    Movement,
    issue_post,
    move_post,
    receipt_post,
)
from inventory.services.reversals import document_reverse

operations = st.lists(
    st.one_of(
        st.tuples(st.just("receipt"), st.integers(0, 1), st.integers(0, 1), st.integers(1, 40)),
        st.tuples(st.just("issue"), st.integers(0, 1), st.integers(0, 1), st.integers(1, 40)),
        st.tuples(st.just("move"), st.integers(0, 1), st.integers(0, 1), st.integers(1, 40)),
        st.tuples(st.just("reverse"), st.integers(0, 30), st.just(0), st.just(0)),
    ),
    min_size=1,
    max_size=12,
)


def check_invariants():
    assert not Balance.objects.filter(quantity__lt=0).exists()
    assert not LedgerLine.objects.filter(quantity=0).exists()
    assert balance_drift() == []
    for depot_id in set(LedgerLine.objects.values_list("depot_id", flat=True)):
        lines = list(LedgerLine.objects.filter(depot_id=depot_id).order_by("id"))
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(lines))
    reversed_ids = list(Document.objects.exclude(reverses=None).values_list("reverses", flat=True))
    assert len(reversed_ids) == len(set(reversed_ids))
    for reversal in Document.objects.filter(kind="reversal"):
        original = {(x.lot_id, x.storehouse_id, x.quantity) for x in reversal.reverses.lines.all()}
        opposite = {(x.lot_id, x.storehouse_id, -x.quantity) for x in reversal.lines.all()}
        assert original == opposite


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_postings_and_reversals_keep_the_invariants(world, clerk, steps):
    storehouses = [world.sh1, world.sh2]
    today = timezone.localdate()
    with transaction.atomic():  # each example starts from the same world: roll it back after
        lots = [world.lot(world.ball, "P-1"), world.lot(world.ball, "P-2")]
        for kind, a, b, quantity in steps:
            lot, storehouse = lots[a % 2], storehouses[b]
            try:
                if kind == "receipt":
                    receipt_post(
                        depot=world.depot_a,
                        lines=[Movement(lot.pk, storehouse.pk, quantity)],
                        occurred_on=today,
                        posted_by=clerk,
                    )
                elif kind == "issue":
                    issue_post(
                        depot=world.depot_a,
                        lines=[Movement(lot.pk, storehouse.pk, quantity)],
                        recipient=world.unit,
                        occurred_on=today,
                        posted_by=clerk,
                    )
                elif kind == "move":
                    move_post(
                        depot=world.depot_a,
                        lines=[MoveLine(lot.pk, storehouse.pk, storehouses[1 - b].pk, quantity)],
                        occurred_on=today,
                        posted_by=clerk,
                    )
                else:
                    documents = list(Document.objects.order_by("id"))
                    if documents:
                        document = documents[a % len(documents)]
                        document_reverse(document=document, reason="property", posted_by=clerk)
            except (ApplicationError, ValidationError):
                pass  # a refusal must leave the invariants intact too
            check_invariants()
        transaction.set_rollback(True)
