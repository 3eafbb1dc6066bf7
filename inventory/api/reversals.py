"""Reversal proposals: a reversal that takes stock off the books waits for a second person
(inventory.services.reversals). `documents/{id}/reverse/` answers 202 with a proposal; an inspector
other than the proposer approves it here, and the reversal document is posted then."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.drf import LedgerPagination
from core.idempotency import IDEMPOTENCY, idempotent
from inventory.filters import ReversalProposalFilter
from inventory.models import ReversalProposal
from inventory.selectors import ledger as selectors
from inventory.services import reversals


class ReversalProposalSerializer(serializers.ModelSerializer):
    document = serializers.IntegerField(source="document_id")
    document_number = serializers.CharField(source="document.number")
    depot = serializers.IntegerField(source="document.depot_id")
    depot_code = serializers.CharField(source="document.depot.code")
    proposed_by = serializers.CharField(source="proposed_by.username")
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True)
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


@extend_schema_view(
    list=extend_schema(
        summary="Reversals proposed in your scope (those that take stock off the books wait for "
        "an inspector's approval)"
    ),
    retrieve=extend_schema(summary="One reversal proposal"),
)
class ReversalProposalViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReversalProposalSerializer
    pagination_class = LedgerPagination
    filterset_class = ReversalProposalFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.reversal_proposal_list(user=self.request.user)

    @extend_schema(
        request=None,
        responses={200: ReversalProposalSerializer},
        parameters=[IDEMPOTENCY],
        summary="Approve a proposed reversal (an inspector other than the proposer): it is posted",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request, pk=None):
        proposal = reversals.reversal_approve(
            proposal=get_object_or_404(self.get_queryset(), pk=pk), approved_by=request.user
        )
        return proposal_response(proposal, 200)

    @extend_schema(
        request=None,
        responses={200: ReversalProposalSerializer},
        parameters=[IDEMPOTENCY],
        summary="Reject a proposed reversal: the document stays as posted",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def reject(self, request, pk=None):
        proposal = reversals.reversal_reject(
            proposal=get_object_or_404(self.get_queryset(), pk=pk), rejected_by=request.user
        )
        return proposal_response(proposal, 200)
