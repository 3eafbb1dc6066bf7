"""The posting path's statements: an outgoing posting locks and lowers balances with one UPDATE,
reads policy in one query inside its transaction, and costs a fixed number of queries."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory.chain import line_hash
from inventory.errors import InsufficientStock, LotNotIssuable, PeriodClosed
from inventory.models import (
    Balance,
    ChainHead,
    ClosedPeriod,
    ConditionCode,
    Document,
    LedgerLine,
    PolicySetting,
)
from inventory.services.posting import Movement, issue_post

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def snapshot():
    return (
        Document.objects.count(),
        LedgerLine.objects.count(),
        sorted(Balance.objects.values_list("lot_id", "storehouse_id", "quantity")),
        list(ChainHead.objects.values_list("depot_id", "last_hash", "line_count")),
    )


def issue(world, clerk, lines, **kwargs):
    return issue_post(
        depot=world.depot_a,
        lines=lines,
        recipient=world.unit,
        occurred_on=kwargs.pop("occurred_on", TODAY()),
        posted_by=clerk,
        purpose="training",
        **kwargs,
    )


@pytest.fixture
def two_lots(world, clerk):
    first, second = world.lot(world.ball, "L-1"), world.lot(world.ball, "L-2")
    world.stock(clerk, first, world.sh1, 10)
    world.stock(clerk, second, world.sh2, 5)
    return first, second


def test_multi_line_issue_lowers_every_balance_and_chains_its_lines(world, clerk, two_lots):
    first, second = two_lots
    head = ChainHead.objects.get(depot=world.depot_a)
    document = issue(
        world,
        clerk,
        [
            Movement(first.pk, world.sh1.pk, 3),
            Movement(second.pk, world.sh2.pk, 5),
            Movement(first.pk, world.sh1.pk, 2),
        ],
    )
    balances = dict(Balance.objects.values_list("lot_id", "quantity"))
    assert balances == {first.pk: 5, second.pk: 0}
    lines = list(document.lines.order_by("id"))
    assert [(line.quantity, line.balance_after) for line in lines] == [(-3, 7), (-5, 0), (-2, 5)]
    prev_hash = head.last_hash
    for line in lines:
        assert line.prev_hash == prev_hash
        assert line.hash == line_hash(
            document_number=document.number,
            kind="issue",
            occurred_on=line.occurred_on,
            posted_at=line.posted_at,
            poster_id=clerk.pk,
            lot_id=line.lot_id,
            storehouse_id=line.storehouse_id,
            quantity=line.quantity,
            prev_hash=prev_hash,
        )
        prev_hash = line.hash
    head.refresh_from_db()
    assert (head.last_hash, head.line_count) == (prev_hash, 5)


def test_one_short_line_refuses_the_whole_issue(world, clerk, two_lots):
    first, second = two_lots
    before = snapshot()
    with pytest.raises(InsufficientStock) as refused:
        issue(
            world,
            clerk,
            [Movement(first.pk, world.sh1.pk, 3), Movement(second.pk, world.sh2.pk, 6)],
        )
    assert refused.value.extra["available"] == 5
    assert refused.value.extra["storehouse"] == world.sh2.code
    assert snapshot() == before


def test_lot_never_held_in_the_storehouse_has_none_on_hand(world, clerk, two_lots):
    first, _second = two_lots
    before = snapshot()
    with pytest.raises(InsufficientStock) as refused:
        issue(world, clerk, [Movement(first.pk, world.sh2.pk, 1)])
    assert refused.value.extra["available"] == 0
    assert snapshot() == before


def test_storehouse_of_another_depot_is_refused_before_stock(world, clerk, clerk_b, two_lots):
    first, _second = two_lots
    world.stock(clerk_b, first, world.sh3, 50)
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        issue(world, clerk, [Movement(first.pk, world.sh3.pk, 1)])
    assert "lines" in refused.value.message_dict
    assert snapshot() == before


def test_policy_edits_are_seen_by_the_next_posting(world, clerk, two_lots):
    first, _second = two_lots
    eight_days_ago = TODAY() - timedelta(days=8)
    issue(world, clerk, [Movement(first.pk, world.sh1.pk, 1)], occurred_on=eight_days_ago)
    PolicySetting.objects.update_or_create(key="backdate_days", defaults={"value": 7})
    with pytest.raises(ValidationError):
        issue(world, clerk, [Movement(first.pk, world.sh1.pk, 1)], occurred_on=eight_days_ago)
    ClosedPeriod.objects.create(
        depot=world.depot_a, starts_on=TODAY(), ends_on=TODAY(), closed_by=clerk
    )
    with pytest.raises(PeriodClosed):
        issue(world, clerk, [Movement(first.pk, world.sh1.pk, 1)])
    ClosedPeriod.objects.all().delete()
    issue(world, clerk, [Movement(first.pk, world.sh1.pk, 1)])
    ConditionCode.objects.filter(code=first.condition_id).update(availability="suspended")
    with pytest.raises(LotNotIssuable):
        issue(world, clerk, [Movement(first.pk, world.sh1.pk, 1)])
    assert Balance.objects.get(lot=first).quantity == 8


def _queries(world, clerk, lines):
    with CaptureQueriesContext(connection) as captured:
        issue(world, clerk, lines)
    return [query["sql"] for query in captured.captured_queries]


def test_an_issue_costs_a_fixed_number_of_queries(world, clerk, two_lots):
    first, second = two_lots
    clerk.depot_ids  # noqa: B018 -- read once per request, as a view would have
    one_line = _queries(world, clerk, [Movement(first.pk, world.sh1.pk, 1)])
    # savepoint, the lots' share lock, policy with bans, counter, document with the chain head's
    # lock, balances, lines with the chain head's move, release: no storehouse lock, no re-read
    # of what the posting wrote.
    assert len(one_line) == 8, "\n".join(one_line)
    assert not any("inventory_storehouse" in sql for sql in one_line)
    for number in range(10):
        world.stock(clerk, first, world.sh1, number + 1)
    assert len(_queries(world, clerk, [Movement(first.pk, world.sh1.pk, 1)])) == len(one_line)
    two_lines = [Movement(first.pk, world.sh1.pk, 1), Movement(second.pk, world.sh2.pk, 1)]
    assert len(_queries(world, clerk, two_lines)) == len(one_line)
