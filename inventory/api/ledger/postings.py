"""The posting endpoints: receipts, issues, returns, moves, transfers and
adjustments, each with an optional Idempotency-Key."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.shortcuts import get_object_or_404
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import LedgerViewSet, post_schema, validated
from core.idempotency import idempotent
from inventory.api.ledger.inputs import (
    AdjustmentSerializer,
    IssueSerializer,
    MoveSerializer,
    ReceiptSerializer,
    ReturnSerializer,
    TransferReceiveSerializer,
    TransferSerializer,
    _one_depot,
)
from inventory.api.ledger.outputs import (
    DocumentSerializer,
    PostedDocumentSerializer,
    TransferReceiptSerializer,
)
from inventory.filters import DocumentFilter
from inventory.models import LedgerLine, Lot, Storehouse
from inventory.models.ledger import DocumentKind
from inventory.selectors import ledger as selectors
from inventory.services import posting

# --- Views ---------------------------------------------------------------------------------------


def _known_objects(lines) -> list:
    """The lots and storehouses a request's validated lines already hold."""
    return [
        value for line in lines for value in line.values() if isinstance(value, (Lot, Storehouse))
    ]


def _with_lots_and_storehouses(lines: Sequence[LedgerLine], known=()) -> None:
    """Give just-posted lines their lots and storehouses: from `known` objects (what the request
    validated), the rest in one query each."""
    lots = {obj.pk: obj for obj in known if isinstance(obj, Lot)}
    storehouses = {obj.pk: obj for obj in known if isinstance(obj, Storehouse)}
    if missing := {line.lot_id for line in lines} - lots.keys():
        lots.update(Lot.objects.in_bulk(missing))
    if missing := {line.storehouse_id for line in lines} - storehouses.keys():
        storehouses.update(Storehouse.objects.in_bulk(missing))
    for line in lines:
        line.lot = lots[line.lot_id]
        line.storehouse = storehouses[line.storehouse_id]


class DocumentResponseMixin:
    def _document(self, document, status_code=status.HTTP_200_OK):
        document = selectors.document_list_unscoped().get(pk=document.pk)
        return Response(DocumentSerializer(document).data, status=status_code)

    def _created(self, document, known=()):
        """201 with the new document; one the service returned with its lines
        (Document.posted_lines) is rendered from them, not read back."""
        if document.posted_lines is None:
            return self._document(document, status.HTTP_201_CREATED)
        _with_lots_and_storehouses(document.posted_lines, known)
        return Response(
            _posted_representer().to_representation(document), status=status.HTTP_201_CREATED
        )


@functools.cache
def _posted_representer() -> PostedDocumentSerializer:
    """One PostedDocumentSerializer per process whose fields are bound once: the response of a
    posting no longer deep-copies some forty field objects per request. Its output fields read
    only the document (no request context, no state kept between calls), so sharing it is safe."""
    return PostedDocumentSerializer()


