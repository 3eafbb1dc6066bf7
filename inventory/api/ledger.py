"""The ledger API (DESIGN.md §11): posting endpoints, documents, stock, lots and stock cards.

Serializers check shape and scope (an object outside the user's scope is the same 400 as one that
does not exist); the posting service checks the rules. Every POST that posts takes an optional
Idempotency-Key.
"""

import copy
import functools

from django.db import connection
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.drf import LedgerPagination
from core.idempotency import HEADER, idempotent
from core.scoping import read_depot_ids, scope
from core.serializers import StrictJSONMixin
from inventory.filters import BalanceFilter, DocumentFilter, LotFilter
from inventory.models import (
    AmmunitionType,
    ConditionCode,
    Depot,
    Document,
    Lot,
    Recipient,
    Storehouse,
)
from inventory.models.ledger import AdjustmentReason, DocumentKind, DocumentStatus
from inventory.selectors import ledger as selectors
from inventory.services import posting
from inventory.services.lots import NewLot, lot_create

IDEMPOTENCY = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Retrying with the same key and body returns the original answer; "
    "nothing is posted twice.",
)


# --- Resolving a posting's ids in one query ------------------------------------------------------

_BIGINT = range(-(2**63), 2**63)
_MISSING = object()


def _columns(alias: str, model) -> str:
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def _instance(model, values):
    """A model instance from its concrete columns' values as the database returned them, or None
    when the row was not found (its primary key is NULL)."""
    fields = model._meta.concrete_fields
    if values[[f.primary_key for f in fields].index(True)] is None:
        return None
    values = [
        field.from_db_value(value, None, connection)
        if value is not None and hasattr(field, "from_db_value")
        else value
        for field, value in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [field.attname for field in fields], values)


class _Resolver:
    """The lots, storehouses (with their depots) and recipient a posting names, read with one
    hand-written query before the fields validate, instead of one ORM query per field. The fields
    (ResolvedPrimaryKeyField) take their object from here and keep their own checks and messages:
    an id not found is the field's 'does not exist', a storehouse outside the user's scope too."""

    _sql: str | None = None

    @classmethod
    def _query(cls) -> str:
        if cls._sql is None:
            counts = [
                len(model._meta.concrete_fields) for model in (Lot, Storehouse, Depot, Recipient)
            ]
            cls._counts = counts
            # Names from the models' meta; the values are parameters.
            cls._sql = (
                f"SELECT k.kind, k.id, {_columns('lot', Lot)}, {_columns('sh', Storehouse)}, "  # noqa: S608
                f"{_columns('dep', Depot)}, {_columns('rec', Recipient)} FROM ("
                "SELECT 'l' AS kind, unnest(%s::bigint[]) AS id "
                "UNION ALL SELECT 's', unnest(%s::bigint[]) "
                "UNION ALL SELECT 'r', unnest(%s::bigint[])) k "
                f"LEFT JOIN {Lot._meta.db_table} lot ON k.kind = 'l' AND lot.id = k.id "
                f"LEFT JOIN {Storehouse._meta.db_table} sh ON k.kind = 's' AND sh.id = k.id "
                f"LEFT JOIN {Depot._meta.db_table} dep ON dep.id = sh.depot_id "
                f"LEFT JOIN {Recipient._meta.db_table} rec ON k.kind = 'r' AND rec.id = k.id"
            )
        return cls._sql

    @staticmethod
    def _ids(values) -> list[int]:
        return sorted(
            {v for v in values if type(v) is int and v in _BIGINT}  # JSON integers only
        )

    @classmethod
    def resolve(cls, data) -> dict:
        """{(model, id): instance or _MISSING} for the integer ids in the raw request data."""
        lines = data.get("lines") if isinstance(data.get("lines"), list) else []
        lines = [line for line in lines[:500] if isinstance(line, dict)]
        lots = cls._ids(line.get("lot") for line in lines)
        storehouses = cls._ids(line.get("storehouse") for line in lines)
        recipients = cls._ids([data.get("recipient")])
        if not (lots or storehouses or recipients):
            return {}
        sql = cls._query()
        with connection.cursor() as cursor:
            cursor.execute(sql, [lots, storehouses, recipients])
            rows = cursor.fetchall()
        n_lot, n_sh, n_dep, _n_rec = cls._counts
        found: dict = {}
        for row in rows:
            kind, pk, values = row[0], row[1], row[2:]
            if kind == "l":
                obj = _instance(Lot, values[:n_lot])
                found[(Lot, pk)] = obj or _MISSING
            elif kind == "s":
                obj = _instance(Storehouse, values[n_lot : n_lot + n_sh])
                if obj is not None:
                    depot = _instance(Depot, values[n_lot + n_sh : n_lot + n_sh + n_dep])
                    Storehouse._meta.get_field("depot").set_cached_value(obj, depot)
                found[(Storehouse, pk)] = obj or _MISSING
            else:
                obj = _instance(Recipient, values[n_lot + n_sh + n_dep :])
                found[(Recipient, pk)] = obj or _MISSING
        return found


class ResolvedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A PrimaryKeyRelatedField that takes its object from the serializer's _Resolver results when
    there are any (then checks `allowed`), else queries as usual."""

    def resolved_model(self):
        return self.queryset.model

    def allowed(self, obj) -> bool:
        return True

    def to_internal_value(self, data):
        resolved = self.context.get("_resolved")
        if resolved and self.pk_field is None and type(data) is int:
            obj = resolved.get((self.resolved_model(), data))
            if obj is not None:
                if obj is _MISSING or not self.allowed(obj):
                    self.fail("does_not_exist", pk_value=data)
                return obj
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.INT)
class ScopedStorehouseField(ResolvedPrimaryKeyField):
    """A storehouse the user may read; any other id is 'does not exist' (400)."""

    def get_queryset(self):
        # With its depot: the posting's depot is the storehouses' (_one_depot), not another query.
        return scope(Storehouse.objects.select_related("depot"), self.context["request"].user)

    def resolved_model(self):
        return Storehouse

    def allowed(self, obj) -> bool:
        # The same test as scope(): the user's read scope, None meaning every depot.
        ids = read_depot_ids(self.context["request"].user)
        return ids is None or obj.depot_id in ids


class NewLotSerializer(StrictJSONMixin, serializers.Serializer):
    ammunition_type = serializers.PrimaryKeyRelatedField(queryset=AmmunitionType.objects.all())
    manufacturer = serializers.CharField(max_length=200)
    lot_number = serializers.CharField(max_length=80)
    manufactured_on = serializers.DateField()
    condition = serializers.SlugRelatedField(
        slug_field="code", queryset=ConditionCode.objects.all(), required=False
    )
    country_of_manufacture = serializers.CharField(max_length=2, required=False, default="")
    batch = serializers.CharField(max_length=80, required=False, default="")
    expires_on = serializers.DateField(
        required=False, help_text="Overrides date of manufacture + shelf life when given."
    )


NEW_LOT_SCHEMA = {
    "type": "object",
    "properties": {
        "ammunition_type": {"type": "integer"},
        "manufacturer": {"type": "string", "maxLength": 200},
        "lot_number": {"type": "string", "maxLength": 80},
        "manufactured_on": {"type": "string", "format": "date"},
        "condition": {"type": "string"},
        "country_of_manufacture": {"type": "string", "maxLength": 2},
        "batch": {"type": "string", "maxLength": 80},
        "expires_on": {"type": "string", "format": "date"},
    },
    "required": ["ammunition_type", "manufacturer", "lot_number", "manufactured_on"],
}


@extend_schema_field({"oneOf": [{"type": "integer"}, NEW_LOT_SCHEMA]})
class LotReferenceField(serializers.Field):
    """A lot id, or a new-lot object resolved case-insensitively (created if new) on posting."""

    default_error_messages = {
        "does_not_exist": "Lot {value} does not exist.",
        "invalid": "A lot id or a new-lot object.",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            if not Lot.objects.filter(pk=data).exists():
                self.fail("does_not_exist", value=data)
            return data
        if isinstance(data, dict):
            spec = NewLotSerializer(data=data)
            spec.is_valid(raise_exception=True)
            values = spec.validated_data
            return NewLot(
                ammunition_type_id=values["ammunition_type"].pk,
                manufacturer=values["manufacturer"],
                lot_number=values["lot_number"],
                manufactured_on=values["manufactured_on"],
                condition=values["condition"].code if values.get("condition") else "A",
                country_of_manufacture=values["country_of_manufacture"],
                batch=values["batch"],
                expires_on=values.get("expires_on"),
            )
        self.fail("invalid")

    def to_representation(self, value):
        return value


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
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.all())
    from_storehouse = ScopedStorehouseField()
    to_storehouse = ScopedStorehouseField()
    quantity = serializers.IntegerField(min_value=1, max_value=2_000_000_000)


def _one_depot(storehouses) -> Depot:
    storehouses = list(storehouses)
    if len({storehouse.depot_id for storehouse in storehouses}) != 1:
        raise serializers.ValidationError({"lines": ["All lines are in storehouses of one depot."]})
    return storehouses[0].depot


def _occurred_on_today():
    """`occurred_on` where DESIGN.md §11 does not list it (receiving a transfer, returns, moves,
    adjustments, lot splits): a field added after the contract is optional, and a voucher
    without a date is dated today. Where §11 lists it, it stays required."""
    return serializers.DateField(
        default=timezone.localdate,
        help_text="The date on the paper voucher; today when left out.",
    )


class PostingSerializer(StrictJSONMixin, serializers.Serializer):
    reference = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    occurred_on = serializers.DateField()
    lines = LineSerializer(many=True, allow_empty=False, max_length=500)

    def depot(self) -> Depot:
        return _one_depot(line["storehouse"] for line in self.validated_data["lines"])

    def movements(self) -> list[posting.Movement]:
        return [
            posting.Movement(
                line["lot"] if isinstance(line["lot"], int) else line["lot"].pk,
                line["storehouse"].pk,
                line["quantity"],
            )
            for line in self.validated_data["lines"]
        ]


class ReceiptSerializer(PostingSerializer):
    counterparty = serializers.CharField(max_length=200)
    lines = ReceiptLineSerializer(many=True, allow_empty=False, max_length=500)


class IssueSerializer(PostingSerializer):
    recipient = ResolvedPrimaryKeyField(queryset=Recipient.objects.all())
    purpose = serializers.CharField(max_length=200)
    counterparty = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )

    def to_internal_value(self, data):
        # Lots, storehouses and recipient in one query (_Resolver), not one per field.
        if isinstance(data, dict) and "_resolved" not in self.context:
            self.context["_resolved"] = _Resolver.resolve(data)
        return super().to_internal_value(data)


class ReturnSerializer(PostingSerializer):
    occurred_on = _occurred_on_today()
    recipient = serializers.PrimaryKeyRelatedField(queryset=Recipient.objects.all())
    issue = serializers.PrimaryKeyRelatedField(queryset=Document.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["issue"].queryset = scope(
                Document.objects.filter(kind=DocumentKind.ISSUE), request.user
            )


class MoveSerializer(StrictJSONMixin, serializers.Serializer):
    reference = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    occurred_on = _occurred_on_today()
    lines = MoveLineSerializer(many=True, allow_empty=False, max_length=500)


class TransferSerializer(PostingSerializer):
    # Any depot may be a destination, including one outside the sender's scope.
    destination_depot = serializers.PrimaryKeyRelatedField(queryset=Depot.objects.all())


class TransferReceiveSerializer(StrictJSONMixin, serializers.Serializer):
    reference = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    occurred_on = _occurred_on_today()
    lines = LineSerializer(many=True, allow_empty=False, max_length=500)


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


# --- Output --------------------------------------------------------------------------------------


class DocumentLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lot = serializers.IntegerField(source="lot_id")
    lot_number = serializers.CharField(source="lot.lot_number")
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
    posted_by = serializers.CharField(source="posted_by.username")
    approved_by = serializers.CharField(source="approved_by.username", allow_null=True)
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


class BalanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lot = serializers.IntegerField(source="lot_id")
    lot_number = serializers.CharField(source="lot.lot_number")
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


# --- Views ---------------------------------------------------------------------------------------


def _known_objects(lines) -> list:
    """The lots and storehouses a request's validated lines already hold."""
    return [
        value for line in lines for value in line.values() if isinstance(value, (Lot, Storehouse))
    ]


