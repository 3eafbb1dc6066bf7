"""Stock checks through the services: the full cycle, live counting, freezing, samples."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import SelfApproval
from inventory.errors import DepotFrozen, InvalidState
from inventory.models import Balance, DepotFreeze, Document, Incident, IncidentKind
from inventory.models.ledger import DocumentKind, DocumentStatus
from inventory.selectors.ledger import balance_drift
from inventory.services import posting
from stockchecks import services
from stockchecks.models import Count, StockCheck, StockCheckLine, StockCheckStatus

pytestmark = pytest.mark.django_db


def _balance(lot, storehouse):
    row = Balance.objects.filter(lot=lot, storehouse=storehouse).first()
    return row.quantity if row else 0


def _line(check, lot, storehouse):
    return StockCheckLine.objects.get(stock_check=check, lot=lot, storehouse=storehouse)


def _issue(stocked, user, lot, storehouse, quantity):
    return posting.issue_post(
        depot=storehouse.depot,
        lines=[posting.Movement(lot.pk, storehouse.pk, quantity)],
        recipient=stocked.world.unit,
        occurred_on=timezone.localdate(),
        posted_by=user,
        purpose="Training",
    )


def _planned_and_started(stocked, clerk, **plan):
    check = services.stock_check_plan(
        depot=stocked.world.depot_a, planned_by=clerk, kind=plan.pop("kind", "full"), **plan
    )
    return services.stock_check_start(stock_check=check, started_by=clerk)


def test_full_check_with_variances_recount_approval_and_adjustments(
    stocked, clerk, clerk2, inspector
):
    w = stocked.world
    check = _planned_and_started(stocked, clerk)
    assert check.status == StockCheckStatus.COUNTING
    books = {(li.lot_id, li.storehouse_id): li.book_at_start for li in check.lines.all()}
    assert books == {
        (stocked.l1.pk, w.sh2.pk): 100,
        (stocked.l2.pk, w.sh2.pk): 50,
        (stocked.t1.pk, w.sh1.pk): 20,
    }
    count = services.stock_check_count
    count(stock_check=check, counted_by=clerk2, lot=stocked.l1, storehouse=w.sh2, quantity=98)
    count(stock_check=check, counted_by=clerk2, lot=stocked.l2, storehouse=w.sh2, quantity=50)
    count(stock_check=check, counted_by=clerk2, lot=stocked.t1, storehouse=w.sh1, quantity=20)
    # Stock found that is not on the book: a new extra line.
    found = w.lot(w.ball, "BALL-FOUND")
    line = count(stock_check=check, counted_by=clerk2, lot=found, storehouse=w.sh2, quantity=5)
    assert line.extra
    assert line.book_at_start == 0
    services.stock_check_submit(stock_check=check, submitted_by=clerk)
    # The inspector sends BALL-1 back for a recount.
    l1_line = _line(check, stocked.l1, w.sh2)
    services.stock_check_reject(
        stock_check=check, rejected_by=inspector, note="Recount BALL-1", recount=[l1_line.pk]
    )
    with pytest.raises(InvalidState):  # a line sent back must be counted again first
        services.stock_check_submit(stock_check=check, submitted_by=clerk)
    count(
        stock_check=check,
        counted_by=clerk2,
        lot=stocked.l1,
        storehouse=w.sh2,
        quantity=97,
        note="Box 4 short three rounds",
    )
    l1_line.refresh_from_db()
    assert l1_line.counted_quantity == 97
    assert l1_line.counts == 2
    assert list(l1_line.history.values_list("quantity", flat=True)) == [98, 97]
    services.stock_check_submit(stock_check=check, submitted_by=clerk)
    check = services.stock_check_approve(stock_check=check, approved_by=inspector)

    assert check.status == StockCheckStatus.APPROVED
    assert _balance(stocked.l1, w.sh2) == 97
    assert _balance(stocked.l2, w.sh2) == 50
    assert _balance(stocked.t1, w.sh1) == 20
    assert _balance(found, w.sh2) == 5
    assert balance_drift() == []
    (adjustment,) = check.adjustments.all()
    assert adjustment.kind == DocumentKind.ADJUSTMENT
    assert adjustment.status == DocumentStatus.POSTED
    assert adjustment.reason == "count_variance"
    assert (adjustment.posted_by, adjustment.approved_by) == (clerk, inspector)
    assert sorted(adjustment.lines.values_list("quantity", flat=True)) == [-3, 5]
    assert (check.lines_counted, check.lines_correct) == (4, 2)
    assert (check.units_variance, check.units_variance_abs) == (2, 8)
    assert check.neq_variance_kg == Decimal("0.006")  # 2 x 0.003 kg
    assert check.accuracy_pct == 50.0
    (incident,) = Incident.objects.all()
    assert incident.kind == IncidentKind.COUNT_VARIANCE
    assert incident.stock_check_id == check.pk
    assert incident.units_lost == 3
    assert list(incident.documents.all()) == [adjustment]


def test_a_reason_code_per_line_gives_one_adjustment_per_reason(stocked, clerk, inspector):
    w = stocked.world
    check = _planned_and_started(stocked, clerk)
    count = services.stock_check_count
    count(stock_check=check, counted_by=clerk, lot=stocked.l1, storehouse=w.sh2, quantity=90)
    count(stock_check=check, counted_by=clerk, lot=stocked.l2, storehouse=w.sh2, quantity=49)
    count(stock_check=check, counted_by=clerk, lot=stocked.t1, storehouse=w.sh1, quantity=20)
    services.stock_check_line_annotate(
        line=_line(check, stocked.l1, w.sh2), user=inspector, reason="stolen", note="Lock forced"
    )
    services.stock_check_submit(stock_check=check, submitted_by=clerk)
    check = services.stock_check_approve(stock_check=check, approved_by=inspector)
    reasons = {
        doc.reason: list(doc.lines.values_list("quantity", flat=True))
        for doc in check.adjustments.all()
    }
    assert reasons == {"stolen": [-10], "count_variance": [-1]}
    # One incident for the check's losses; the stolen adjustment does not open a second one.
    (incident,) = Incident.objects.all()
    assert incident.units_lost == 11
    assert incident.documents.count() == 2


def test_movements_during_a_live_check_are_accounted_for_not_absorbed(
    stocked, clerk, clerk2, inspector
):
    w = stocked.world
    check = _planned_and_started(stocked, clerk, storehouse=w.sh2)
    assert check.lines.count() == 2  # SH2 only
    _issue(stocked, clerk, stocked.l1, w.sh2, 10)  # during the check, before the count
    line = services.stock_check_count(
        stock_check=check, counted_by=clerk2, lot=stocked.l1, storehouse=w.sh2, quantity=88
    )
    assert (line.book_at_start, line.movements, line.expected, line.variance) == (100, -10, 90, -2)
    services.stock_check_count(
        stock_check=check, counted_by=clerk2, lot=stocked.l2, storehouse=w.sh2, quantity=50
    )
    _issue(stocked, clerk, stocked.l1, w.sh2, 5)  # after the count: the shelf and book both move
    services.stock_check_submit(stock_check=check, submitted_by=clerk)
    services.stock_check_approve(stock_check=check, approved_by=inspector)
    assert _balance(stocked.l1, w.sh2) == 83  # 100 - 10 - 5 - 2 missing
    assert _balance(stocked.l2, w.sh2) == 50
    assert balance_drift() == []


def test_a_frozen_depot_refuses_postings_and_thaws_on_approval(stocked, clerk, clerk_b, inspector):
    w = stocked.world
    pending = posting.adjustment_create(
        depot=w.depot_a,
        lines=[posting.Movement(stocked.l2.pk, w.sh2.pk, -1)],
        reason="damaged",
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    )
    check = _planned_and_started(stocked, clerk, freeze_depot=True)
    documents = Document.objects.count()
    with pytest.raises(DepotFrozen) as refused:
        _issue(stocked, clerk, stocked.l1, w.sh2, 1)
    assert check.number in refused.value.message
    assert refused.value.code == "depot_frozen"
    with pytest.raises(DepotFrozen):
        w.stock(clerk, stocked.l1, w.sh2, 1)
    with pytest.raises(DepotFrozen):
        posting.adjustment_approve(document=pending, approved_by=inspector)
    assert Document.objects.count() == documents
    # Another depot is not frozen.
    other = w.lot(w.ball, "BALL-B")
    w.stock(clerk_b, other, w.sh3, 10)
    for line in check.lines.all():
        services.stock_check_count(
            stock_check=check,
            counted_by=clerk,
            lot=line.lot,
            storehouse=line.storehouse,
            quantity=line.book_at_start,
        )
    services.stock_check_submit(stock_check=check, submitted_by=clerk)
    services.stock_check_approve(stock_check=check, approved_by=inspector)
    check.refresh_from_db()
    assert not check.frozen
    assert not DepotFreeze.objects.exists()
    assert check.adjustments.count() == 0
    _issue(stocked, clerk, stocked.l1, w.sh2, 1)
    assert _balance(stocked.l1, w.sh2) == 99


def test_cancelling_a_frozen_check_thaws_the_depot(stocked, clerk):
    check = _planned_and_started(stocked, clerk, freeze_depot=True)
    with pytest.raises(DepotFrozen):
        _issue(stocked, clerk, stocked.l1, stocked.world.sh2, 1)
    services.stock_check_cancel(stock_check=check, cancelled_by=clerk)
    _issue(stocked, clerk, stocked.l1, stocked.world.sh2, 1)
    assert _balance(stocked.l1, stocked.world.sh2) == 99


def test_one_freeze_per_depot(stocked, clerk):
    first = _planned_and_started(stocked, clerk, freeze_depot=True)
    second = services.stock_check_plan(
        depot=stocked.world.depot_a, planned_by=clerk, kind="full", freeze_depot=True
    )
    with pytest.raises(InvalidState) as refused:
        services.stock_check_start(stock_check=second, started_by=clerk)
    assert first.number in refused.value.message
    second.refresh_from_db()
    assert (second.status, second.frozen, second.lines.count()) == ("planned", False, 0)
    assert list(DepotFreeze.objects.values_list("depot", "reference")) == [
        (stocked.world.depot_a.pk, first.number)
    ]


def test_the_freeze_is_inventorys_record_set_and_cleared_by_the_check(stocked, clerk):
    """Postings read the freeze from inventory's table (LAYERS.md), never the check's."""
    unfrozen = _planned_and_started(stocked, clerk)
    assert not DepotFreeze.objects.exists()
    services.stock_check_cancel(stock_check=unfrozen, cancelled_by=clerk)
    check = _planned_and_started(stocked, clerk, freeze_depot=True)
    freeze = DepotFreeze.objects.get()
    assert (freeze.depot, freeze.reference) == (stocked.world.depot_a, check.number)
    services.stock_check_cancel(stock_check=check, cancelled_by=clerk)
    assert not DepotFreeze.objects.exists()


def test_self_approval_refused_for_planner_counter_and_submitter(
    stocked, clerk, admin_user, inspector
):
    w = stocked.world
    check = services.stock_check_plan(depot=w.depot_a, planned_by=admin_user, kind="full")
    services.stock_check_start(stock_check=check, started_by=clerk)
    for line in check.lines.all():
        services.stock_check_count(
            stock_check=check,
            counted_by=clerk,
            lot=line.lot,
            storehouse=line.storehouse,
            quantity=1,
        )
    services.stock_check_submit(stock_check=check, submitted_by=clerk)
    with pytest.raises(SelfApproval):  # the planner
        services.stock_check_approve(stock_check=check, approved_by=admin_user)
    with pytest.raises(SelfApproval):
        services.stock_check_reject(stock_check=check, rejected_by=admin_user, note="No")
    assert Document.objects.filter(kind=DocumentKind.ADJUSTMENT).count() == 0
    check.refresh_from_db()
    assert check.status == StockCheckStatus.SUBMITTED

    # A counter may not approve either, even as an administrator.
    other = services.stock_check_plan(depot=w.depot_a, planned_by=clerk, kind="full")
    services.stock_check_start(stock_check=other, started_by=clerk)
    for line in other.lines.all():
        services.stock_check_count(
            stock_check=other, counted_by=admin_user, lot=line.lot, storehouse=line.storehouse,
            quantity=line.book_at_start,
        )  # fmt: skip
    services.stock_check_submit(stock_check=other, submitted_by=clerk)
    with pytest.raises(SelfApproval):
        services.stock_check_approve(stock_check=other, approved_by=admin_user)
    services.stock_check_approve(stock_check=other, approved_by=inspector)


def test_the_database_keeps_the_two_person_rule(stocked, clerk, clerk2, inspector):
    from django.db import IntegrityError, transaction

    check = _planned_and_started(stocked, clerk)
    line = check.lines.first()
    services.stock_check_count(
        stock_check=check, counted_by=clerk2, lot=line.lot, storehouse=line.storehouse, quantity=1
    )
    rows = StockCheck.objects.filter(pk=check.pk)
    with pytest.raises(IntegrityError, match="stockcheck_two_person_rule"), transaction.atomic():
        rows.update(approved_by=clerk)  # the planner
    other = services.stock_check_plan(depot=stocked.world.depot_a, planned_by=clerk2, kind="full")
    services.stock_check_start(stock_check=other, started_by=clerk)
    line = other.lines.first()
    services.stock_check_count(
        stock_check=other, counted_by=clerk, lot=line.lot, storehouse=line.storehouse, quantity=1
    )
    with pytest.raises(IntegrityError, match="approver counted"), transaction.atomic():
        StockCheck.objects.filter(pk=other.pk).update(approved_by=clerk)  # a counter
    StockCheck.objects.filter(pk=other.pk).update(approved_by=None)
    StockCheck.objects.filter(pk=check.pk).update(approved_by=inspector)
    with pytest.raises(IntegrityError, match="may not count"), transaction.atomic():
        Count.objects.create(
            stock_check=check, line=check.lines.first(), quantity=1, counted_by=inspector,
            counted_at=timezone.now(),
        )  # fmt: skip


def test_a_sample_is_reproducible_from_its_seed(world, clerk):
    lots = [world.lot(world.ball, f"S-{n:02d}") for n in range(12)]
    for lot in lots:
        world.stock(clerk, lot, world.sh2, 10)
    first = _planned_and_started_sample(world, clerk, seed=4242)
    second = _planned_and_started_sample(world, clerk, seed=4242)
    pairs = lambda check: sorted(check.lines.values_list("lot_id", "storehouse_id"))  # noqa: E731
    assert len(pairs(first)) == 4
    assert pairs(first) == pairs(second)
    assert first.population == 12
    assert first.seed == 4242
    candidates = sorted(
        Balance.objects.filter(depot=world.depot_a, quantity__gt=0).values_list(
            "lot_id", "storehouse_id"
        )
    )
    assert services.sample_select(candidates, 4, 4242) == pairs(first)
    assert services.sample_select(list(reversed(candidates)), 4, 4242) == pairs(first)
    drawn = {tuple(services.sample_select(candidates, 4, seed)) for seed in range(20)}
    assert len(drawn) > 1  # the seed does choose
    unseeded = services.stock_check_plan(
        depot=world.depot_a, planned_by=clerk, kind="sample", sample_size=3
    )
    assert unseeded.seed is not None


def _planned_and_started_sample(world, clerk, seed):
    check = services.stock_check_plan(
        depot=world.depot_a, planned_by=clerk, kind="sample", sample_size=4, seed=seed
    )
    return services.stock_check_start(stock_check=check, started_by=clerk)


@pytest.mark.parametrize(
    "plan",
    [
        {"kind": "sample"},
        {"kind": "sample", "sample_size": 0},
        {"kind": "full", "sample_size": 3},
        {"kind": "sample", "sample_size": 3, "freeze_depot": True},
        {"kind": "bogus"},
    ],
)
def test_bad_plans_are_refused_and_nothing_written(world, clerk, plan):
    with pytest.raises(ValidationError):
        services.stock_check_plan(depot=world.depot_a, planned_by=clerk, **plan)
    assert StockCheck.objects.count() == 0


def test_counts_are_refused_outside_counting_and_for_other_storehouses(stocked, clerk):
    w = stocked.world
    check = services.stock_check_plan(
        depot=w.depot_a, planned_by=clerk, kind="full", storehouse=w.sh2
    )
    with pytest.raises(InvalidState):
        services.stock_check_count(
            stock_check=check, counted_by=clerk, lot=stocked.l1, storehouse=w.sh2, quantity=1
        )
    services.stock_check_start(stock_check=check, started_by=clerk)
    with pytest.raises(ValidationError):
        services.stock_check_count(
            stock_check=check, counted_by=clerk, lot=stocked.t1, storehouse=w.sh1, quantity=1
        )
    with pytest.raises(ValidationError):
        services.stock_check_count(
            stock_check=check, counted_by=clerk, lot=stocked.l1, storehouse=w.sh2, quantity=-1
        )
    assert Count.objects.count() == 0


def test_the_freeze_costs_a_posting_no_extra_query(stocked, clerk):
    """The frozen check is read by the one policy query every posting already makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _issue(stocked, clerk, stocked.l1, stocked.world.sh2, 1)
    reads = [q["sql"] for q in captured.captured_queries if "inventory_depotfreeze" in q["sql"]]
    assert len(reads) == 1
    assert "inventory_policysetting" in reads[0]
    assert "inventory_closedperiod" in reads[0]


def test_approving_a_frozen_check_thaws_the_depot_before_posting_its_variances(
    stocked, clerk, inspector
):
    w = stocked.world
    check = _planned_and_started(stocked, clerk, freeze_depot=True, storehouse=w.sh1)
    services.stock_check_count(
        stock_check=check, counted_by=clerk, lot=stocked.t1, storehouse=w.sh1, quantity=18
    )
    services.stock_check_submit(stock_check=check, submitted_by=clerk)
    check = services.stock_check_approve(stock_check=check, approved_by=inspector)
    assert not check.frozen
    assert _balance(stocked.t1, w.sh1) == 18
    assert check.neq_variance_kg == Decimal("-0.4")  # 2 x 0.2 kg of TNT
