"""Stock checks and incidents over the API (DESIGN.md §11, audit module).

`stock-checks/` (plan, list), `stock-checks/{id}/start|submit|approve|reject|cancel/`,
`stock-checks/{id}/counts/` (GET the lines, blind for counters; POST a count),
`stock-checks/{id}/notes/` (investigation notes and reason code of a line), `incidents/` (report,
list), `incidents/{id}/` (PATCH status, findings, suspected point of loss, documents),
`incidents/monthly/`. Objects outside one's depots are 404; named in a body, 400; a role that
may not act, 403. Every POST takes an optional Idempotency-Key.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api import LedgerViewSet, act_schema, read_schema, validated
from core.api_flows import CreateAct, ObjectAct, object_post, paginated
from core.drf import LedgerPagination, ReferencePagination
from core.idempotency import idempotent
from core.serializers import (
    ReadOnlyModelSerializer,
    ScopedPrimaryKeyRelatedField,
    StrictJSONMixin,
    username_field,
)
from inventory.api.serializers import depot_field, storehouse_field
from inventory.models import (
    Document,
    Incident,
    IncidentKind,
    IncidentStatus,
    Lot,
)
from inventory.models.ledger import AdjustmentReason
from stockchecks import selectors, services
from stockchecks.filters import IncidentFilter, StockCheckFilter
from stockchecks.models import StockCheck, StockCheckKind, StockCheckLine


class LinePagination(LedgerPagination):
    ordering = "id"


def _document_field() -> ScopedPrimaryKeyRelatedField:
    """The id of a document of the reader's depots."""
    return ScopedPrimaryKeyRelatedField(queryset=Document.objects.all())


# --- Stock checks --------------------------------------------------------------------------------


class StockCheckPlanSerializer(StrictJSONMixin, serializers.Serializer):
    depot = depot_field()
    storehouse = storehouse_field(
        required=False, allow_null=True, help_text="Count one storehouse only."
    )
    kind = serializers.ChoiceField(choices=StockCheckKind.choices)
    sample_size = serializers.IntegerField(
        min_value=1, max_value=1_000_000, required=False, allow_null=True,
        help_text="Lines drawn at random (kind sample).",
    )  # fmt: skip
    seed = serializers.IntegerField(
        min_value=0, max_value=2**53 - 1, required=False, allow_null=True,
        help_text="The random selection's seed (kind sample); drawn and recorded when absent.",
    )  # fmt: skip
    freeze_depot = serializers.BooleanField(
        required=False, default=False,
        help_text="Refuse every posting in the depot (409 depot_frozen) while the check is open.",
    )  # fmt: skip
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class StockCheckSerializer(ReadOnlyModelSerializer):
    number = serializers.CharField()
    depot_code = serializers.CharField(source="depot.code")
    storehouse_code = serializers.CharField(source="storehouse.code", allow_null=True, default=None)
    planned_by = username_field("planned_by")
    started_by = username_field("started_by", null=True)
    submitted_by = username_field("submitted_by", null=True)
    approved_by = username_field("approved_by", null=True)
    accuracy_pct = serializers.FloatField(allow_null=True)
    adjustments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = StockCheck
        fields = [
            "id", "number", "depot", "depot_code", "storehouse", "storehouse_code", "kind",
            "sample_size", "seed", "population", "freeze_depot", "frozen", "status", "note",
            "planned_by", "planned_at", "started_by", "started_at", "submitted_by",
            "submitted_at", "approved_by", "approved_at", "rejections", "rejection_note",
            "lines_counted", "lines_correct", "accuracy_pct", "units_variance",
            "units_variance_abs", "neq_variance_kg", "adjustments",
        ]  # fmt: skip


