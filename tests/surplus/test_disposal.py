"""Disposal plans: only surplus or unserviceable stock, never more than held, approved by another
officer, executed by posting disposal documents that reduce stock; sale, gift and transfer wait
for the diversion-control transfer cases."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import SelfApproval
from inventory.models import Balance, Document
from inventory.models.ledger import DocumentKind
from surplus.errors import ExceedsPlan, InvalidPlanState, NotDisposable, TransferCaseRequired
from surplus.models import DisposalExecution, DisposalPlan, PlanStatus
from surplus.services import (
    ExecutionLineInput,
    PlanLineInput,
    disposal_execute,
    disposal_plan_approve,
    disposal_plan_close,
    disposal_plan_create,
    requirement_set,
)

pytestmark = pytest.mark.django_db
WITNESSES = [{"name": "Capt. Mensah", "position": "ATO"}]


def plan_for(world, officer, lot, quantity, *, method="open_detonation", storehouse=None):
    from django.utils import timezone

    today = timezone.localdate()
    return disposal_plan_create(
        depot=world.depot_a,
        method=method,
        site="Range 4",
        scheduled_from=today,
        scheduled_until=today + timedelta(days=30),
        lines=[PlanLineInput(lot.pk, (storehouse or world.sh1).pk, quantity)],
        created_by=officer,
    )


def set_requirement(world, officer, total):
    from django.utils import timezone

    requirement_set(
        ammunition_type=world.ball,
        effective_from=timezone.localdate(),
        operational=total,
        training_per_year=0,
        training_years=0,
        testing=0,
        contingency=0,
        approval_reference="R-1",
        set_by=officer,
    )


def test_unserviceable_stock_can_be_planned(world, stock, officer):
    lot = stock(40, condition="H")
    plan = plan_for(world, officer, lot, 40)
    assert plan.status == PlanStatus.DRAFT
    assert plan.lines.get().quantity == 40


def test_serviceable_stock_within_requirement_cannot_be_planned(world, stock, officer):
    set_requirement(world, officer, 100)
    lot = stock(100)
    with pytest.raises(NotDisposable):
        plan_for(world, officer, lot, 1)
    assert DisposalPlan.objects.count() == 0


def test_serviceable_stock_up_to_the_excess(world, stock, officer):
    set_requirement(world, officer, 70)
    lot = stock(100)
    plan_for(world, officer, lot, 30)
    with pytest.raises(NotDisposable):  # the 30 of excess are already planned
        plan_for(world, officer, lot, 1)


def test_suspended_stock_cannot_be_planned(world, stock, officer):
    lot = stock(10, condition="D")
    with pytest.raises(NotDisposable):
        plan_for(world, officer, lot, 5)


def test_cannot_plan_more_than_held(world, stock, officer):
    lot = stock(40, condition="H")
    with pytest.raises(NotDisposable, match="cannot dispose of more than is held"):
        plan_for(world, officer, lot, 41)
    with pytest.raises(NotDisposable):
        plan_for(world, officer, lot, 5, storehouse=world.sh2)  # held in SH1 only


def test_only_officers_plan(world, stock, clerk, auditor):
    lot = stock(40, condition="H")
    for user in (clerk, auditor):
        with pytest.raises(PermissionDenied):
            plan_for(world, user, lot, 10)


def test_self_approval_refused(world, stock, officer, officer2):
    lot = stock(40, condition="H")
    plan = plan_for(world, officer, lot, 40)
    with pytest.raises(SelfApproval):
        disposal_plan_approve(plan=plan, approved_by=officer)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    approved = disposal_plan_approve(plan=plan, approved_by=officer2, approval_reference="A-1")
    assert (approved.status, approved.approved_by) == (PlanStatus.APPROVED, officer2)
    with pytest.raises(InvalidPlanState):
        disposal_plan_approve(plan=plan, approved_by=officer2)


def test_execution_posts_disposal_and_reduces_stock(world, stock, officer, officer2, clerk):
    lot = stock(40, condition="H")
    plan = plan_for(world, officer, lot, 40)
    disposal_plan_approve(plan=plan, approved_by=officer2)
    line = plan.lines.get()
    from django.utils import timezone

    execution = disposal_execute(
        plan=plan,
        lines=[ExecutionLineInput(line.pk, 25)],
        executed_on=timezone.localdate(),
        witnesses=WITNESSES,
        executed_by=clerk,
    )
    document = execution.document
    assert document.kind == DocumentKind.DISPOSAL
    assert document.reference == plan.number
    assert [(x.lot_id, x.quantity) for x in document.lines.all()] == [(lot.pk, -25)]
    assert Balance.objects.get(lot=lot, storehouse=world.sh1).quantity == 15
    line.refresh_from_db()
    assert (line.executed, line.remaining) == (25, 15)
    # The rest, later; then nothing more.
    disposal_execute(
        plan=plan,
        lines=[ExecutionLineInput(line.pk, 15)],
        executed_on=timezone.localdate(),
        witnesses=WITNESSES,
        executed_by=clerk,
    )
    assert Balance.objects.get(lot=lot, storehouse=world.sh1).quantity == 0
    with pytest.raises(ExceedsPlan):
        disposal_execute(
            plan=plan,
            lines=[ExecutionLineInput(line.pk, 1)],
            executed_on=timezone.localdate(),
            witnesses=WITNESSES,
            executed_by=clerk,
        )
    assert DisposalExecution.objects.count() == 2


def test_execution_refusals_write_nothing(world, stock, officer, officer2, clerk, clerk_b):
    from django.utils import timezone

    lot = stock(40, condition="H")
    plan = plan_for(world, officer, lot, 40)
    line = plan.lines.get()
    kwargs = {
        "lines": [ExecutionLineInput(line.pk, 5)],
        "executed_on": timezone.localdate(),
        "witnesses": WITNESSES,
    }
    with pytest.raises(InvalidPlanState):  # not approved yet
        disposal_execute(plan=plan, executed_by=clerk, **kwargs)
    disposal_plan_approve(plan=plan, approved_by=officer2)
    with pytest.raises(PermissionDenied):  # another depot's clerk
        disposal_execute(plan=plan, executed_by=clerk_b, **kwargs)
    with pytest.raises(PermissionDenied):  # officers plan, clerks execute
        disposal_execute(plan=plan, executed_by=officer, **kwargs)
    with pytest.raises(ValidationError):
        disposal_execute(plan=plan, executed_by=clerk, **{**kwargs, "witnesses": []})
    before = Document.objects.count()
    assert Balance.objects.get(lot=lot, storehouse=world.sh1).quantity == 40
    assert DisposalExecution.objects.count() == 0
    assert Document.objects.count() == before


def test_stock_gone_since_planning_is_insufficient_stock(world, stock, officer, officer2, clerk):
    from django.utils import timezone

    from inventory.errors import InsufficientStock
    from inventory.services.posting import Movement, disposal_post

    lot = stock(40, condition="H")
    plan = plan_for(world, officer, lot, 40)
    disposal_plan_approve(plan=plan, approved_by=officer2)
    disposal_post(
        depot=world.depot_a,
        lines=[Movement(lot.pk, world.sh1.pk, 30)],
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    )
    with pytest.raises(InsufficientStock):
        disposal_execute(
            plan=plan,
            lines=[ExecutionLineInput(plan.lines.get().pk, 40)],
            executed_on=timezone.localdate(),
            witnesses=WITNESSES,
            executed_by=clerk,
        )
    assert DisposalExecution.objects.count() == 0


def test_transfer_methods_drafted_and_approved_not_executed(world, stock, officer, officer2, clerk):
    from django.utils import timezone

    lot = stock(40, condition="H")
    plan = plan_for(world, officer, lot, 40, method="sale")
    disposal_plan_approve(plan=plan, approved_by=officer2)
    with pytest.raises(TransferCaseRequired):
        disposal_execute(
            plan=plan,
            lines=[ExecutionLineInput(plan.lines.get().pk, 5)],
            executed_on=timezone.localdate(),
            witnesses=WITNESSES,
            executed_by=clerk,
        )
    assert Balance.objects.get(lot=lot, storehouse=world.sh1).quantity == 40


def test_closed_plan_frees_its_quantities(world, stock, officer):
    lot = stock(40, condition="H")
    plan = plan_for(world, officer, lot, 40)
    with pytest.raises(NotDisposable):
        plan_for(world, officer, lot, 1)
    disposal_plan_close(plan=plan, closed_by=officer, note="Replanned")
    assert plan_for(world, officer, lot, 40).status == PlanStatus.DRAFT
