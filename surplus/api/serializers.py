"""API shapes of the surplus module (DESIGN.md §9, §11). Serializers check shape and scope; the
surplus services check the rules."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from core.serializers import ReadOnlyModelSerializer, StrictJSONMixin, username_field
from inventory.api.serializers import depot_field
from inventory.models import AmmunitionType, Lot, Storehouse
from inventory.models.reference import AmmunitionCategory
from surplus.models import (
    DisposalExecution,
    DisposalMethod,
    DisposalPlan,
    DisposalPlanLine,
    InterchangeableGroup,
    Requirement,
    SnapshotRow,
    SurplusSnapshot,
)

BIG = 9_000_000_000_000


# --- Requirements -----------------------------------------------------------------------------


class RequirementSerializer(ReadOnlyModelSerializer):
    total = serializers.IntegerField(
        read_only=True,
        help_text="operational + training_per_year x training_years + testing + contingency",
    )
    set_by = username_field("set_by", read_only=True)

    class Meta:
        model = Requirement
        fields = [
            "id",
            "ammunition_type",
            "group",
            "version",
            "effective_from",
            "operational",
            "training_per_year",
            "training_years",
            "testing",
            "contingency",
            "total",
            "approval_reference",
            "note",
            "set_by",
            "set_at",
        ]


class RequirementCreateSerializer(StrictJSONMixin, serializers.Serializer):
    ammunition_type = serializers.PrimaryKeyRelatedField(
        queryset=AmmunitionType.objects.all(),
        required=False,
        allow_null=True,
        help_text="The type; or name a `group` of interchangeable types instead.",
    )
    group = serializers.PrimaryKeyRelatedField(
        queryset=InterchangeableGroup.objects.all(), required=False, allow_null=True
    )
    effective_from = serializers.DateField()
    operational = serializers.IntegerField(min_value=0, max_value=BIG)
    training_per_year = serializers.IntegerField(min_value=0, max_value=BIG)
    training_years = serializers.IntegerField(min_value=0, max_value=100)
    testing = serializers.IntegerField(min_value=0, max_value=BIG)
    contingency = serializers.IntegerField(min_value=0, max_value=BIG)
    approval_reference = serializers.CharField(max_length=120)
    note = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)

    def validate(self, attrs):
        if (attrs.get("ammunition_type") is None) == (attrs.get("group") is None):
            raise serializers.ValidationError(
                {"ammunition_type": [_("Name either an ammunition type or a group of types.")]}
            )
        return attrs


class GroupSerializer(ReadOnlyModelSerializer):
    types = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = InterchangeableGroup
        fields = ["id", "code", "name", "types"]


class GroupCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=200)


class GroupMemberSerializer(serializers.Serializer):
    ammunition_type = serializers.PrimaryKeyRelatedField(queryset=AmmunitionType.objects.all())


# --- Surplus ----------------------------------------------------------------------------------


class SurplusQuerySerializer(serializers.Serializer):
    """Query parameters: each given at most once and never empty (as the schema says)."""

    depot = depot_field(required=False)
    region = serializers.CharField(max_length=100, required=False)
    ammunition_type = serializers.PrimaryKeyRelatedField(
        queryset=AmmunitionType.objects.all(), required=False
    )
    category = serializers.ChoiceField(choices=AmmunitionCategory.choices, required=False)
    as_of = serializers.DateField(required=False)

    def to_internal_value(self, data):
        errors = {}
        for name in self.fields:
            values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
            if name in data and (len(values) != 1 or values[0] in ("", None)):
                errors[name] = [_("Give this parameter once, not empty.")]
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def _neq():
    return serializers.DecimalField(max_digits=20, decimal_places=3, read_only=True)


class SurplusRowSerializer(serializers.Serializer):
    """One subject: a type, or a group of interchangeable types (`ammunition_type` null)."""

    ammunition_type = serializers.IntegerField(source="type_id", allow_null=True, read_only=True)
    group = serializers.IntegerField(source="group_id", allow_null=True, read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    category = serializers.CharField(read_only=True)
    requirement = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="National, in force; null when no requirement is stated (never read as 0).",
    )
    requirement_stated = serializers.BooleanField(
        read_only=True,
        help_text="False: no requirement in force, the usable stock is not assessed (no excess).",
    )
    unit_mismatch = serializers.BooleanField(
        read_only=True,
        help_text="A group whose types have different units of issue: its usable stock is not "
        "assessed (no excess) until the group is corrected (409 `unit_mismatch` on adding).",
    )
    serviceable = serializers.IntegerField(read_only=True)
    suspended = serializers.IntegerField(read_only=True, help_text="Shown, not counted.")
    in_transit = serializers.IntegerField(read_only=True, help_text="Shown, not counted.")
    unserviceable = serializers.IntegerField(read_only=True)
    reparable = serializers.IntegerField(
        read_only=True, help_text="Reparable stock not counted (policy switch off)."
    )
    expiring_before_use = serializers.IntegerField(read_only=True)
    obsolete_or_banned = serializers.IntegerField(
        read_only=True,
        help_text="Serviceable stock of obsolete types or under a ban whose remedy is disposal.",
    )
    banned = serializers.IntegerField(
        read_only=True,
        help_text="Serviceable stock under a temporary ban: shown, not counted as surplus.",
    )
    usable = serializers.IntegerField(read_only=True)
    margin = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="National usable stock less the requirement (may be negative); null when "
        "not assessed.",
    )
    excess = serializers.IntegerField(
        read_only=True, help_text="The depots' share of max(0, usable - requirement)."
    )
    surplus = serializers.IntegerField(read_only=True)
    holdings_neq_kg = _neq()
    unserviceable_neq_kg = _neq()
    expiring_neq_kg = _neq()
    obsolete_neq_kg = _neq()
    usable_neq_kg = _neq()
    excess_neq_kg = _neq()
    surplus_neq_kg = _neq()


class SnapshotSerializer(ReadOnlyModelSerializer):
    requested_by = username_field("requested_by", null=True, read_only=True)

    class Meta:
        model = SurplusSnapshot
        fields = [
            "id",
            "taken_on",
            "status",
            "progress",
            "requested_by",
            "created_at",
            "finished_at",
            "rows_written",
            "policy",
            "error",
        ]


class SnapshotCreateSerializer(StrictJSONMixin, serializers.Serializer):
    taken_on = serializers.DateField(
        required=False, help_text="As of this day (default today): requirements then in force."
    )


class SnapshotRowSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = SnapshotRow
        fields = [
            "depot",
            "ammunition_type",
            "group",
            "category",
            "requirement",
            "serviceable",
            "suspended",
            "in_transit",
            "unserviceable",
            "expiring_before_use",
            "obsolete_or_banned",
            "banned",
            "usable",
            "excess",
            "surplus",
            "holdings_neq_kg",
            "surplus_neq_kg",
        ]


# --- Disposal ---------------------------------------------------------------------------------


class PlanLineSerializer(ReadOnlyModelSerializer):
    lot_number = serializers.CharField(source="lot.lot_number", read_only=True)
    ammunition_type = serializers.IntegerField(source="lot.ammunition_type_id", read_only=True)
    remaining = serializers.IntegerField(read_only=True)

    class Meta:
        model = DisposalPlanLine
        fields = [
            "id",
            "lot",
            "lot_number",
            "ammunition_type",
            "storehouse",
            "quantity",
            "executed",
            "remaining",
        ]


class PlanSerializer(ReadOnlyModelSerializer):
    number = serializers.CharField(read_only=True)
    created_by = username_field("created_by", read_only=True)
    approved_by = username_field("approved_by", null=True, read_only=True)
    closed_by = username_field("closed_by", null=True, read_only=True)
    lines = PlanLineSerializer(many=True, read_only=True)

    class Meta:
        model = DisposalPlan
        fields = [
            "id",
            "number",
            "depot",
            "method",
            "site",
            "scheduled_from",
            "scheduled_until",
            "note",
            "status",
            "created_by",
            "created_at",
            "approved_by",
            "approved_at",
            "approval_reference",
            "closed_by",
            "closed_at",
            "closing_note",
            "lines",
        ]


class PlanLineInputSerializer(StrictJSONMixin, serializers.Serializer):
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.all())
    storehouse = serializers.PrimaryKeyRelatedField(queryset=Storehouse.objects.all())
    quantity = serializers.IntegerField(min_value=1, max_value=BIG)


class PlanCreateSerializer(StrictJSONMixin, serializers.Serializer):
    depot = depot_field()
    method = serializers.ChoiceField(choices=DisposalMethod.choices)
    site = serializers.CharField(max_length=200)
    scheduled_from = serializers.DateField()
    scheduled_until = serializers.DateField()
    note = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
    lines = PlanLineInputSerializer(many=True, allow_empty=False, max_length=500)


class PlanApproveSerializer(StrictJSONMixin, serializers.Serializer):
    approval_reference = serializers.CharField(
        max_length=120, required=False, default="", allow_blank=True
    )


class PlanCloseSerializer(StrictJSONMixin, serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)


class WitnessSerializer(StrictJSONMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200)
    position = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class ExecutionLineInputSerializer(StrictJSONMixin, serializers.Serializer):
    plan_line = serializers.IntegerField(min_value=1, max_value=BIG)
    quantity = serializers.IntegerField(min_value=1, max_value=BIG)


class ExecutionCreateSerializer(StrictJSONMixin, serializers.Serializer):
    executed_on = serializers.DateField()
    witnesses = WitnessSerializer(many=True, allow_empty=False, max_length=20)
    note = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
    lines = ExecutionLineInputSerializer(many=True, allow_empty=False, max_length=500)


class ExecutionLineSerializer(serializers.Serializer):
    plan_line = serializers.IntegerField(source="plan_line_id", read_only=True)
    lot = serializers.IntegerField(source="plan_line.lot_id", read_only=True)
    lot_number = serializers.CharField(source="plan_line.lot.lot_number", read_only=True)
    storehouse = serializers.IntegerField(source="plan_line.storehouse_id", read_only=True)
    quantity = serializers.IntegerField(read_only=True)


class WitnessOutSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    position = serializers.CharField(read_only=True)


class ExecutionSerializer(ReadOnlyModelSerializer):
    certificate_number = serializers.CharField(read_only=True)
    document = serializers.IntegerField(source="document_id", read_only=True)
    document_number = serializers.CharField(source="document.number", read_only=True)
    executed_by = username_field("executed_by", read_only=True)
    witnesses = WitnessOutSerializer(many=True, read_only=True)
    lines = ExecutionLineSerializer(many=True, read_only=True)

    class Meta:
        model = DisposalExecution
        fields = [
            "id",
            "certificate_number",
            "plan",
            "document",
            "document_number",
            "executed_on",
            "executed_by",
            "witnesses",
            "note",
            "recorded_at",
            "lines",
        ]
