"""Reversal: the only way to correct a posted document (DESIGN.md §7).

A reversal that gives stock back to the books (of an issue, a dispatch, a disposal, a loss) is
posted at once. One that takes stock off the books (of a receipt, a return, a transfer receipt, a
gain) has the same effect as a negative adjustment, so it needs the same second person: the
reversal is proposed, and posted only when an inspector other than the proposer approves it.
Otherwise one clerk could reverse a receipt and carry the stock out with no trace of a loss.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import SelfApproval
from core.roles import Action
from core.scoping import can, require
from inventory import locks
from inventory.errors import AlreadyReversed, InvalidState
from inventory.models import Document, ReversalProposal, ReversalProposalStatus
from inventory.models.ledger import DocumentKind
from inventory.services.posting.reversal import _reversal_movements, _reversal_post


def reversal_removes_stock(document: Document) -> bool:
    """True when reversing the document takes stock off its depot's books: its lines add more
    than they remove. Moves and splits (stock changes place or lot, not quantity) do not."""
    added = document.lines.aggregate(total=Sum("quantity"))["total"] or 0
    return added > 0


def _removes_stock(movements) -> bool:
    """The same test on a reversal's movements already read (the opposite of the lines)."""
    return sum(movement.quantity for movement in movements) < 0


def _require_reverse_right(user: User, document: Document) -> None:
    if document.kind == DocumentKind.LOT_SPLIT and not can(
        user, Action.RECORD_MOVEMENT, document.depot_id
    ):
        # Whoever may split may undo a split (then checked as the condition change it is).
        require(user, Action.RECORD_SURVEILLANCE, document.depot_id)
    else:
        require(user, Action.RECORD_MOVEMENT, document.depot_id)


def _pending_proposal(document: Document) -> ReversalProposal | None:
    return (
        ReversalProposal.objects.filter(
            document=document, status=ReversalProposalStatus.PENDING_APPROVAL
        )
        .select_related("proposed_by")
        .first()
    )


@transaction.atomic
def document_reverse(
    *, document: Document, reason: str, posted_by: User
) -> Document | ReversalProposal:
    """Reverse a document (once, with a reason): the posted reversal, or, when the reversal would
    take stock off the books, the proposal that waits for a second person."""
    document = locks.document_lock(document_id=document.pk)
    _require_reverse_right(posted_by, document)
    pending = _pending_proposal(document)
    if pending is not None:
        raise AlreadyReversed(
            _(
                "A reversal of document %(number)s proposed by %(user)s awaits approval: "
                "approve or reject it first."
            )
            % {"number": document.number, "user": pending.proposed_by.username}
        )
    movements = _reversal_movements(document=document, reason=reason, user=posted_by)
    if _removes_stock(movements):
        _trial_post(document=document, movements=movements, reason=reason, posted_by=posted_by)
        return ReversalProposal.objects.create(
            document=document,
            reason=reason.strip(),
            proposed_by=posted_by,
            proposed_at=timezone.now(),
        )
    return _reversal_post(
        document=document, movements=movements, reason=reason, posted_by=posted_by
    )


class _TrialOnly(Exception):
    """Raised to undo a trial posting."""


def _trial_post(**reversal) -> None:
    """Post the reversal in a savepoint and undo it: a proposal that could not be posted today
    (short of stock, a frozen depot, a closed period...) is refused now with the same error
    the approval would meet, instead of waiting for an inspector to find out."""
    try:
        with transaction.atomic():
            _reversal_post(**reversal)
            raise _TrialOnly
    except _TrialOnly:
        pass


def _proposal_to_decide(proposal: ReversalProposal, user: User) -> ReversalProposal:
    """Lock the document, then its proposal (the order `document_reverse` takes them in)."""
    locks.document_lock(document_id=proposal.document_id)
    proposal = (
        ReversalProposal.objects.select_for_update()
        .select_related("document", "proposed_by")
        .get(pk=proposal.pk)
    )
    require(user, Action.APPROVE, proposal.document.depot_id)
    if proposal.status != ReversalProposalStatus.PENDING_APPROVAL:
        raise InvalidState(
            _("The reversal of document %(number)s is already %(status)s.")
            % {"number": proposal.document.number, "status": proposal.get_status_display()}
        )
    if proposal.proposed_by_id == user.pk:
        raise SelfApproval(
            _("A reversal is approved by someone other than the person proposing it.")
        )
    return proposal


@transaction.atomic
def reversal_approve(*, proposal: ReversalProposal, approved_by: User) -> ReversalProposal:
    """Approve a proposed reversal: it is posted now, under every rule of a reversal checked again
    (stock may have moved since it was proposed), in the proposer's name and with the approver."""
    proposal = _proposal_to_decide(proposal, approved_by)
    document = Document.objects.select_related("depot").get(pk=proposal.document_id)
    movements = _reversal_movements(
        document=document, reason=proposal.reason, user=proposal.proposed_by
    )
    proposal.reversal = _reversal_post(
        document=document,
        movements=movements,
        reason=proposal.reason,
        posted_by=proposal.proposed_by,
        approved_by=approved_by,
    )
    proposal.status = ReversalProposalStatus.APPROVED
    proposal.decided_by = approved_by
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["reversal", "status", "decided_by", "decided_at"])
    return proposal


@transaction.atomic
def reversal_reject(*, proposal: ReversalProposal, rejected_by: User) -> ReversalProposal:
    """Reject a proposed reversal: the document stays as posted and may be proposed again."""
    proposal = _proposal_to_decide(proposal, rejected_by)
    proposal.status = ReversalProposalStatus.REJECTED
    proposal.decided_by = rejected_by
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    return proposal
