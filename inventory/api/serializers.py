"""API shapes of DESIGN.md §11. Serializers check shape only; the services check the rules."""

import re
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import ScopedPrimaryKeyRelatedField, StrictJSONMixin
from inventory.models import AmmunitionType, Depot, Licence, Recipient, Storehouse, Waiver
from inventory.models.reference import LICENSABLE_DIVISIONS, STOREHOUSE_DEFAULT_KIND
from inventory.selectors.reference import depot_list, storehouse_list


def depot_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    """The id of a depot of the reader's scope."""
    return ScopedPrimaryKeyRelatedField(selector=depot_list, queryset=Depot.objects.all(), **kwargs)


def storehouse_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    """The id of a storehouse of the reader's scope."""
    return ScopedPrimaryKeyRelatedField(
        selector=storehouse_list, queryset=Storehouse.objects.all(), **kwargs
    )


class DepotSerializer(StrictJSONMixin, serializers.ModelSerializer):
    class Meta:
        model = Depot
        fields = ["id", "code", "name", "region"]


class StorehouseSerializer(StrictJSONMixin, serializers.ModelSerializer):
    depot = depot_field()

    class Meta:
        model = Storehouse
        fields = ["id", "depot", "code", "name", "kind", "is_active"]
        extra_kwargs = {
            # Not in DESIGN.md §11's storehouse fields: optional, with a documented default.
            "kind": {
                "default": STOREHOUSE_DEFAULT_KIND.value,
                "help_text": "Above-ground storehouse when left out.",
            }
        }


_LIMIT_PATTERN = r"^[0-9]{1,11}(\.[0-9]{1,3})?$"
_SIGNED_LIMIT_PATTERN = r"-?[0-9]+(\.[0-9]+)?"
LICENCE_LIMITS_SCHEMA = {
    "type": "object",
    "description": (
        "Hazard division -> maximum NEQ in kg as a decimal string, or null for unlimited. A "
        "division left out is not permitted in the storehouse (1.5 and 1.6 are licensed as 1.1)."
    ),
    "properties": {
        division: {"type": "string", "pattern": _LIMIT_PATTERN, "nullable": True}
        for division in LICENSABLE_DIVISIONS
    },
    "additionalProperties": False,
    "example": {"1.1": "5000.000", "1.3": "10000.000", "1.4": None},
}


@extend_schema_field(LICENCE_LIMITS_SCHEMA)
class LicenceLimitsField(serializers.Field):
    """`{"1.1": "5000.000", "1.4": null}`: division -> max NEQ kg (decimal string) or null."""

    default_error_messages = {
        "not_an_object": "Expected an object of hazard division -> maximum NEQ in kg.",
        "unknown_division": (
            "Not a licensable hazard division; use one of "
            f"{', '.join(LICENSABLE_DIVISIONS)} (1.5 and 1.6 are licensed as 1.1)."
        ),
        "not_a_decimal_string": (
            "Give the maximum NEQ in kg as a decimal string with at most 11 digits before the "
            'point and 3 after (e.g. "5000.000"), or null for unlimited.'
        ),
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.amount = serializers.DecimalField(
            max_digits=14, decimal_places=3, min_value=Decimal(0), allow_null=True
        )

    def get_attribute(self, instance):
        return instance.limits_dict()

    def to_representation(self, value):
        return {
            division: None
            if value[division] is None
            else self.amount.to_representation(value[division])
            for division in LICENSABLE_DIVISIONS
            if division in value
        }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_an_object")
        limits: dict[str, Decimal | None] = {}
        errors: dict[str, list[str]] = {}
        for division, value in data.items():
            if division not in LICENSABLE_DIVISIONS:
                errors[division] = [self.error_messages["unknown_division"]]
                continue
            try:
                limits[division] = self._limit(value)
            except serializers.ValidationError as exc:
                errors[division] = exc.detail
        if errors:
            raise serializers.ValidationError(errors)
        return limits

    def _limit(self, value) -> Decimal | None:
        if value is None:
            return None
        # Only decimal strings, exactly as the schema says; a signed one reaches DecimalField so
        # that a negative limit gets its clear message.
        if not (isinstance(value, str) and re.fullmatch(_SIGNED_LIMIT_PATTERN, value)):
            self.fail("not_a_decimal_string")
        limit = self.amount.run_validation(value)
        if not re.fullmatch(_LIMIT_PATTERN, value):
            self.fail("not_a_decimal_string")
        return limit


class LicenceSerializer(StrictJSONMixin, serializers.ModelSerializer):
    storehouse = storehouse_field()
    limits = LicenceLimitsField()

    class Meta:
        model = Licence
        fields = [
            "id",
            "storehouse",
            "number",
            "issuing_authority",
            "valid_from",
            "valid_until",
            "limits",
        ]

    def validate(self, attrs):
        if attrs["valid_until"] < attrs["valid_from"]:
            raise serializers.ValidationError(
                {"valid_until": ["A licence cannot end before it starts."]}
            )
        return attrs


class AmmunitionTypeSerializer(StrictJSONMixin, serializers.ModelSerializer):
    hazard_code = serializers.CharField(
        read_only=True,
        help_text="Hazard division as stored (with the storage sub-division) and compatibility "
        "group, e.g. 1.4S or 1.2.1E. Kept for compatibility: the UN code is `un_hazard_code`.",
    )
    un_hazard_code = serializers.CharField(
        read_only=True,
        help_text="UN hazard classification code, division + compatibility group, e.g. 1.2E.",
    )
    storage_sub_division = serializers.CharField(
        read_only=True, help_text="1.2.1 or 1.2.2 for HD 1.2 (storage sub-division), else empty."
    )
    assembles_to = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=AmmunitionType.objects.all(),
        required=False,
        default=list,
        help_text=(
            "CG B types only (fuzes, detonators): the ids of the ammunition types they are fitted "
            "to. Note n1 is strict: B stock shares a storehouse with CG D, E or F stock only when "
            "every such lot is of one of these types. Optional; default none."
        ),
    )

    class Meta:
        model = AmmunitionType
        fields = [
            "id",
            "code",
            "name",
            "category",
            "calibre",
            "hazard_division",
            "compatibility_group",
            "neq_per_unit_kg",
            "unit",
            "shelf_life_months",
            "contains_propellant",
            "packaging",
            "shaped_charge",
            "high_energy_propellant",
            "obsolete",
            "hazard_code",
            "assembles_to",
            "un_hazard_code",
            "storage_sub_division",
            "items_per_unit",
        ]
        extra_kwargs = {
            # Came after DESIGN.md §11: optional, 1 when left out.
            "items_per_unit": {
                "required": False,
                "min_value": 1,
                "help_text": (
                    "How many items one unit of issue holds (a box of 20 rounds: 20); "
                    "`neq_per_unit_kg` is for the whole unit. Optional; default 1. Rules about "
                    "items (the 5 kg rule, the 1.2.1/1.2.2 split) read NEQ per item."
                ),
            }
        }


class RecipientSerializer(StrictJSONMixin, serializers.ModelSerializer):
    depot = depot_field(
        allow_null=True,
        required=False,
        help_text="The depot it draws from, if any.",
    )

    class Meta:
        model = Recipient
        fields = ["id", "code", "name", "kind", "depot", "permitted_restricted", "is_active"]


class WaiverSerializer(StrictJSONMixin, serializers.ModelSerializer):
    storehouse = storehouse_field()

    class Meta:
        model = Waiver
        fields = [
            "id",
            "storehouse",
            "rule",
            "reason",
            "authority_reference",
            "expires_on",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["recorded_by", "recorded_at"]
