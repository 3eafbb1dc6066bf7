"""Reversals awaiting a second person: the inspector's list, and approve or reject."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.roles import Action
from core.scoping import require
from core.web import Refusal, page_of
from inventory.models import LedgerLine, ReversalProposalStatus
from inventory.selectors.ledger import reversal_proposal_list
from inventory.services import reversals


@require_GET
def reversals_pending(request):
    """Reversals that would take stock off the books, waiting for approval, oldest first, each
    with the lines it would take off."""
    require(request.user, Action.APPROVE)
    rows = (
        reversal_proposal_list(user=request.user)
        .filter(status=ReversalProposalStatus.PENDING_APPROVAL)
        .prefetch_related(
            Prefetch(
                "document__lines",
                queryset=LedgerLine.objects.select_related(
                    "lot__ammunition_type", "storehouse"
                ).order_by("id"),
            )
        )
        .order_by("id")
    )
    return render(
        request, "inventory/reversals_pending.html", {"page": page_of(rows, request, size=25)}
    )


def _decide(request, pk: int, *, approve: bool):
    user = request.user
    proposal = get_object_or_404(reversal_proposal_list(user=user), pk=pk)
    number = proposal.document.number
    with Refusal() as refused:
        if approve:
            proposal = reversals.reversal_approve(proposal=proposal, approved_by=user)
        else:
            reversals.reversal_reject(proposal=proposal, rejected_by=user)
    if refused:
        messages.error(
            request,
            _("The reversal of %(number)s was not %(decision)s: %(message)s")
            % {
                "number": number,
                "decision": _("approved") if approve else _("rejected"),
                "message": refused.text,
            },
        )
        return redirect("inventory:reversals_pending")
    if approve:
        messages.success(
            request,
            _("Reversal %(reversal)s posted: document %(number)s is reversed.")
            % {"reversal": proposal.reversal.number, "number": number},
        )
        return redirect("inventory:document_detail", pk=proposal.reversal_id)
    messages.success(
        request, _("Reversal of %(number)s rejected: the document stands.") % {"number": number}
    )
    return redirect("inventory:reversals_pending")


@require_POST
def reversal_approve_view(request, pk: int):
    return _decide(request, pk, approve=True)


@require_POST
def reversal_reject_view(request, pk: int):
    return _decide(request, pk, approve=False)
