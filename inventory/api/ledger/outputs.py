"""How documents, balances, lots and stock-card lines are answered."""

from __future__ import annotations

import copy

from rest_framework import serializers

from core.serializers import username_field
from inventory.models import (
    Document,
    Lot,
)
from inventory.models.ledger import DocumentStatus

# --- Output --------------------------------------------------------------------------------------


# A row of one lot (a ledger line, a balance): its id, and the lot's id and number. (No docstring:
# drf-spectacular would print it as the description of every serializer built on it.)
class _LotRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lot = serializers.IntegerField(source="lot_id")
    lot_number = serializers.CharField(source="lot.lot_number")


class DocumentLineSerializer(_LotRowSerializer):
    storehouse = serializers.IntegerField(source="storehouse_id")
    storehouse_code = serializers.CharField(source="storehouse.code")
    quantity = serializers.IntegerField()


class LedgerLineSerializer(DocumentLineSerializer):
    posted_at = serializers.DateTimeField()
    hash = serializers.CharField()
    prev_hash = serializers.CharField()


class DocumentSerializer(serializers.ModelSerializer):
    depot = serializers.IntegerField(source="depot_id")
    depot_code = serializers.CharField(source="depot.code")
    posted_by = username_field("posted_by")
    approved_by = username_field("approved_by", allow_null=True)
    recipient = serializers.IntegerField(source="recipient_id", allow_null=True)
    destination_depot = serializers.IntegerField(source="destination_depot_id", allow_null=True)
    transfer = serializers.IntegerField(source="transfer_id", allow_null=True)
    issue = serializers.IntegerField(source="source_issue_id", allow_null=True)
    reverses = serializers.IntegerField(source="reverses_id", allow_null=True)
    reversed_by = serializers.SerializerMethodField()
    lines = LedgerLineSerializer(many=True)
    pending_lines = DocumentLineSerializer(many=True)

    # The fields ModelSerializer builds from the model, built once per process instead of on every
    # response (the model's meta never changes while it runs); each serializer binds copies.
    _built_fields: dict | None = None

    def get_fields(self):
        cls = type(self)
        if cls.__dict__.get("_built_fields") is None:
            cls._built_fields = super().get_fields()
        return copy.deepcopy(cls._built_fields)

    class Meta:
        model = Document
        fields = [
            "id", "number", "kind", "status", "depot", "depot_code", "occurred_on", "posted_at",
            "posted_by", "approved_by", "decided_at", "reference", "counterparty", "recipient",
            "purpose", "reason", "note", "destination_depot", "transfer", "issue", "reverses",
            "reversed_by", "lines", "pending_lines",
        ]  # fmt: skip

    def get_reversed_by(self, document) -> int | None:
        reversal = getattr(document, "reversal", None)
        return reversal.pk if reversal else None


class PostedDocumentSerializer(DocumentSerializer):
    """A document as the posting service returned it, rendered exactly as DocumentSerializer
    renders it read back: its lines are those just written (Document.posted_lines); a new
    document has no pending lines and no reversal."""

    lines = LedgerLineSerializer(many=True, source="posted_lines")
    pending_lines = serializers.SerializerMethodField()

    def get_pending_lines(self, document) -> list:
        return []

    def get_reversed_by(self, document) -> None:
        return None


TRANSFER_OUTCOMES = [
    (DocumentStatus.RECEIVED.value, DocumentStatus.RECEIVED.label),
    (
        DocumentStatus.RECEIVED_WITH_DISCREPANCY.value,
        DocumentStatus.RECEIVED_WITH_DISCREPANCY.label,
    ),
]


class TransferReceiptSerializer(DocumentSerializer):
    """The answer to `transfers/{id}/receive/` (schema only): the receipt document posted at the
    destination, whose `status` is the transfer's resulting status as DESIGN.md §11 says."""

    status = serializers.ChoiceField(
        choices=TRANSFER_OUTCOMES,
        help_text="The transfer's status after this receipt (DESIGN.md §11): `received`, or "
        "`received_with_discrepancy` when less than was sent arrived. The receipt document "
        "itself is posted (as `documents/{id}/` shows it).",
    )
    transfer_status = serializers.ChoiceField(
        choices=TRANSFER_OUTCOMES, help_text="The same: the transfer's resulting status."
    )

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "transfer_status"]


class BalanceSerializer(_LotRowSerializer):
    ammunition_type = serializers.IntegerField(source="lot.ammunition_type_id")
    storehouse = serializers.IntegerField(source="storehouse_id")
    depot = serializers.IntegerField(source="depot_id")
    quantity = serializers.IntegerField()
    neq_kg = serializers.DecimalField(max_digits=20, decimal_places=3)
    condition = serializers.CharField(source="lot.condition_id")


class LotSerializer(serializers.ModelSerializer):
    condition = serializers.CharField(source="condition_id")

    class Meta:
        model = Lot
        fields = [
            "id", "ammunition_type", "lot_number", "manufacturer", "manufactured_on",
            "expires_on", "condition", "country_of_manufacture", "batch", "parent",
            "identity_lost",
        ]  # fmt: skip


class StockCardLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    document = serializers.IntegerField(source="document_id")
    document_number = serializers.CharField(source="document.number")
    kind = serializers.CharField(source="document.kind")
    occurred_on = serializers.DateField()
    posted_at = serializers.DateTimeField()
    storehouse = serializers.IntegerField(source="storehouse_id")
    quantity = serializers.IntegerField()
    running_balance = serializers.IntegerField()
