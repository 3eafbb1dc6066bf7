"""Documents, stock and lots: reading the ledger, reversing a document, recording
and splitting lots."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import LedgerViewSet, ReadViewSet, read_schema, validated
from core.drf import LedgerPagination
from core.idempotency import IDEMPOTENCY, idempotent
from inventory.api.ledger.fields import NewLotSerializer
from inventory.api.ledger.inputs import MergeSerializer, ReverseSerializer, SplitSerializer
from inventory.api.ledger.outputs import (
    BalanceSerializer,
    DocumentSerializer,
    LotSerializer,
    StockCardLineSerializer,
)
from inventory.api.ledger.postings import DocumentResponseMixin, posting_schema
from inventory.api.reversals import ReversalProposalSerializer, proposal_response
from inventory.filters import BalanceFilter, DocumentFilter, LotFilter
from inventory.models import ReversalProposal
from inventory.selectors import ledger as selectors
from inventory.services import posting, reversals
from inventory.services.lots import lot_create


@read_schema(
    "Every document in your scope, newest first, with its lines",
    "One document with its lines",
)
class DocumentViewSet(DocumentResponseMixin, LedgerViewSet):
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter

    def get_queryset(self):
        return selectors.document_list(user=self.request.user)

    @extend_schema(
        request=ReverseSerializer,
        responses={201: DocumentSerializer, 202: ReversalProposalSerializer},
        parameters=[IDEMPOTENCY],
        summary="Reverse a document (once), with a reason",
        description="201 with the posted reversal when it gives stock back to the books (an "
        "issue, a dispatch, a disposal, a move). A reversal that takes stock off the books (a "
        "receipt, a return, a transfer receipt, a gain) needs a second person: 202 with a "
        "reversal proposal, posted when an inspector other than you approves it at "
        "`reversal-proposals/{id}/approve/`.",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def reverse(self, request, pk=None):
        values = validated(ReverseSerializer, request)
        outcome = reversals.document_reverse(
            document=get_object_or_404(self.get_queryset(), pk=pk),
            reason=values["reason"],
            posted_by=request.user,
        )
        if isinstance(outcome, ReversalProposal):  # takes stock off the books: a second person
            return proposal_response(outcome, status.HTTP_202_ACCEPTED)
        return self._created(outcome)


@extend_schema_view(list=extend_schema(summary="Stock on hand in your scope (balances)"))
class StockViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = BalanceSerializer
    filterset_class = BalanceFilter

    class Pagination(LedgerPagination):
        ordering = ("depot_id", "storehouse_id", "lot_id", "id")

    pagination_class = Pagination

    def get_queryset(self):
        return selectors.balance_list(user=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="Lots (search lot_number case-insensitively)"),
    create=extend_schema(summary="Record a lot before its first receipt (clerk, inspector)"),
)
class LotViewSet(DocumentResponseMixin, mixins.CreateModelMixin, ReadViewSet):
    serializer_class = LotSerializer
    filterset_class = LotFilter

    def get_queryset(self):
        return selectors.lot_list(user=self.request.user).order_by("id")

    def get_serializer_class(self):
        return NewLotSerializer if self.action == "create" else LotSerializer

    @extend_schema(request=NewLotSerializer, responses={201: LotSerializer})
    def create(self, request):
        lot = lot_create(spec=NewLotSerializer.new_lot(request.data), created_by=request.user)
        return Response(LotSerializer(lot).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={200: StockCardLineSerializer(many=True)},
        parameters=[OpenApiParameter("storehouse", OpenApiTypes.INT)],
        summary="The lot's ledger lines in your scope with a running balance",
    )
    @action(detail=True, methods=["get"], url_path="stock-card", pagination_class=LedgerPagination)
    def stock_card(self, request, pk=None):
        lot = get_object_or_404(self.get_queryset(), pk=pk)
        storehouse = request.query_params.get("storehouse")
        if storehouse is not None and not storehouse.isdigit():
            raise serializers.ValidationError({"storehouse": ["A storehouse id."]})
        lines = selectors.stock_card(
            user=request.user, lot=lot, storehouse_id=int(storehouse) if storehouse else None
        )
        paginator = self.Pagination()
        page = paginator.paginate_queryset(lines, request, view=self)
        return paginator.get_paginated_response(StockCardLineSerializer(page, many=True).data)

    class Pagination(LedgerPagination):
        ordering = "id"

    @posting_schema(SplitSerializer, "Split part of the lot into a child lot with a new condition")
    @action(detail=True, methods=["post"])
    @idempotent
    def split(self, request, pk=None):
        lot = get_object_or_404(self.get_queryset(), pk=pk)
        values = validated(SplitSerializer, request)
        child = posting.lot_split(
            lot=lot,
            quantities={line["storehouse"].pk: line["quantity"] for line in values["quantity"]},
            suffix=values["suffix"],
            condition=values["condition"].code,
            occurred_on=values["occurred_on"],
            posted_by=request.user,
            reason=values["reason"],
        )
        return Response(LotSerializer(child).data, status=status.HTTP_201_CREATED)

    @posting_schema(
        MergeSerializer,
        "Merge a classified child lot's whole stock back into its parent (inspector)",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def merge(self, request, pk=None):
        # A lot never held in the user's depots is a 404 (DESIGN.md §1), as its holdings are.
        lot = get_object_or_404(selectors.lot_list_held(user=request.user), pk=pk)
        values = validated(MergeSerializer, request)
        document = posting.lot_merge(lot=lot, posted_by=request.user, **values)
        return self._created(document)