def _just_posted(document: Document, known=()) -> Document | None:
    """The document as the posting service returned it, ready to serialize without reading it
    back: its lines came with it (posting._known_lines) and a new document has no reversal. The
    lines' lots and storehouses come from `known` objects, the rest in one query each.
    None if the document did not come with its lines."""
    cache = getattr(document, "_prefetched_objects_cache", {})
    if "lines" not in cache or "pending_lines" not in cache:
        return None
    lines = list(cache["lines"])
    lots = {obj.pk: obj for obj in known if isinstance(obj, Lot)}
    storehouses = {obj.pk: obj for obj in known if isinstance(obj, Storehouse)}
    if missing := {line.lot_id for line in lines} - lots.keys():
        lots.update(Lot.objects.in_bulk(missing))
    if missing := {line.storehouse_id for line in lines} - storehouses.keys():
        storehouses.update(Storehouse.objects.in_bulk(missing))
    for line in lines:
        line.lot = lots[line.lot_id]
        line.storehouse = storehouses[line.storehouse_id]
    Document._meta.get_field("reversal").set_cached_value(document, None)
    return document


class DocumentResponseMixin:
    def _document(self, document, status_code=status.HTTP_200_OK):
        document = selectors.document_list_unscoped().get(pk=document.pk)
        return Response(DocumentSerializer(document).data, status=status_code)

    def _created(self, document, known=()):
        """201 with the new document; one the service returned with its lines is not re-read."""
        posted = _just_posted(document, known)
        if posted is None:
            return self._document(document, status.HTTP_201_CREATED)
        return Response(
            _document_representer().to_representation(posted), status=status.HTTP_201_CREATED
        )


