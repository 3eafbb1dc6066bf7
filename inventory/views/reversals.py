"""Reversals awaiting a second person: the inspector's list, and approve or reject."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core.roles import Action
from core.scoping import require
from core.web import Decision, decision_views, page_of
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


DECISION = Decision(
    approve=reversals.reversal_approve,
    reject=reversals.reversal_reject,
    failure=gettext_lazy("The reversal of %(number)s was not %(decision)s: %(message)s"),
)


def _decide(request, pk: int, *, approve: bool):
    proposal = get_object_or_404(reversal_proposal_list(user=request.user), pk=pk)
    number = proposal.document.number
    done, approved = DECISION.take(request, approve=approve, number=number, proposal=proposal)
    if not done:
        return redirect("inventory:reversals_pending")
    if approve:
        proposal = approved
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


reversal_approve_view, reversal_reject_view = decision_views(_decide)
