"""Shapes of the diversion API: input serializers check shape (strict JSON types), the services
decide; output serializers read rows the selectors already joined."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import (
    ReadOnlyModelSerializer,
    ScopedPrimaryKeyRelatedField,
    StrictJSONMixin,
    username_field,
)
from diversion import selectors
from diversion.models import (
    AuthenticationResult,
    CaseLine,
    CaseParty,
    ChecklistItem,
    FoundContext,
    Party,
    PartyDocument,
    PartyDocumentKind,
    PartyKind,
    PartyStatus,
    RiskAssessment,
    RiskLevel,
    TracingRequest,
    TrainingAllocation,
    TransferCase,
    TransferPurpose,
    Verification,
    VerificationKind,
    VerificationResult,
)
from inventory.models import AmmunitionType, Depot, Lot, Recipient, Storehouse

COUNTRY = {"min_length": 2, "max_length": 2, "help_text": "ISO 3166 two-letter code."}


# --- Parties -------------------------------------------------------------------------------------


class PartySerializer(ReadOnlyModelSerializer):
    identifiers = serializers.DictField(child=serializers.CharField())
    status_changed_by = username_field("status_changed_by")

    class Meta:
        model = Party
        fields = [
            "id", "kind", "name", "country", "identifiers", "address", "status", "status_reason",
            "status_source", "status_changed_by", "status_changed_at", "created_at",
        ]  # fmt: skip


class PartyCreateSerializer(StrictJSONMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=PartyKind.choices)
    name = serializers.CharField(max_length=200)
    country = serializers.CharField(**COUNTRY)
    identifiers = serializers.DictField(
        child=serializers.CharField(max_length=120, allow_blank=True),
        required=False,
        default=dict,
        help_text='Name → value, e.g. {"IMO": "9074729"}.',
    )
    address = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    status = serializers.ChoiceField(
        choices=PartyStatus.choices, required=False, default=PartyStatus.PENDING
    )
    status_reason = serializers.CharField(
        max_length=2000, required=False, default="", allow_blank=True,
        help_text="Required unless the status is pending.",
    )  # fmt: skip
    status_source = serializers.CharField(
        max_length=300, required=False, default="", allow_blank=True
    )


class PartyUpdateSerializer(StrictJSONMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    country = serializers.CharField(required=False, **COUNTRY)
    identifiers = serializers.DictField(
        child=serializers.CharField(max_length=120, allow_blank=True), required=False
    )
    address = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=PartyStatus.choices, required=False)
    status_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    status_source = serializers.CharField(max_length=300, required=False, allow_blank=True)


class HistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="history_date")
    user = username_field("history_user", null=True)
    change = serializers.CharField(source="get_history_type_display")
    changes = serializers.DictField(child=serializers.ListField(allow_null=True))


# --- Party documents -----------------------------------------------------------------------------


class PartyDocumentSerializer(ReadOnlyModelSerializer):
    party_name = serializers.CharField(source="party.name")
    authenticated_by = username_field("authenticated_by", null=True)
    recorded_by = username_field("recorded_by")

    class Meta:
        model = PartyDocument
        fields = [
            "id", "party", "party_name", "kind", "number", "issuer", "valid_from", "valid_until",
            "authentication_result", "authentication_method", "authenticated_by",
            "authenticated_at", "recorded_by", "recorded_at",
        ]  # fmt: skip


class PartyDocumentCreateSerializer(StrictJSONMixin, serializers.Serializer):
    party = serializers.PrimaryKeyRelatedField(queryset=Party.objects.all())
    kind = serializers.ChoiceField(choices=PartyDocumentKind.choices)
    number = serializers.CharField(max_length=120)
    issuer = serializers.CharField(max_length=200)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()


class AuthenticateSerializer(StrictJSONMixin, serializers.Serializer):
    result = serializers.ChoiceField(
        choices=[c for c in AuthenticationResult.choices if c[0] != AuthenticationResult.UNCHECKED]
    )
    method = serializers.CharField(max_length=300, help_text="Who was asked, how.")


# --- Transfer cases ------------------------------------------------------------------------------


class CaseLineSerializer(ReadOnlyModelSerializer):
    lot_number = serializers.CharField(source="lot.lot_number")
    ammunition_type = serializers.CharField(source="lot.ammunition_type.code")
    storehouse_code = serializers.CharField(source="storehouse.code")

    class Meta:
        model = CaseLine
        fields = [
            "lot", "lot_number", "ammunition_type", "storehouse", "storehouse_code", "quantity",
        ]  # fmt: skip


class CasePartySerializer(ReadOnlyModelSerializer):
    name = serializers.CharField(source="party.name")
    country = serializers.CharField(source="party.country")
    status = serializers.CharField(source="party.status")

    class Meta:
        model = CaseParty
        fields = ["party", "role", "name", "country", "status"]


class TransferCaseSerializer(ReadOnlyModelSerializer):
    number = serializers.CharField()
    depot_code = serializers.CharField(source="depot.code")
    consignee_name = serializers.CharField(source="consignee.name")
    end_user_name = serializers.CharField(source="end_user.name")
    end_user_certificate_number = serializers.CharField(source="end_user_certificate.number")
    transit_states = serializers.ListField(child=serializers.CharField())
    lines = CaseLineSerializer(many=True)
    chain = CasePartySerializer(many=True)
    created_by = username_field("created_by")
    dispatch_document_number = serializers.CharField(
        source="dispatch_document.number", allow_null=True, default=None
    )
    dispatched_by = username_field("dispatched_by", null=True)

    class Meta:
        model = TransferCase
        fields = [
            "id", "number", "depot", "depot_code", "purpose", "reference", "status", "consignee",
            "consignee_name", "end_user", "end_user_name", "end_user_certificate",
            "end_user_certificate_number", "recipient", "destination_country", "transit_states",
            "route", "transport", "port_of_exit", "disposal_plan_reference", "lines", "chain",
            "created_by", "created_at", "dispatch_document", "dispatch_document_number",
            "dispatched_by", "dispatched_at",
        ]  # fmt: skip


class CaseLineInputSerializer(StrictJSONMixin, serializers.Serializer):
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.all())
    storehouse = ScopedPrimaryKeyRelatedField(queryset=Storehouse.objects.all())
    quantity = serializers.IntegerField(min_value=1, max_value=2_000_000_000)


class ChainInputSerializer(StrictJSONMixin, serializers.Serializer):
    party = serializers.PrimaryKeyRelatedField(queryset=Party.objects.all())
    role = serializers.ChoiceField(choices=PartyKind.choices)


class TransferCaseCreateSerializer(StrictJSONMixin, serializers.Serializer):
    depot = ScopedPrimaryKeyRelatedField(
        queryset=Depot.objects.all(),
        depot_field="pk",
        help_text="The depot the consignment leaves from.",
    )
    purpose = serializers.ChoiceField(choices=TransferPurpose.choices)
    reference = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    consignee = serializers.PrimaryKeyRelatedField(queryset=Party.objects.all())
    end_user = serializers.PrimaryKeyRelatedField(queryset=Party.objects.all())
    end_user_certificate = serializers.PrimaryKeyRelatedField(queryset=PartyDocument.objects.all())
    recipient = serializers.PrimaryKeyRelatedField(
        queryset=Recipient.objects.all(), required=False, allow_null=True,
        help_text="The recipient to issue to; by default the consignee's, added to the register "
        "of recipients when first needed.",
    )  # fmt: skip
    destination_country = serializers.CharField(**COUNTRY)
    transit_states = serializers.ListField(
        child=serializers.CharField(**COUNTRY), required=False, default=list, max_length=30
    )
    route = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
    transport = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    port_of_exit = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )
    disposal_plan_reference = serializers.CharField(
        max_length=60, required=False, default="", allow_blank=True
    )
    lines = CaseLineInputSerializer(many=True, allow_empty=False, max_length=500)
    chain = ChainInputSerializer(many=True, required=False, default=list, max_length=50)


class DispatchSerializer(StrictJSONMixin, serializers.Serializer):
    occurred_on = serializers.DateField()


# --- Risk assessments ----------------------------------------------------------------------------


class RiskAnswerSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item.pk")
    code = serializers.CharField(source="item.code")
    question = serializers.CharField(source="item.question")
    guidance = serializers.CharField(source="item.guidance")
    risk = serializers.CharField(source="answer.risk", allow_null=True, default=None)
    evidence = serializers.CharField(source="answer.evidence", allow_null=True, default=None)
    sources = serializers.CharField(source="answer.sources", allow_null=True, default=None)
    answered_by = username_field("answer.answered_by", null=True)


class RiskAssessmentSerializer(ReadOnlyModelSerializer):
    number = serializers.CharField()
    case_number = serializers.CharField(source="case.number")
    checklist_version = serializers.IntegerField(source="checklist.version")
    author = username_field("author")
    override_by = username_field("override_by", null=True)
    approved_by = username_field("approved_by", null=True)
    overall_risk = serializers.SerializerMethodField()
    items = serializers.IntegerField(source="item_count")
    answered = serializers.IntegerField()

    class Meta:
        model = RiskAssessment
        fields = [
            "id", "number", "case", "case_number", "checklist_version", "status", "overall_risk",
            "items", "answered", "conclusion", "author", "created_at", "override_by",
            "override_at", "override_reason", "approved_by", "approved_at", "expires_on",
        ]  # fmt: skip

    @extend_schema_field(serializers.ChoiceField(choices=RiskLevel.choices, allow_null=True))
    def get_overall_risk(self, assessment):
        return selectors.overall_risk_of(assessment)


class RiskAssessmentDetailSerializer(RiskAssessmentSerializer):
    answers = serializers.SerializerMethodField()

    class Meta(RiskAssessmentSerializer.Meta):
        fields = [*RiskAssessmentSerializer.Meta.fields, "answers"]

    @extend_schema_field(RiskAnswerSerializer(many=True))
    def get_answers(self, assessment):
        rows = selectors.risk_assessment_answers(assessment=assessment)
        return RiskAnswerSerializer(rows, many=True).data


class RiskAssessmentCreateSerializer(StrictJSONMixin, serializers.Serializer):
    case = ScopedPrimaryKeyRelatedField(
        queryset=TransferCase.objects.all(), selector=selectors.transfer_case_list
    )


class AnswerInputSerializer(StrictJSONMixin, serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=ChecklistItem.objects.all())
    risk = serializers.ChoiceField(choices=RiskLevel.choices)
    evidence = serializers.CharField(max_length=10_000)
    sources = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)


class ConclusionSerializer(StrictJSONMixin, serializers.Serializer):
    conclusion = serializers.CharField(max_length=10_000, allow_blank=True)


class OverrideSerializer(StrictJSONMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


# --- Verifications -------------------------------------------------------------------------------


class DeliveryVerificationSerializer(ReadOnlyModelSerializer):
    case_number = serializers.CharField(source="case.number")
    depot_code = serializers.CharField(source="case.depot.code")
    end_user_name = serializers.CharField(source="case.end_user.name")
    recorded_by = username_field("recorded_by", null=True)
    incident_number = serializers.CharField(source="incident.number", allow_null=True, default=None)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Verification
        fields = [
            "id", "case", "case_number", "depot_code", "end_user_name", "kind", "due_on",
            "overdue", "result", "performed_on", "evidence", "recorded_by", "recorded_at",
            "incident", "incident_number", "cancelled_by_reversal",
        ]  # fmt: skip

    def get_overdue(self, verification) -> bool:
        return verification.result == VerificationResult.PENDING and (
            verification.due_on < self.context["today"]
        )


class VerificationScheduleSerializer(StrictJSONMixin, serializers.Serializer):
    case = ScopedPrimaryKeyRelatedField(
        queryset=TransferCase.objects.all(), selector=selectors.transfer_case_list
    )
    kind = serializers.ChoiceField(choices=VerificationKind.choices)
    due_on = serializers.DateField()


class VerificationRecordSerializer(StrictJSONMixin, serializers.Serializer):
    result = serializers.ChoiceField(
        choices=[VerificationResult.PASSED.value, VerificationResult.FAILED.value]
    )
    performed_on = serializers.DateField()
    evidence = serializers.CharField(max_length=10_000)


# --- Trace and tracing requests ------------------------------------------------------------------


class TraceBalanceSerializer(serializers.Serializer):
    depot = serializers.CharField()
    storehouse = serializers.CharField()
    quantity = serializers.IntegerField()


class TraceCasePartySerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    country = serializers.CharField()


class TraceVerificationSerializer(serializers.Serializer):
    kind = serializers.CharField()
    due_on = serializers.DateField()
    result = serializers.CharField()


class TraceCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    consignee = serializers.CharField()
    end_user = serializers.CharField()
    destination_country = serializers.CharField()
    parties = TraceCasePartySerializer(many=True)
    verifications = TraceVerificationSerializer(many=True)


class TraceEventSerializer(serializers.Serializer):
    document = serializers.CharField(help_text="The document number.")
    document_id = serializers.IntegerField()
    kind = serializers.CharField()
    occurred_on = serializers.DateField()
    depot = serializers.CharField()
    storehouse = serializers.CharField()
    quantity = serializers.IntegerField(help_text="Signed: + into the storehouse, − out of it.")
    party = serializers.CharField(
        help_text="Recipient, destination or sending depot, or counterparty."
    )
    transfer_case = TraceCaseSerializer(allow_null=True)


class TraceLotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lot_number = serializers.CharField()
    ammunition_type = serializers.CharField()
    manufacturer = serializers.CharField()
    balances = TraceBalanceSerializer(many=True)
    events = TraceEventSerializer(many=True)
    events_complete = serializers.BooleanField(
        help_text="False when the lot has more events than the trace gives (its first 2,000)."
    )


class TraceSerializer(serializers.Serializer):
    lots = TraceLotSerializer(many=True)


class CandidateHolderSerializer(serializers.Serializer):
    depot = serializers.CharField()
    quantity = serializers.IntegerField()


class CandidateOutgoingSerializer(serializers.Serializer):
    document = serializers.CharField()
    kind = serializers.CharField()
    occurred_on = serializers.DateField()
    from_depot = serializers.CharField()
    to = serializers.CharField()
    quantity = serializers.IntegerField()


class CandidateSerializer(serializers.Serializer):
    lot = serializers.IntegerField()
    lot_number = serializers.CharField()
    ammunition_type = serializers.CharField()
    manufacturer = serializers.CharField()
    held_by = CandidateHolderSerializer(many=True)
    last_outgoing = CandidateOutgoingSerializer(many=True)


class TracingRequestSerializer(ReadOnlyModelSerializer):
    number = serializers.CharField()
    candidates = CandidateSerializer(many=True)
    recorded_by = username_field("recorded_by")
    answered_by = username_field("answered_by", null=True)

    class Meta:
        model = TracingRequest
        fields = [
            "id", "number", "reference", "requesting_authority", "context", "lot_marking",
            "description", "quantity", "place", "found_on", "candidates", "recorded_by",
            "recorded_at", "answer", "answered_by", "answered_at",
        ]  # fmt: skip


class TracingRequestCreateSerializer(StrictJSONMixin, serializers.Serializer):
    reference = serializers.CharField(max_length=120)
    requesting_authority = serializers.CharField(max_length=200)
    context = serializers.ChoiceField(choices=FoundContext.choices)
    lot_marking = serializers.CharField(max_length=80, help_text="As read; any part, any case.")
    description = serializers.CharField(
        max_length=5000, required=False, default="", allow_blank=True
    )
    quantity = serializers.IntegerField(min_value=1, max_value=2_000_000_000)
    place = serializers.CharField(max_length=300)
    found_on = serializers.DateField()


class AnswerTextSerializer(StrictJSONMixin, serializers.Serializer):
    answer = serializers.CharField(max_length=20_000)


# --- Training allocations ------------------------------------------------------------------------


class TrainingAllocationSerializer(ReadOnlyModelSerializer):
    recipient_code = serializers.CharField(source="recipient.code")
    ammunition_type_code = serializers.CharField(source="ammunition_type.code")
    set_by = username_field("set_by")

    class Meta:
        model = TrainingAllocation
        fields = [
            "id", "recipient", "recipient_code", "ammunition_type", "ammunition_type_code",
            "year", "quantity", "approval_reference", "set_by", "set_at",
        ]  # fmt: skip


class TrainingAllocationSetSerializer(StrictJSONMixin, serializers.Serializer):
    recipient = serializers.PrimaryKeyRelatedField(queryset=Recipient.objects.all())
    ammunition_type = serializers.PrimaryKeyRelatedField(queryset=AmmunitionType.objects.all())
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quantity = serializers.IntegerField(min_value=0, max_value=2_000_000_000)
    approval_reference = serializers.CharField(max_length=120)
