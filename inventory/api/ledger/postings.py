"""The posting endpoints: receipts, issues, returns, moves, transfers and
adjustments, each with an optional Idempotency-Key."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import LedgerViewSet, post_schema
from core.api_flows import ObjectAct
from core.idempotency import idempotent
from inventory.api.ledger.inputs import (
    AdjustmentSerializer,
    IssueSerializer,
    MoveSerializer,
    PostingSerializer,
    ReceiptSerializer,
    ReturnSerializer,
    TransferReceiveSerializer,
    TransferSerializer,
)
from inventory.api.ledger.outputs import (
    DocumentSerializer,
    PostedDocumentSerializer,
    TransferReceiptSerializer,
)
from inventory.filters import DocumentFilter
from inventory.models import Document, LedgerLine, Lot, Storehouse
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
    # What a POST carries; its service_values() are the keywords of `service`, which posts it.
    input_serializer: type[PostingSerializer | MoveSerializer]
    service: Callable[..., Document]
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter

    def get_queryset(self):
        return selectors.document_list(user=self.request.user).filter(kind=self.kind)

    # 201 with the document posted. (No docstring: the schema would print it for every POST.)
    @idempotent
    def create(self, request):
        return self._created(*self.post_document(request, self.input_serializer, self.service))

    def post_document(self, request, serializer_class, service, **more):
        """The document `service` posted from the request's values (and `more`) as its keywords,
        with the lots and storehouses the request already read, to render it without reading
        them again."""
        data = serializer_class(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        document = service(**data.service_values(), **more, posted_by=request.user)
        known = _known_objects(data.validated_data["lines"])
        # A receipt's lines carry lot ids; the lots were read with them (_Resolver).
        known += [obj for obj in data.context.get("_resolved", {}).values() if type(obj) is Lot]
        return document, known


def posting_schema(request_serializer, summary, example=None):
    return post_schema(
        summary,
        request_serializer,
        DocumentSerializer,
        status.HTTP_201_CREATED,
        examples={"Example": example} if example else {},
    )


@extend_schema_view(
    create=posting_schema(
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
)
class ReceiptViewSet(PostingViewSet):
    kind = DocumentKind.RECEIPT
    input_serializer = ReceiptSerializer
    service = staticmethod(posting.receipt_post)


@extend_schema_view(create=posting_schema(IssueSerializer, "Issue stock to a recipient"))
class IssueViewSet(PostingViewSet):
    kind = DocumentKind.ISSUE
    input_serializer = IssueSerializer
    service = staticmethod(posting.issue_post)


@extend_schema_view(
    create=posting_schema(ReturnSerializer, "Take back stock returned by a recipient")
)
class ReturnViewSet(PostingViewSet):
    kind = DocumentKind.RETURN
    input_serializer = ReturnSerializer
    service = staticmethod(posting.return_post)


@extend_schema_view(
    create=posting_schema(MoveSerializer, "Move stock between storehouses of one depot")
)
class MoveViewSet(PostingViewSet):
    kind = DocumentKind.INTERNAL_MOVE
    input_serializer = MoveSerializer
    service = staticmethod(posting.move_post)


@extend_schema_view(
    create=posting_schema(TransferSerializer, "Dispatch a transfer to another depot (in transit)")
)
class TransferViewSet(PostingViewSet):
    kind = DocumentKind.TRANSFER
    input_serializer = TransferSerializer
    service = staticmethod(posting.transfer_dispatch)

    def get_queryset(self):
        return selectors.transfer_list(user=self.request.user)

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
        receipt, known = self.post_document(
            request, TransferReceiveSerializer, posting.transfer_receive, transfer=transfer
        )
        response = self._created(receipt, known)
        # DESIGN.md §11: receiving answers the transfer's resulting status. The receipt's own
        # status is always `posted`, so `status` carries the transfer's and nothing is lost.
        outcome = receipt.transfer.status
        response.data = {**response.data, "status": outcome, "transfer_status": outcome}
        return response


@extend_schema_view(
    create=posting_schema(AdjustmentSerializer, "Propose an adjustment (pending approval)")
)
class AdjustmentViewSet(PostingViewSet):
    kind = DocumentKind.ADJUSTMENT
    input_serializer = AdjustmentSerializer
    service = staticmethod(posting.adjustment_create)
    act_subject = "document"

    def answer_queryset(self):
        # As DocumentResponseMixin reads a document: the service checked the user's rights.
        return selectors.document_list_unscoped()

    approve = ObjectAct(
        "Approve a pending adjustment (an inspector other than its author)",
        posting.adjustment_approve,
        actor="approved_by",
        schema=post_schema,
    )
    reject = ObjectAct(
        "Reject a pending adjustment",
        posting.adjustment_reject,
        actor="rejected_by",
        schema=post_schema,
    )