class PostingViewSet(DocumentResponseMixin, LedgerViewSet):
    """List (GET) the documents of one kind in your scope; post one (POST)."""

    kind: DocumentKind
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter

    def get_queryset(self):
        return selectors.document_list(user=self.request.user).filter(kind=self.kind)

    def post_document(self, request, serializer_class, service):
        """201 with the document `service` posted from the request's values as its keywords."""
        data = serializer_class(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        document = service(**data.service_values(), posted_by=request.user)
        known = _known_objects(data.validated_data["lines"])
        # A receipt's lines carry lot ids; the lots were read with them (_Resolver).
        known += [obj for obj in data.context.get("_resolved", {}).values() if type(obj) is Lot]
        return self._created(document, known)


def posting_schema(request_serializer, summary, example=None):
    return post_schema(
        summary,
        request_serializer,
        DocumentSerializer,
        status.HTTP_201_CREATED,
        examples={"Example": example} if example else {},
    )


class ReceiptViewSet(PostingViewSet):
    kind = DocumentKind.RECEIPT

    @posting_schema(
        ReceiptSerializer,
        "Post a receipt (lots by id, or new lots inline)",
        {
            "reference": "WB-2026-114",
            "occurred_on": "2026-11-28",
            "counterparty": "National Arsenal",
            "lines": [
                {"lot": 12, "storehouse": 3, "quantity": 1200},
                {
                    "lot": {
                        "ammunition_type": 4,
                        "manufacturer": "Arsenal 10",
                        "lot_number": "AK-21-0457",
                        "manufactured_on": "2021-05-01",
                    },
                    "storehouse": 3,
                    "quantity": 800,
                },
            ],
        },
    )
    @idempotent
    def create(self, request):
        return self.post_document(request, ReceiptSerializer, posting.receipt_post)


class IssueViewSet(PostingViewSet):
    kind = DocumentKind.ISSUE

    @posting_schema(IssueSerializer, "Issue stock to a recipient")
    @idempotent
    def create(self, request):
        return self.post_document(request, IssueSerializer, posting.issue_post)


class ReturnViewSet(PostingViewSet):
    kind = DocumentKind.RETURN

    @posting_schema(ReturnSerializer, "Take back stock returned by a recipient")
    @idempotent
    def create(self, request):
        return self.post_document(request, ReturnSerializer, posting.return_post)


class MoveViewSet(PostingViewSet):
    kind = DocumentKind.INTERNAL_MOVE

    @posting_schema(MoveSerializer, "Move stock between storehouses of one depot")
    @idempotent
    def create(self, request):
        values = validated(MoveSerializer, request)
        storehouses = [
            s for line in values["lines"] for s in (line["from_storehouse"], line["to_storehouse"])
        ]
        document = posting.move_post(
            depot=_one_depot(storehouses),
            lines=[
                posting.MoveLine(
                    line["lot"].pk,
                    line["from_storehouse"].pk,
                    line["to_storehouse"].pk,
                    line["quantity"],
                )
                for line in values["lines"]
            ],
            occurred_on=values["occurred_on"],
            posted_by=request.user,
            reference=values["reference"],
        )
        return self._created(document, _known_objects(values["lines"]))


class TransferViewSet(PostingViewSet):
    kind = DocumentKind.TRANSFER

    def get_queryset(self):
        return selectors.transfer_list(user=self.request.user)

    @posting_schema(TransferSerializer, "Dispatch a transfer to another depot (in transit)")
    @idempotent
    def create(self, request):
        return self.post_document(request, TransferSerializer, posting.transfer_dispatch)

    @post_schema(
        "Receive a transfer at its destination (shortfall: received_with_discrepancy)",
        TransferReceiveSerializer,
        TransferReceiptSerializer,
        status.HTTP_201_CREATED,
        description="The answer is the receipt document posted at the destination (its `id`, "
        "`number`, `kind` `transfer_receipt`, `lines`, ...) with `status` and `transfer_status` "
        "giving the transfer's resulting status: `received`, or `received_with_discrepancy` "
        "when less than was sent arrived. `occurred_on` is today when left out.",
        examples={"Receive": {"lines": [{"lot": 12, "storehouse": 7, "quantity": 38}]}},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def receive(self, request, pk=None):
        transfer = get_object_or_404(self.get_queryset(), pk=pk)
        values = validated(TransferReceiveSerializer, request)
        receipt = posting.transfer_receive(
            transfer=transfer,
            lines=[
                posting.Movement(line["lot"].pk, line["storehouse"].pk, line["quantity"])
                for line in values["lines"]
            ],
            occurred_on=values["occurred_on"],
            posted_by=request.user,
            reference=values["reference"],
        )
        response = self._created(receipt, _known_objects(values["lines"]))
        # DESIGN.md §11: receiving answers the transfer's resulting status. The receipt's own
        # status is always `posted`, so `status` carries the transfer's and nothing is lost.
        outcome = receipt.transfer.status
        response.data = {**response.data, "status": outcome, "transfer_status": outcome}
        return response


class AdjustmentViewSet(PostingViewSet):
    kind = DocumentKind.ADJUSTMENT

    @posting_schema(AdjustmentSerializer, "Propose an adjustment (pending approval)")
    @idempotent
    def create(self, request):
        data = AdjustmentSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        document = posting.adjustment_create(
            depot=data.depot(),
            lines=data.movements(),
            reason=values["reason"],
            note=values["note"],
            occurred_on=values["occurred_on"],
            posted_by=request.user,
        )
        return self._created(document)

    @post_schema(
        "Approve a pending adjustment (an inspector other than its author)",
        None,
        DocumentSerializer,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request, pk=None):
        document = posting.adjustment_approve(
            document=get_object_or_404(self.get_queryset(), pk=pk), approved_by=request.user
        )
        return self._document(document)

    @post_schema("Reject a pending adjustment", None, DocumentSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def reject(self, request, pk=None):
        document = posting.adjustment_reject(
            document=get_object_or_404(self.get_queryset(), pk=pk), rejected_by=request.user
        )
        return self._document(document)
