"""What a posting request may carry: its header and lines, checked for shape and
scope; the posting service checks the rules."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from core.scoping import scope
from core.serializers import StrictJSONMixin
from inventory.api.ledger.fields import (
    LotReferenceField,
    ResolvedPrimaryKeyField,
    ScopedStorehouseField,
    _Resolver,
)
from inventory.models import (
    ConditionCode,
    Depot,
    Document,
    Lot,
    Recipient,
)
from inventory.models.ledger import AdjustmentReason, DocumentKind
from inventory.services import posting


class LineSerializer(StrictJSONMixin, serializers.Serializer):
    lot = ResolvedPrimaryKeyField(queryset=Lot.objects.all())
    storehouse = ScopedStorehouseField()
    quantity = serializers.IntegerField(min_value=1, max_value=2_000_000_000)


class ReceiptLineSerializer(LineSerializer):
    lot = LotReferenceField()


class SignedLineSerializer(LineSerializer):
    quantity = serializers.IntegerField(min_value=-2_000_000_000, max_value=2_000_000_000)

    def validate_quantity(self, value):
        if value == 0:
            raise serializers.ValidationError("An adjustment line changes stock: not zero.")
        return value


class MoveLineSerializer(StrictJSONMixin, serializers.Serializer):
    lot = ResolvedPrimaryKeyField(queryset=Lot.objects.all())
    from_storehouse = ScopedStorehouseField()
    to_storehouse = ScopedStorehouseField()
    quantity = serializers.IntegerField(min_value=1, max_value=2_000_000_000)


def _one_depot(storehouses) -> Depot:
    storehouses = list(storehouses)
    if len({storehouse.depot_id for storehouse in storehouses}) != 1:
        raise serializers.ValidationError({"lines": ["All lines are in storehouses of one depot."]})
    return storehouses[0].depot


def _movements(lines) -> list[posting.Movement]:
    """Validated lines as the posting service takes them: ids and quantities."""
    return [
        posting.Movement(
            line["lot"] if isinstance(line["lot"], int) else line["lot"].pk,
            line["storehouse"].pk,
            line["quantity"],
        )
        for line in lines
    ]


def _occurred_on_today():
    """`occurred_on` where DESIGN.md §11 does not list it (receiving a transfer, returns, moves,
    adjustments, lot splits): a field added after the contract is optional, and a voucher
    without a date is dated today. Where §11 lists it, it stays required."""
    return serializers.DateField(
        default=timezone.localdate,
        help_text="The date on the paper voucher; today when left out.",
    )


class ResolvedIdsMixin:
    """Reads the lots, storehouses, recipient (and a receipt's new lots' types and conditions)
    the request names in a fixed number of queries (_Resolver) before the fields validate: not
    one query per field, so a 50-line document costs what a one-line one does. The fields keep
    their own checks and messages."""

    def to_internal_value(self, data):
        if isinstance(data, dict) and "_resolved" not in self.context:
            self.context["_resolved"] = _Resolver.resolve(data)
        return super().to_internal_value(data)


class PostingSerializer(ResolvedIdsMixin, StrictJSONMixin, serializers.Serializer):
    reference = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    occurred_on = serializers.DateField()
    lines = LineSerializer(many=True, allow_empty=False, max_length=500)

    def depot(self) -> Depot:
        return _one_depot(line["storehouse"] for line in self.validated_data["lines"])

    def movements(self) -> list[posting.Movement]:
        return _movements(self.validated_data["lines"])

    def service_values(self) -> dict:
        """The posting service's keywords: each field's name (or its `source`) is one."""
        return {**self.validated_data, "depot": self.depot(), "lines": self.movements()}


class ReceiptSerializer(PostingSerializer):
    counterparty = serializers.CharField(max_length=200)
    lines = ReceiptLineSerializer(many=True, allow_empty=False, max_length=500)

    def movements(self) -> list[posting.ReceiptLine]:
        return [
            posting.ReceiptLine(line["lot"], line["storehouse"].pk, line["quantity"])
            for line in self.validated_data["lines"]
        ]


class IssueSerializer(PostingSerializer):
    recipient = ResolvedPrimaryKeyField(queryset=Recipient.objects.all())
    purpose = serializers.CharField(max_length=200)
    counterparty = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )


class ReturnSerializer(PostingSerializer):
    occurred_on = _occurred_on_today()
    recipient = ResolvedPrimaryKeyField(queryset=Recipient.objects.all())
    issue = serializers.PrimaryKeyRelatedField(
        queryset=Document.objects.none(), required=False, source="source_issue"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["issue"].queryset = scope(
                Document.objects.filter(kind=DocumentKind.ISSUE), request.user
            )


class MoveSerializer(ResolvedIdsMixin, StrictJSONMixin, serializers.Serializer):
    reference = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    occurred_on = _occurred_on_today()
    lines = MoveLineSerializer(many=True, allow_empty=False, max_length=500)

    def service_values(self) -> dict:
        """move_post's keywords: the depot both ends of every line are in, and the lines."""
        lines = self.validated_data["lines"]
        ends = [line[end] for line in lines for end in ("from_storehouse", "to_storehouse")]
        moves = [
            posting.MoveLine(
                line["lot"].pk,
                line["from_storehouse"].pk,
                line["to_storehouse"].pk,
                line["quantity"],
            )
            for line in lines
        ]
        return {**self.validated_data, "depot": _one_depot(ends), "lines": moves}


class TransferSerializer(PostingSerializer):
    # Any depot may be a destination, including one outside the sender's scope.
    destination_depot = serializers.PrimaryKeyRelatedField(queryset=Depot.objects.all())


class TransferReceiveSerializer(ResolvedIdsMixin, StrictJSONMixin, serializers.Serializer):
    reference = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    occurred_on = _occurred_on_today()
    lines = LineSerializer(many=True, allow_empty=False, max_length=500)

    def service_values(self) -> dict:
        """transfer_receive's keywords but the transfer (the URL names it)."""
        return {**self.validated_data, "lines": _movements(self.validated_data["lines"])}


class AdjustmentSerializer(PostingSerializer):
    occurred_on = _occurred_on_today()
    reason = serializers.ChoiceField(choices=AdjustmentReason.choices)
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    lines = SignedLineSerializer(many=True, allow_empty=False, max_length=500)


class ReverseSerializer(StrictJSONMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class SplitSerializer(StrictJSONMixin, serializers.Serializer):
    class SplitLine(StrictJSONMixin, serializers.Serializer):
        storehouse = ScopedStorehouseField()
        quantity = serializers.IntegerField(min_value=1, max_value=2_000_000_000)

    quantity = SplitLine(many=True, allow_empty=False)
    suffix = serializers.CharField(max_length=20)
    condition = serializers.SlugRelatedField(
        slug_field="code", queryset=ConditionCode.objects.all()
    )
    occurred_on = _occurred_on_today()
    reason = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class MergeSerializer(StrictJSONMixin, serializers.Serializer):
    occurred_on = _occurred_on_today()
    reason = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
