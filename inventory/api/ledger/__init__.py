"""The ledger API (DESIGN.md §11): posting endpoints, documents, stock, lots and stock cards.

Serializers check shape and scope (an object outside the user's scope is the same 400 as one that
does not exist); the posting service checks the rules. Every POST that posts takes an optional
Idempotency-Key."""

from inventory.api.ledger.documents import DocumentViewSet, LotViewSet, StockViewSet
from inventory.api.ledger.fields import (
    NEW_LOT_SCHEMA,
    LotReferenceField,
    NewLotSerializer,
    ResolvedPrimaryKeyField,
    ScopedStorehouseField,
)
from inventory.api.ledger.inputs import (
    AdjustmentSerializer,
    IssueSerializer,
    LineSerializer,
    MergeSerializer,
    MoveLineSerializer,
    MoveSerializer,
    PostingSerializer,
    ReceiptLineSerializer,
    ReceiptSerializer,
    ReturnSerializer,
    ReverseSerializer,
    SignedLineSerializer,
    SplitSerializer,
    TransferReceiveSerializer,
    TransferSerializer,
)
from inventory.api.ledger.outputs import (
    TRANSFER_OUTCOMES,
    BalanceSerializer,
    DocumentLineSerializer,
    DocumentSerializer,
    LedgerLineSerializer,
    LotSerializer,
    StockCardLineSerializer,
    TransferReceiptSerializer,
)
from inventory.api.ledger.postings import (
    AdjustmentViewSet,
    DocumentResponseMixin,
    IssueViewSet,
    MoveViewSet,
    PostingViewSet,
    ReceiptViewSet,
    ReturnViewSet,
    TransferViewSet,
)

__all__ = [
    "NEW_LOT_SCHEMA",
    "TRANSFER_OUTCOMES",
    "AdjustmentSerializer",
    "AdjustmentViewSet",
    "BalanceSerializer",
    "DocumentLineSerializer",
    "DocumentResponseMixin",
    "DocumentSerializer",
    "DocumentViewSet",
    "IssueSerializer",
    "IssueViewSet",
    "LedgerLineSerializer",
    "LineSerializer",
    "LotReferenceField",
    "LotSerializer",
    "LotViewSet",
    "MergeSerializer",
    "MoveLineSerializer",
    "MoveSerializer",
    "MoveViewSet",
    "NewLotSerializer",
    "PostingSerializer",
    "PostingViewSet",
    "ReceiptLineSerializer",
    "ReceiptSerializer",
    "ReceiptViewSet",
    "ResolvedPrimaryKeyField",
    "ReturnSerializer",
    "ReturnViewSet",
    "ReverseSerializer",
    "ScopedStorehouseField",
    "SignedLineSerializer",
    "SplitSerializer",
    "StockCardLineSerializer",
    "StockViewSet",
    "TransferReceiptSerializer",
    "TransferReceiveSerializer",
    "TransferSerializer",
    "TransferViewSet",
]