class CountLineSerializer(ReadOnlyModelSerializer):
    """A line to count. The book fields are null for whoever counts (counting is blind)."""

    lot_number = serializers.CharField(source="lot.lot_number")
    ammunition_type = serializers.CharField(source="lot.ammunition_type.code")
    storehouse_code = serializers.CharField(source="storehouse.code")
    book_at_start = serializers.SerializerMethodField()
    movements = serializers.SerializerMethodField()
    expected = serializers.SerializerMethodField()
    variance = serializers.SerializerMethodField()

    class Meta:
        model = StockCheckLine
        fields = [
            "id", "lot", "lot_number", "ammunition_type", "storehouse", "storehouse_code", "extra",
            "counted_quantity", "counts", "reason", "note", "book_at_start", "movements",
            "expected", "variance",
        ]  # fmt: skip

    def _book(self, line, value):
        return value if self.context.get("book_visible") else None

    def get_book_at_start(self, line) -> int | None:
        return self._book(line, line.book_at_start)

    def get_movements(self, line) -> int | None:
        return self._book(line, line.movements if line.counted_quantity is not None else None)

    def get_expected(self, line) -> int | None:
        return self._book(line, line.expected if line.counted_quantity is not None else None)

    def get_variance(self, line) -> int | None:
        return self._book(line, line.variance)


class CountSerializer(StrictJSONMixin, serializers.Serializer):
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.all())
    storehouse = storehouse_field()
    quantity = serializers.IntegerField(min_value=0, max_value=2_000_000_000)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class NoteSerializer(StrictJSONMixin, serializers.Serializer):
    line = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    reason = serializers.ChoiceField(choices=AdjustmentReason.choices, required=False)


class RejectSerializer(StrictJSONMixin, serializers.Serializer):
    note = serializers.CharField(max_length=2000)
    recount = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=5000,
        help_text="Ids of the lines to count again.",
    )  # fmt: skip


@read_schema(
    "Stock checks in your depots, newest first", "One stock check with its accuracy figures"
)
class StockCheckViewSet(LedgerViewSet):
    serializer_class = StockCheckSerializer
    filterset_class = StockCheckFilter
    act_subject = "stock_check"

    def get_queryset(self):
        rows = selectors.stock_check_list(user=self.request.user)
        if self.action in ("list", "retrieve"):
            rows = rows.prefetch_related("adjustments")
        return rows

    def answer_queryset(self):
        return self.get_queryset().prefetch_related("adjustments")

    create = CreateAct(
        "Plan a 100 % check (of a depot or one storehouse) or a random sample check",
        StockCheckPlanSerializer,
        services.stock_check_plan,
        actor="planned_by",
    )
    start = ObjectAct(
        "Start counting: snapshot the book (and freeze the depot if planned)",
        services.stock_check_start,
        actor="started_by",
    )
    submit = ObjectAct(
        "Submit the counts for approval (every line counted)",
        services.stock_check_submit,
        actor="submitted_by",
    )
    approve = ObjectAct(
        "Approve: post the variances as adjustments (an inspector who neither planned, counted "
        "nor submitted the check; 409 self_approval otherwise)",
        services.stock_check_approve,
        actor="approved_by",
    )
    reject = ObjectAct(
        "Send the counts back for recounting",
        services.stock_check_reject,
        actor="rejected_by",
        body=RejectSerializer,
    )
    cancel = ObjectAct(
        "Cancel an open check (nothing posted; the depot is unfrozen)",
        services.stock_check_cancel,
        actor="cancelled_by",
    )

    @extend_schema(
        summary="The lines to count, with the latest count; book quantities are null for "
        "whoever counts",
        responses={200: CountLineSerializer(many=True)},
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=LinePagination, filterset_class=None)
    def counts(self, request, pk=None):
        stock_check = self.get_object()
        rows = selectors.stock_check_lines(stock_check=stock_check).order_by()
        book_visible = selectors.book_visible(request.user, stock_check)
        return paginated(self, rows, CountLineSerializer, book_visible=book_visible)

    @act_schema(
        "Record a count of one line (again to recount; a lot not listed is added as found stock)",
        CountSerializer,
        CountLineSerializer,
        status.HTTP_201_CREATED,
    )
    @counts.mapping.post
    @idempotent
    def count_create(self, request, pk=None):
        stock_check = self.get_object()
        values = validated(CountSerializer, request)
        line = services.stock_check_count(
            stock_check=stock_check, counted_by=request.user, **values
        )
        return self._line(request, stock_check, line, status.HTTP_201_CREATED)

    def _line(self, request, stock_check, line, code):
        stock_check.refresh_from_db()
        context = {"book_visible": selectors.book_visible(request.user, stock_check)}
        line = selectors.stock_check_lines(stock_check=stock_check).get(pk=line.pk)
        return Response(CountLineSerializer(line, context=context).data, status=code)

    @object_post(
        "Investigation notes and the reason code a line's variance is posted with",
        NoteSerializer,
        CountLineSerializer,
    )
    def notes(self, request, pk=None):
        stock_check = self.get_object()
        values = validated(NoteSerializer, request)
        line = stock_check.lines.filter(pk=values["line"]).first()
        if line is None:
            raise ValidationError({"line": ["Not a line of this stock check."]})
        line = services.stock_check_line_annotate(
            line=line, user=request.user, note=values.get("note"), reason=values.get("reason")
        )
        return self._line(request, stock_check, line, status.HTTP_200_OK)


