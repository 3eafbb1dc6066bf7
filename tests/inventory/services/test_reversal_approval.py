"""A reversal that takes stock off the books needs a second person (issue 15): one clerk must not
be able to reverse a receipt and walk away with the stock, as a negative adjustment would need
an inspector's approval."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import ledger_verify
from core.errors import SelfApproval, VettingExpired
from core.roles import Role
from inventory.errors import AlreadyReversed, InsufficientStock, InvalidState
from inventory.models import (
    Balance,
    Document,
    LedgerLine,
    ReversalProposal,
    ReversalProposalStatus,
)
from inventory.models.ledger import DocumentKind
from inventory.services.posting import (
    MoveLine,
    Movement,
    issue_post,
    move_post,
    transfer_dispatch,
    transfer_receive,
)
from inventory.services.reversals import (
    document_reverse,
    reversal_approve,
    reversal_reject,
    reversal_removes_stock,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def qty(lot, storehouse):
    row = Balance.objects.filter(lot=lot, storehouse=storehouse).first()
    return row.quantity if row else 0


def ledger():
    """What a refused request must leave as it was."""
    return (
        Document.objects.count(),
        LedgerLine.objects.count(),
        list(Balance.objects.order_by("id").values_list("quantity", flat=True)),
        list(ReversalProposal.objects.order_by("id").values_list("status", flat=True)),
    )


def _issue(world, clerk, lot, quantity):
    return issue_post(
        depot=world.depot_a,
        lines=[Movement(lot.pk, world.sh1.pk, quantity)],
        recipient=world.unit,
        occurred_on=TODAY(),
        posted_by=clerk,
    )


class TestProposal:
    def test_reversing_a_receipt_is_proposed_and_changes_nothing(self, world, clerk):
        lot = world.lot(world.ball)
        receipt = world.stock(clerk, lot, world.sh1, 100)
        before = ledger()[:3]
        proposal = document_reverse(document=receipt, reason="typed twice", posted_by=clerk)
        assert isinstance(proposal, ReversalProposal)
        assert (proposal.status, proposal.proposed_by, proposal.reason) == (
            "pending_approval",
            clerk,
            "typed twice",
        )
        assert ledger()[:3] == before
        assert qty(lot, world.sh1) == 100
        assert not Document.objects.filter(kind=DocumentKind.REVERSAL).exists()

    def test_reversals_that_give_stock_back_are_posted_at_once(self, world, clerk):
        lot = world.lot(world.ball)
        world.stock(clerk, lot, world.sh1, 100)
        issue = _issue(world, clerk, lot, 30)
        assert not reversal_removes_stock(issue)
        reversal = document_reverse(document=issue, reason="wrong unit", posted_by=clerk)
        assert isinstance(reversal, Document)
        assert (reversal.kind, reversal.reverses_id, reversal.approved_by) == (
            DocumentKind.REVERSAL,
            issue.pk,
            None,
        )
        assert qty(lot, world.sh1) == 100

    def test_a_move_changes_no_quantity_and_is_reversed_at_once(self, world, clerk):
        lot = world.lot(world.ball)
        world.stock(clerk, lot, world.sh1, 100)
        move = move_post(
            depot=world.depot_a,
            lines=[MoveLine(lot.pk, world.sh1.pk, world.sh2.pk, 40)],
            occurred_on=TODAY(),
            posted_by=clerk,
        )
        assert isinstance(document_reverse(document=move, reason="x", posted_by=clerk), Document)
        assert (qty(lot, world.sh1), qty(lot, world.sh2)) == (100, 0)

    def test_a_second_proposal_is_refused_while_one_waits(self, world, clerk):
        receipt = world.stock(clerk, world.lot(world.ball), world.sh1, 10)
        document_reverse(document=receipt, reason="dup", posted_by=clerk)
        before = ledger()
        with pytest.raises(AlreadyReversed, match="awaits approval"):
            document_reverse(document=receipt, reason="again", posted_by=clerk)
        assert ledger() == before

    def test_the_database_holds_one_pending_proposal_per_document(self, world, clerk):
        receipt = world.stock(clerk, world.lot(world.ball), world.sh1, 10)
        document_reverse(document=receipt, reason="dup", posted_by=clerk)
        with pytest.raises(IntegrityError), transaction.atomic():
            ReversalProposal.objects.create(
                document=receipt, reason="sneak", proposed_by=clerk, proposed_at=timezone.now()
            )

    def test_a_proposal_that_could_not_be_posted_is_refused_at_once(self, world, clerk):
        lot = world.lot(world.ball)
        receipt = world.stock(clerk, lot, world.sh1, 100)
        _issue(world, clerk, lot, 60)  # only 40 left: the receipt of 100 cannot be undone
        before = ledger()
        with pytest.raises(InsufficientStock):
            document_reverse(document=receipt, reason="dup", posted_by=clerk)
        assert ledger() == before

    def test_an_inspector_outside_the_depot_may_not_propose(self, world, clerk, depot_b):
        receipt = world.stock(clerk, world.lot(world.ball), world.sh1, 10)
        stranger = UserFactory(roles=[Role.CLERK], depots=[depot_b])
        before = ledger()
        with pytest.raises(PermissionDenied):
            document_reverse(document=receipt, reason="dup", posted_by=stranger)
        assert ledger() == before


class TestApproval:
    def test_an_inspector_approves_and_the_reversal_is_posted(self, world, clerk, inspector):
        lot = world.lot(world.ball)
        receipt = world.stock(clerk, lot, world.sh1, 100)
        proposal = document_reverse(document=receipt, reason="dup", posted_by=clerk)
        proposal = reversal_approve(proposal=proposal, approved_by=inspector)
        reversal = proposal.reversal
        assert (proposal.status, proposal.decided_by) == ("approved", inspector)
        assert (reversal.kind, reversal.reverses_id, reversal.note) == (
            "reversal",
            receipt.pk,
            "dup",
        )
        assert (reversal.posted_by, reversal.approved_by) == (clerk, inspector)
        assert list(reversal.lines.values_list("quantity", flat=True)) == [-100]
        assert qty(lot, world.sh1) == 0
        with pytest.raises(AlreadyReversed):
            document_reverse(document=receipt, reason="again", posted_by=clerk)

    def test_an_approved_reversal_keeps_the_hash_chain_intact(self, world, clerk, inspector):
        """The chain check reads an approved document's lines as the approver's
        (COALESCE(approved_by, posted_by)): the posting must hash them the same way."""
        receipt = world.stock(clerk, world.lot(world.ball), world.sh1, 100)
        proposal = document_reverse(document=receipt, reason="dup", posted_by=clerk)
        reversal_approve(proposal=proposal, approved_by=inspector)
        result = ledger_verify()
        assert result.ok, result.first_broken

    def test_the_proposer_may_not_approve_their_own(self, world, depot_a):
        both = UserFactory(roles=[Role.CLERK, Role.INSPECTOR], depots=[depot_a])
        receipt = world.stock(both, world.lot(world.ball), world.sh1, 10)
        proposal = document_reverse(document=receipt, reason="dup", posted_by=both)
        before = ledger()
        with pytest.raises(SelfApproval):
            reversal_approve(proposal=proposal, approved_by=both)
        with pytest.raises(SelfApproval):
            reversal_reject(proposal=proposal, rejected_by=both)
        assert ledger() == before

    def test_a_clerk_or_an_inspector_of_another_depot_may_not_approve(
        self, world, clerk, depot_a, depot_b
    ):
        receipt = world.stock(clerk, world.lot(world.ball), world.sh1, 10)
        proposal = document_reverse(document=receipt, reason="dup", posted_by=clerk)
        before = ledger()
        for user in (
            UserFactory(roles=[Role.CLERK], depots=[depot_a]),
            UserFactory(roles=[Role.INSPECTOR], depots=[depot_b]),
        ):
            with pytest.raises(PermissionDenied):
                reversal_approve(proposal=proposal, approved_by=user)
        assert ledger() == before

    def test_an_approver_whose_vetting_lapsed_is_refused(self, world, clerk, depot_a):
        lapsed = UserFactory(
            roles=[Role.INSPECTOR],
            depots=[depot_a],
            vetting_expires_on=TODAY() - timedelta(days=1),
        )
        receipt = world.stock(clerk, world.lot(world.ball), world.sh1, 10)
        proposal = document_reverse(document=receipt, reason="dup", posted_by=clerk)
        before = ledger()
        with pytest.raises(VettingExpired):
            reversal_approve(proposal=proposal, approved_by=lapsed)
        assert ledger() == before

    def test_stock_gone_since_the_proposal_refuses_the_approval(self, world, clerk, inspector):
        lot = world.lot(world.ball)
        receipt = world.stock(clerk, lot, world.sh1, 100)
        proposal = document_reverse(document=receipt, reason="dup", posted_by=clerk)
        _issue(world, clerk, lot, 1)
        before = ledger()
        with pytest.raises(InsufficientStock):
            reversal_approve(proposal=proposal, approved_by=inspector)
        assert ledger() == before
        proposal.refresh_from_db()
        assert proposal.status == ReversalProposalStatus.PENDING_APPROVAL

    def test_a_decided_proposal_is_not_decided_again(self, world, clerk, inspector):
        receipt = world.stock(clerk, world.lot(world.ball), world.sh1, 10)
        proposal = document_reverse(document=receipt, reason="dup", posted_by=clerk)
        reversal_approve(proposal=proposal, approved_by=inspector)
        before = ledger()
        with pytest.raises(InvalidState):
            reversal_approve(proposal=proposal, approved_by=inspector)
        with pytest.raises(InvalidState):
            reversal_reject(proposal=proposal, rejected_by=inspector)
        assert ledger() == before

    def test_a_rejected_proposal_leaves_the_document_and_may_be_proposed_again(
        self, world, clerk, inspector
    ):
        lot = world.lot(world.ball)
        receipt = world.stock(clerk, lot, world.sh1, 10)
        first = document_reverse(document=receipt, reason="dup?", posted_by=clerk)
        first = reversal_reject(proposal=first, rejected_by=inspector)
        assert (first.status, first.decided_by, first.reversal) == ("rejected", inspector, None)
        assert qty(lot, world.sh1) == 10
        second = document_reverse(document=receipt, reason="dup after all", posted_by=clerk)
        assert second.pk != first.pk
        assert reversal_approve(proposal=second, approved_by=inspector).reversal is not None

    def test_the_database_refuses_a_decision_by_the_proposer(self, world, clerk):
        receipt = world.stock(clerk, world.lot(world.ball), world.sh1, 10)
        proposal = document_reverse(document=receipt, reason="dup", posted_by=clerk)
        with pytest.raises(IntegrityError), transaction.atomic():
            ReversalProposal.objects.filter(pk=proposal.pk).update(
                status="rejected", decided_by=clerk, decided_at=timezone.now()
            )


class TestTransfers:
    def test_a_transfer_receipt_reversal_waits_and_the_dispatch_waits_for_it(
        self, world, clerk, clerk_b, depot_b
    ):
        lot = world.lot(world.ball)
        world.stock(clerk, lot, world.sh1, 100)
        dispatch = transfer_dispatch(
            depot=world.depot_a,
            destination_depot=depot_b,
            lines=[Movement(lot.pk, world.sh1.pk, 60)],
            occurred_on=TODAY(),
            posted_by=clerk,
        )
        receipt = transfer_receive(
            transfer=dispatch,
            lines=[Movement(lot.pk, world.sh3.pk, 60)],
            occurred_on=TODAY(),
            posted_by=clerk_b,
        )
        proposal = document_reverse(document=receipt, reason="sent in error", posted_by=clerk_b)
        assert isinstance(proposal, ReversalProposal)
        # Until the receipt's reversal is approved the dispatch cannot be undone: the stock would
        # be on the books twice.
        with pytest.raises(InvalidState, match="reverse its receipt first"):
            document_reverse(document=dispatch, reason="sent in error", posted_by=clerk)
        inspector_b = UserFactory(roles=[Role.INSPECTOR], depots=[depot_b])
        reversal_approve(proposal=proposal, approved_by=inspector_b)
        document_reverse(document=dispatch, reason="sent in error", posted_by=clerk)
        assert (qty(lot, world.sh1), qty(lot, world.sh3)) == (100, 0)
