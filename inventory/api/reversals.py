"""Reversal proposals: a reversal that takes stock off the books waits for a second person
(inventory.services.reversals). `documents/{id}/reverse/` answers 202 with a proposal; an inspector
other than the proposer approves it here, and the reversal document is posted then."""

from rest_framework import serializers
from rest_framework.response import Response

from core.api import LedgerViewSet, post_schema, read_schema
from core.api_flows import ObjectAct
from core.serializers import username_field
from inventory.filters import ReversalProposalFilter
from inventory.models import ReversalProposal
from inventory.selectors import ledger as selectors
from inventory.services import reversals


class ReversalProposalSerializer(serializers.ModelSerializer):
    document = serializers.IntegerField(source="document_id")
    document_number = serializers.CharField(source="document.number")
    depot = serializers.IntegerField(source="document.depot_id")
    depot_code = serializers.CharField(source="document.depot.code")
    proposed_by = username_field("proposed_by")
    decided_by = username_field("decided_by", allow_null=True)
    reversal = serializers.IntegerField(source="reversal_id", allow_null=True)
    reversal_number = serializers.CharField(source="reversal.number", allow_null=True)

    class Meta:
        model = ReversalProposal
        fields = [
            "id", "document", "document_number", "depot", "depot_code", "status", "reason",
            "proposed_by", "proposed_at", "decided_by", "decided_at", "reversal",
            "reversal_number",
        ]  # fmt: skip


def proposal_response(proposal: ReversalProposal, status_code: int) -> Response:
    proposal = selectors.reversal_proposal_list_unscoped().get(pk=proposal.pk)
    return Response(ReversalProposalSerializer(proposal).data, status=status_code)


@read_schema(
    "Reversals proposed in your scope (those that take stock off the books wait for "
    "an inspector's approval)",
    "One reversal proposal",
)
class ReversalProposalViewSet(LedgerViewSet):
    serializer_class = ReversalProposalSerializer
    filterset_class = ReversalProposalFilter
    act_subject = "proposal"

    def get_queryset(self):
        return selectors.reversal_proposal_list(user=self.request.user)

    def answer_queryset(self):
        # The service checked the user's rights on the proposal it decided.
        return selectors.reversal_proposal_list_unscoped()

    approve = ObjectAct(
        "Approve a proposed reversal (an inspector other than the proposer): it is posted",
        reversals.reversal_approve,
        actor="approved_by",
        schema=post_schema,
    )
    reject = ObjectAct(
        "Reject a proposed reversal: the document stays as posted",
        reversals.reversal_reject,
        actor="rejected_by",
        schema=post_schema,
    )
