"""API shapes of the surveillance module (DESIGN.md §8, §11). Serializers check shape and scope
(a depot or record outside the reader's scope is the same 400 as one that does not exist); the
surveillance services check the rules."""

from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.models import User
from core.roles import Action
from core.scoping import action_depot_ids
from core.serializers import (
    ReadOnlyModelSerializer,
    ScopedPrimaryKeyRelatedField,
    StrictJSONMixin,
    username_field,
)
from inventory.api.serializers import depot_field, storehouse_field
from inventory.models import (
    AmmunitionType,
    Balance,
    Ban,
    BanKind,
    ConditionCode,
    Depot,
    Lot,
)
from inventory.models.reference import RecipientKind
from surveillance import selectors
from surveillance.models import (
    ConditionChange,
    Inspection,
    InspectionAttachment,
    InspectionKind,
    ShelfLifeExtension,
    StabilityMethod,
    StabilityTest,
)

MAX_ATTACHMENTS = 10


def _condition_field(**kwargs):
    return serializers.SlugRelatedField(
        slug_field="code", queryset=ConditionCode.objects.all(), **kwargs
    )


def _content_pct_field(what: str) -> serializers.DecimalField:
    """A stabiliser content in % (content methods only, so optional)."""
    return serializers.DecimalField(
        max_digits=6,
        decimal_places=3,
        required=False,
        allow_null=True,
        default=None,
        help_text=f"Content methods: {what}",
    )


def depot_for(user: User, lot: Lot, depot: Depot | None, *, any_holder: bool = False) -> Depot:
    """The depot a surveillance record is made in: the one named, else the user's only depot,
    else the only depot of theirs holding the lot. Otherwise the client must name it (400).

    `any_holder`: the record is posted in every depot holding the lot whichever is named (a
    condition change), so when several of the user's depots hold it, the first will do."""
    if depot is not None:
        return depot
    allowed = action_depot_ids(user, Action.RECORD_SURVEILLANCE)
    if allowed is not None and len(allowed) == 1:
        return Depot.objects.get(pk=next(iter(allowed)))
    holding = Balance.objects.filter(lot=lot, quantity__gt=0)
    if allowed is not None:
        holding = holding.filter(depot_id__in=allowed)
    depot_ids = set(holding.values_list("depot_id", flat=True))
    if len(depot_ids) == 1 or (any_holder and depot_ids):
        return Depot.objects.get(pk=min(depot_ids))
    raise serializers.ValidationError(
        {
            "depot": [
                _("Name the depot: lot %(lot)s is held in several of your depots.")
                % {"lot": lot.lot_number}
                if depot_ids
                else _("Name the depot: none of your depots holds lot %(lot)s.")
                % {"lot": lot.lot_number}
            ]
        }
    )


class _MultipartMixin:
    """Multipart forms carry every value as text: the strict JSON type check applies to JSON
    bodies only; DRF's fields still parse and validate the text."""

    def to_internal_value(self, data):
        if isinstance(data, QueryDict):
            return serializers.Serializer.to_internal_value(self, data)
        return super().to_internal_value(data)


class _DepotMixin(serializers.Serializer):
    depot = depot_field(
        required=False,
        help_text="Where the record is made. Optional when you act in one depot, or when only "
        "one of your depots holds the lot.",
    )


# --- Input ----------------------------------------------------------------------------------------


class InspectionCreateSerializer(
    _MultipartMixin, StrictJSONMixin, _DepotMixin, serializers.Serializer
):
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.all())
    storehouse = storehouse_field(
        required=False,
        allow_null=True,
        help_text="The storehouse whose stock of the lot was inspected, if only one.",
    )
    kind = serializers.ChoiceField(choices=InspectionKind.choices)
    inspected_on = serializers.DateField()
    sample_size = serializers.IntegerField(min_value=1, max_value=2_000_000_000)
    findings = serializers.CharField(max_length=10_000)
    condition = _condition_field(
        help_text="The lot's condition as found; another than the lot's posts a condition change."
    )
    authority_reference = serializers.CharField(
        max_length=120, required=False, default="", allow_blank=True
    )


class InspectionUploadSerializer(InspectionCreateSerializer):
    attachments = serializers.ListField(
        child=serializers.FileField(max_length=200, allow_empty_file=False),
        required=False,
        default=list,
        max_length=MAX_ATTACHMENTS,
        help_text="Photos or scanned forms: JPEG, PNG or PDF, each within the size limit.",
    )


class AttachmentUploadSerializer(serializers.Serializer):
    attachments = serializers.ListField(
        child=serializers.FileField(max_length=200, allow_empty_file=False),
        allow_empty=False,
        max_length=MAX_ATTACHMENTS,
        help_text="One or more JPEG, PNG or PDF files.",
    )