# --- Incidents -----------------------------------------------------------------------------------


class IncidentSerializer(ReadOnlyModelSerializer):
    number = serializers.CharField()
    depot_code = serializers.CharField(source="depot.code")
    other_depot_code = serializers.CharField(
        source="other_depot.code", allow_null=True, default=None
    )
    reported_by = username_field("reported_by")
    closed_by = username_field("closed_by", null=True)
    stock_check = serializers.IntegerField(source="stock_check_id", read_only=True, allow_null=True)
    documents = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    document_numbers = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id", "number", "depot", "depot_code", "other_depot", "other_depot_code", "kind",
            "status", "title", "description", "occurred_on", "units_lost", "neq_lost_kg",
            "stock_check", "documents", "document_numbers", "reported_by", "reported_at",
            "findings", "suspected_point_of_loss", "closed_by", "closed_at",
        ]  # fmt: skip

    def get_document_numbers(self, incident) -> list[str]:
        return [document.number for document in incident.documents.all()]


class IncidentReportSerializer(StrictJSONMixin, serializers.Serializer):
    depot = depot_field()
    kind = serializers.ChoiceField(choices=[IncidentKind.THEFT, IncidentKind.OTHER])
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=10_000, required=False, default="", allow_blank=True
    )
    occurred_on = serializers.DateField()
    units_lost = serializers.IntegerField(
        min_value=0, max_value=2_000_000_000, required=False, default=0
    )
    documents = serializers.ListField(
        child=_document_field(), required=False, default=list, max_length=100
    )


class IncidentUpdateSerializer(StrictJSONMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=IncidentStatus.choices, required=False)
    findings = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    suspected_point_of_loss = serializers.CharField(
        max_length=300, required=False, allow_blank=True
    )
    documents = serializers.ListField(
        child=_document_field(), required=False, max_length=100,
        help_text="Replaces the documents linked to the incident.",
    )  # fmt: skip


class IncidentMonthSerializer(serializers.Serializer):
    depot = serializers.IntegerField(source="depot_id")
    depot_code = serializers.CharField(source="depot__code")
    month = serializers.DateField()
    incidents = serializers.IntegerField()
    unresolved = serializers.IntegerField()
    thefts = serializers.IntegerField()
    transit_shortfalls = serializers.IntegerField()
    count_variances = serializers.IntegerField()
    units_lost = serializers.IntegerField()


@read_schema(
    "Loss and discrepancy incidents in your depots, newest first",
    "One incident with its linked documents",
)
class IncidentViewSet(LedgerViewSet):
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter

    def get_queryset(self):
        return selectors.incident_list(user=self.request.user).prefetch_related("documents")

    create = CreateAct(
        "Report a theft or another loss (losses found by the system open incidents themselves)",
        IncidentReportSerializer,
        services.incident_report,
        actor="reported_by",
    )

    @extend_schema(
        request=IncidentUpdateSerializer,
        responses={200: IncidentSerializer},
        summary="Investigate: status (open → under_investigation → closed), findings (needed to "
        "close), suspected point of loss, linked documents",
    )
    def partial_update(self, request, pk=None):
        incident = self.get_object()
        values = validated(IncidentUpdateSerializer, request)
        incident = services.incident_update(incident=incident, user=request.user, **values)
        return self._answer(incident)

    @extend_schema(
        summary="Incidents per depot and month: reported, unresolved, by kind, units lost",
        responses={200: IncidentMonthSerializer(many=True)},
        filters=False,
    )
    @action(
        detail=False, methods=["get"], pagination_class=ReferencePagination, filterset_class=None
    )
    def monthly(self, request):
        return paginated(
            self, selectors.incident_monthly(user=request.user), IncidentMonthSerializer
        )