@functools.cache
def _document_representer() -> DocumentSerializer:
    """One DocumentSerializer per process whose fields are bound once: the response of a posting
    no longer deep-copies some forty field objects per request. Its output fields read only the
    document (no request context, no state kept between calls), so sharing it is safe."""
    return DocumentSerializer()


class PostingViewSet(DocumentResponseMixin, viewsets.ReadOnlyModelViewSet):
    """List (GET) the documents of one kind in your scope; post one (POST)."""

    kind: DocumentKind
    serializer_class = DocumentSerializer
    pagination_class = LedgerPagination
    filterset_class = DocumentFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.document_list(user=self.request.user).filter(kind=self.kind)


def _posting_schema(request_serializer, summary, example=None):
    return extend_schema(
        request=request_serializer,
        responses={201: DocumentSerializer},
        parameters=[IDEMPOTENCY],
        summary=summary,
        examples=[OpenApiExample("Example", value=example, request_only=True)] if example else [],
    )


class ReceiptViewSet(PostingViewSet):
    kind = DocumentKind.RECEIPT

    @_posting_schema(
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
        data = ReceiptSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        document = posting.receipt_post(
            depot=data.depot(),
            lines=[
                posting.ReceiptLine(line["lot"], line["storehouse"].pk, line["quantity"])
                for line in values["lines"]
            ],
            occurred_on=values["occurred_on"],
            posted_by=request.user,
            counterparty=values["counterparty"],
            reference=values["reference"],
        )
        return self._created(document, _known_objects(values["lines"]))


class IssueViewSet(PostingViewSet):
    kind = DocumentKind.ISSUE

    @_posting_schema(IssueSerializer, "Issue stock to a recipient")
    @idempotent
    def create(self, request):
        data = IssueSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        document = posting.issue_post(
            depot=data.depot(),
            lines=data.movements(),
            recipient=values["recipient"],
            occurred_on=values["occurred_on"],
            posted_by=request.user,
            purpose=values["purpose"],
            counterparty=values["counterparty"],
            reference=values["reference"],
        )
        return self._created(document, _known_objects(values["lines"]))


class ReturnViewSet(PostingViewSet):
    kind = DocumentKind.RETURN

    @_posting_schema(ReturnSerializer, "Take back stock returned by a recipient")
    @idempotent
    def create(self, request):
        data = ReturnSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        document = posting.return_post(
            depot=data.depot(),
            lines=data.movements(),
            recipient=values["recipient"],
            source_issue=values.get("issue"),
            occurred_on=values["occurred_on"],
            posted_by=request.user,
            reference=values["reference"],
        )
        return self._created(document, _known_objects(values["lines"]))


class MoveViewSet(PostingViewSet):
    kind = DocumentKind.INTERNAL_MOVE

    @_posting_schema(MoveSerializer, "Move stock between storehouses of one depot")
    @idempotent
    def create(self, request):
        data = MoveSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
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

    @_posting_schema(TransferSerializer, "Dispatch a transfer to another depot (in transit)")
    @idempotent
    def create(self, request):
        data = TransferSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        document = posting.transfer_dispatch(
            depot=data.depot(),
            destination_depot=values["destination_depot"],
            lines=data.movements(),
            occurred_on=values["occurred_on"],
            posted_by=request.user,
            reference=values["reference"],
        )
        return self._created(document, _known_objects(values["lines"]))

    @extend_schema(
        request=TransferReceiveSerializer,
        responses={201: TransferReceiptSerializer},
        parameters=[IDEMPOTENCY],
        summary="Receive a transfer at its destination (shortfall: received_with_discrepancy)",
        description="The answer is the receipt document posted at the destination (its `id`, "
        "`number`, `kind` `transfer_receipt`, `lines`, ...) with `status` and `transfer_status` "
        "giving the transfer's resulting status: `received`, or `received_with_discrepancy` "
        "when less than was sent arrived. `occurred_on` is today when left out.",
        examples=[
            OpenApiExample(
                "Receive",
                value={"lines": [{"lot": 12, "storehouse": 7, "quantity": 38}]},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def receive(self, request, pk=None):
        transfer = get_object_or_404(self.get_queryset(), pk=pk)
        data = TransferReceiveSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
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

    @_posting_schema(AdjustmentSerializer, "Propose an adjustment (pending approval)")
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

    @extend_schema(
        request=None,
        responses={200: DocumentSerializer},
        parameters=[IDEMPOTENCY],
        summary="Approve a pending adjustment (an inspector other than its author)",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request, pk=None):
        document = posting.adjustment_approve(
            document=get_object_or_404(self.get_queryset(), pk=pk), approved_by=request.user
        )
        return Response(
            DocumentSerializer(selectors.document_list_unscoped().get(pk=document.pk)).data
        )

    @extend_schema(
        request=None,
        responses={200: DocumentSerializer},
        parameters=[IDEMPOTENCY],
        summary="Reject a pending adjustment",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def reject(self, request, pk=None):
        document = posting.adjustment_reject(
            document=get_object_or_404(self.get_queryset(), pk=pk), rejected_by=request.user
        )
        return Response(
            DocumentSerializer(selectors.document_list_unscoped().get(pk=document.pk)).data
        )


@extend_schema_view(
    list=extend_schema(summary="Every document in your scope, newest first, with its lines"),
    retrieve=extend_schema(summary="One document with its lines"),
)
class DocumentViewSet(DocumentResponseMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = DocumentSerializer
    pagination_class = LedgerPagination
    filterset_class = DocumentFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.document_list(user=self.request.user)

    @_posting_schema(ReverseSerializer, "Reverse a document (once), with a reason")
    @action(detail=True, methods=["post"])
    @idempotent
    def reverse(self, request, pk=None):
        data = ReverseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reversal = posting.document_reverse(
            document=get_object_or_404(self.get_queryset(), pk=pk),
            reason=data.validated_data["reason"],
            posted_by=request.user,
        )
        return self._created(reversal)


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
class LotViewSet(DocumentResponseMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = LotSerializer
    filterset_class = LotFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.lot_list(user=self.request.user).order_by("id")

    def get_serializer_class(self):
        return NewLotSerializer if self.action == "create" else LotSerializer

    @extend_schema(request=NewLotSerializer, responses={201: LotSerializer})
    def create(self, request):
        data = NewLotSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        lot = lot_create(
            spec=NewLot(
                ammunition_type_id=values["ammunition_type"].pk,
                manufacturer=values["manufacturer"],
                lot_number=values["lot_number"],
                manufactured_on=values["manufactured_on"],
                condition=values["condition"].code if values.get("condition") else "A",
                country_of_manufacture=values["country_of_manufacture"],
                batch=values["batch"],
                expires_on=values.get("expires_on"),
            ),
            created_by=request.user,
        )
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

    @_posting_schema(SplitSerializer, "Split part of the lot into a child lot with a new condition")
    @action(detail=True, methods=["post"])
    @idempotent
    def split(self, request, pk=None):
        lot = get_object_or_404(self.get_queryset(), pk=pk)
        data = SplitSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
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

    @_posting_schema(
        MergeSerializer,
        "Merge a classified child lot's whole stock back into its parent (inspector)",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def merge(self, request, pk=None):
        # A lot never held in the user's depots is a 404 (DESIGN.md §1), as its holdings are.
        lot = get_object_or_404(selectors.lot_list_held(user=request.user), pk=pk)
        data = MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        document = posting.lot_merge(
            lot=lot,
            posted_by=request.user,
            occurred_on=values["occurred_on"],
            reason=values["reason"],
        )
        return self._created(document)