class StabilityTestCreateSerializer(StrictJSONMixin, _DepotMixin, serializers.Serializer):
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.all())
    sampled_on = serializers.DateField()
    laboratory = serializers.CharField(max_length=200)
    method = serializers.ChoiceField(choices=StabilityMethod.choices)
    stabiliser = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)
    initial_content_pct = _content_pct_field("the stabiliser content when made (%).")
    measured_content_pct = _content_pct_field("the effective stabiliser content measured (%).")
    passed = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Pass/fail methods (heat-flow calorimetry, vacuum stability, Abel heat) only.",
    )
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class ConditionChangeCreateSerializer(StrictJSONMixin, _DepotMixin, serializers.Serializer):
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.all())
    condition = _condition_field()
    reason = serializers.CharField(max_length=2000)
    authority_reference = serializers.CharField(
        max_length=120, required=False, default="", allow_blank=True
    )
    occurred_on = serializers.DateField(
        required=False, help_text="The date of the decision; today when left out."
    )


class BanCreateSerializer(StrictJSONMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=BanKind.choices)
    lot = serializers.PrimaryKeyRelatedField(
        queryset=Lot.objects.all(), required=False, allow_null=True
    )
    ammunition_type = serializers.PrimaryKeyRelatedField(
        queryset=AmmunitionType.objects.all(), required=False, allow_null=True
    )
    reason = serializers.CharField(max_length=2000)
    reference = serializers.CharField(max_length=120)
    permitted_recipient_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=RecipientKind.choices),
        required=False,
        default=list,
        max_length=len(RecipientKind.choices),
        help_text="Constraints only: the recipient kinds that may still receive the stock.",
    )
    disposal_recommended = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Bans only: the remedy is disposal, so the stock counts as surplus (obsolete "
        "or banned). Default false: a temporary ban, shown but not counted as surplus.",
    )


class BanLiftSerializer(StrictJSONMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


def _justification_field(selector, model, what: str, other: str) -> ScopedPrimaryKeyRelatedField:
    """A record the reader may see that justifies an extension: one of two, so optional."""
    return ScopedPrimaryKeyRelatedField(
        selector=selector,
        queryset=model.objects.all(),
        required=False,
        allow_null=True,
        help_text=f"The {what} that justifies the extension (or give {other}).",
    )


class ShelfLifeExtensionCreateSerializer(StrictJSONMixin, serializers.Serializer):
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.all())
    new_expires_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)
    inspection = _justification_field(
        selectors.inspection_list, Inspection, "inspection", "stability_test"
    )
    stability_test = _justification_field(
        selectors.stability_test_list, StabilityTest, "stability test", "inspection"
    )


# --- Output -------------------------------------------------------------------------------------


class AttachmentSerializer(ReadOnlyModelSerializer):
    uploaded_by = username_field("uploaded_by")
    download = serializers.SerializerMethodField(help_text="Path to download the file.")

    class Meta:
        model = InspectionAttachment
        fields = [
            "id", "original_name", "content_type", "size", "sha256", "uploaded_by",
            "uploaded_at", "download",
        ]  # fmt: skip

    def get_download(self, attachment) -> str:
        return (
            f"/api/v1/inspections/{attachment.inspection_id}/attachments/{attachment.pk}/download/"
        )


class InspectionSerializer(ReadOnlyModelSerializer):
    lot_number = serializers.CharField(source="lot.lot_number")
    ammunition_type = serializers.IntegerField(source="lot.ammunition_type_id")
    depot_code = serializers.CharField(source="depot.code")
    storehouse_code = serializers.CharField(source="storehouse.code", allow_null=True, default=None)
    inspector = username_field("inspector")
    condition = serializers.CharField(source="condition_id")
    attachments = AttachmentSerializer(many=True)

    class Meta:
        model = Inspection
        fields = [
            "id", "lot", "lot_number", "ammunition_type", "depot", "depot_code", "storehouse",
            "storehouse_code", "kind", "inspected_on", "inspector", "sample_size", "findings",
            "condition", "next_due_on", "recorded_at", "attachments",
        ]  # fmt: skip


class StabilityTestSerializer(ReadOnlyModelSerializer):
    lot_number = serializers.CharField(source="lot.lot_number")
    depot_code = serializers.CharField(source="depot.code")
    tested_by = username_field("tested_by")

    class Meta:
        model = StabilityTest
        fields = [
            "id", "lot", "lot_number", "depot", "depot_code", "sampled_on", "laboratory",
            "method", "stabiliser", "initial_content_pct", "measured_content_pct", "passed",
            "remaining_pct", "category", "action", "resulting_condition", "next_test_due",
            "dispose_by", "tested_by", "note", "recorded_at",
        ]  # fmt: skip


class PostedDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    depot = serializers.IntegerField(source="depot_id")
    depot_code = serializers.CharField(source="depot.code")


class ConditionChangeSerializer(ReadOnlyModelSerializer):
    lot_number = serializers.CharField(source="lot.lot_number")
    document = PostedDocumentSerializer()
    occurred_on = serializers.DateField(source="document.occurred_on")
    reason = serializers.CharField(source="document.note")
    posted_by = username_field("document.posted_by")
    on_behalf_of = username_field("document.on_behalf_of", null=True)

    class Meta:
        model = ConditionChange
        fields = [
            "id", "lot", "lot_number", "from_condition", "to_condition", "reason",
            "authority_reference", "occurred_on", "document", "posted_by", "on_behalf_of",
            "inspection", "stability_test",
        ]  # fmt: skip


class ConditionChangePostedSerializer(serializers.Serializer):
    lot = serializers.IntegerField()
    lot_number = serializers.CharField()
    from_condition = serializers.CharField()
    condition = serializers.CharField()
    documents = PostedDocumentSerializer(
        many=True, help_text="One condition-change document per depot holding the lot."
    )


class BanSerializer(ReadOnlyModelSerializer):
    lot_number = serializers.CharField(source="lot.lot_number", allow_null=True, default=None)
    ammunition_type_code = serializers.CharField(
        source="ammunition_type.code", allow_null=True, default=None
    )
    imposed_by = username_field("imposed_by")
    lifted_by = username_field("lifted_by", null=True)
    is_active = serializers.BooleanField()
    permitted_recipient_kinds = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Ban
        fields = [
            "id", "kind", "lot", "lot_number", "ammunition_type", "ammunition_type_code",
            "reason", "reference", "permitted_recipient_kinds", "disposal_recommended",
            "imposed_by", "imposed_at",
            "lifted_by", "lifted_at", "lift_reason", "is_active",
        ]  # fmt: skip


class ShelfLifeExtensionSerializer(ReadOnlyModelSerializer):
    lot_number = serializers.CharField(source="lot.lot_number")
    decided_by = username_field("decided_by")

    class Meta:
        model = ShelfLifeExtension
        fields = [
            "id", "lot", "lot_number", "previous_expires_on", "new_expires_on", "inspection",
            "stability_test", "reason", "decided_by", "decided_at",
        ]  # fmt: skip


class WorkItemSerializer(serializers.Serializer):
    lot = serializers.IntegerField(source="lot.pk")
    lot_number = serializers.CharField(source="lot.lot_number")
    ammunition_type = serializers.IntegerField(source="lot.ammunition_type_id")
    ammunition_type_code = serializers.CharField(source="lot.ammunition_type.code")
    condition = serializers.CharField(source="lot.condition_id")
    depot_code = serializers.CharField()
    quantity = serializers.IntegerField()
    what = serializers.ChoiceField(
        choices=["inspection", "stability_test", "expiry"],
        help_text="What falls due: an inspection, a stability test, or the lot's expiry.",
    )
    due_on = serializers.DateField()
    overdue = serializers.BooleanField()


class WorkListSerializer(serializers.Serializer):
    today = serializers.DateField()
    until = serializers.DateField()
    results = WorkItemSerializer(many=True)


class TimelineEventSerializer(serializers.Serializer):
    on = serializers.DateField()
    what = serializers.CharField(
        help_text="condition_change, inspection, stability_test, ban, ban_lifted, constraint, "
        "constraint_lifted or shelf_life_extension."
    )
    detail = serializers.CharField()
    document = serializers.IntegerField(source="document.pk", allow_null=True, default=None)
    document_number = serializers.CharField(source="document.number", allow_null=True, default=None)


class BindingBanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    reason = serializers.CharField()
    reference = serializers.CharField()
    permitted_recipient_kinds = serializers.ListField(child=serializers.CharField())


class LotSurveillanceSerializer(serializers.Serializer):
    lot = serializers.IntegerField()
    lot_number = serializers.CharField()
    ammunition_type = serializers.IntegerField()
    condition = serializers.CharField()
    expires_on = serializers.DateField(allow_null=True)
    contains_propellant = serializers.BooleanField()
    inspection_due = serializers.DateField(allow_null=True)
    stability_test_due = serializers.DateField(allow_null=True)
    never_stability_tested = serializers.BooleanField()
    last_inspected_on = serializers.DateField(allow_null=True)
    last_stability_test_on = serializers.DateField(allow_null=True)
    last_stability_category = serializers.CharField(allow_blank=True)
    bans = BindingBanSerializer(
        many=True,
        help_text="Active bans and constraints binding the lot (its own, a parent "
        "lot's, its type's).",
    )
    timeline = TimelineEventSerializer(many=True, help_text="Newest first, in your scope.")
