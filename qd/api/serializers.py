"""API shapes of the quantity-distance endpoints (docs/api.md). Shape only; rules in qd.rules
and qd.services."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import StrictJSONMixin
from inventory.api.serializers import depot_field, storehouse_field
from inventory.rules import HAZARD_DIVISIONS
from qd import rules
from qd.models import MAX_DISTANCE_M, ExposedSite, ExposedSiteKind

# Beyond this no stockpile holds it: a shape check, before the tables' own range.
MAX_NEQ_KG = Decimal("1000000000")


def _range_check(division: str, neq_kg: Decimal) -> str | None:
    """Why `neq_kg` of `division` is outside what the tables cover, if it is."""
    cap = rules.qd_tables().divisions[division].max_neq_kg
    if cap is not None and neq_kg > cap:
        return (
            f"{neq_kg.normalize():f} kg of HD {division} is beyond the range of the IATG 02.20 "
            f"tables ({cap:,} kg); split the quantity between storehouses."
        )
    return None


def neq_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=13,
        decimal_places=3,
        min_value=Decimal("0.001"),
        max_value=MAX_NEQ_KG,
        **kwargs,
    )


DISTANCES_SCHEMA = {
    "type": "object",
    "description": "Whole metres per distance key; null where no distance applies.",
    "properties": {key: {"type": "integer", "nullable": True} for key in rules.DISTANCE_KEYS},
}


class DistancesQuerySerializer(StrictJSONMixin, serializers.Serializer):
    hazard_division = serializers.ChoiceField(choices=list(HAZARD_DIVISIONS))
    neq_kg = neq_field()

    def validate(self, attrs):
        problem = _range_check(attrs["hazard_division"], attrs["neq_kg"])
        if problem:
            raise serializers.ValidationError({"neq_kg": [problem]})
        return attrs


class AssessSerializer(StrictJSONMixin, serializers.Serializer):
    contents = serializers.DictField(
        child=serializers.CharField(),
        allow_empty=False,
        help_text='Hazard division -> NEQ in kg as a decimal string, e.g. {"1.1": "1000"}.',
    )

    def validate_contents(self, value):
        amount = neq_field()
        contents: dict[str, Decimal] = {}
        errors = []
        for division, neq in value.items():
            if division not in HAZARD_DIVISIONS:
                errors.append(
                    f"{division!r} is not a hazard division; use {', '.join(HAZARD_DIVISIONS)}."
                )
                continue
            try:
                contents[division] = amount.run_validation(neq)
            except serializers.ValidationError as exc:
                errors.extend(f"HD {division}: {message}" for message in exc.detail)
        if errors:
            raise serializers.ValidationError(errors)
        return contents

    def validate(self, attrs):
        assessed = rules.assess_contents(attrs["contents"])
        problems = [p for a in assessed if (p := _range_check(a.division, a.neq_kg))]
        if problems:
            raise serializers.ValidationError({"contents": problems})
        attrs["assessed"] = assessed
        return attrs


class SiteDistanceSerializer(StrictJSONMixin, serializers.Serializer):
    storehouse = storehouse_field()
    distance_m = serializers.DecimalField(
        max_digits=8, decimal_places=1, min_value=Decimal("0.1"), max_value=MAX_DISTANCE_M
    )


class ExposedSiteSerializer(StrictJSONMixin, serializers.ModelSerializer):
    depot = depot_field()
    kind = serializers.ChoiceField(choices=ExposedSiteKind.choices)
    distances = SiteDistanceSerializer(many=True, required=False)

    class Meta:
        model = ExposedSite
        fields = ["id", "depot", "name", "kind", "note", "distances"]
        # The depot's uniqueness of names is the service's to check (full_clean: 400 on name).
        validators = []

    def validate_depot(self, value):
        if self.instance is not None and value.pk != self.instance.depot_id:
            raise serializers.ValidationError("An exposed site cannot move to another depot.")
        return value

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["distances"] = [
            {"storehouse": d.storehouse_id, "distance_m": f"{d.distance_m:.1f}"}
            for d in instance.distances.all()
        ]
        return data


@extend_schema_field(DISTANCES_SCHEMA)
class DistancesField(serializers.DictField):
    pass


class DistancesSerializer(serializers.Serializer):
    hazard_division = serializers.CharField()
    neq_kg = serializers.CharField()
    distances = DistancesField()


class AssessedPairSerializer(serializers.Serializer):
    as_ = serializers.CharField()
    neq_kg = serializers.CharField()
    reason = serializers.CharField()

    def get_fields(self):
        fields = super().get_fields()
        fields["as"] = fields.pop("as_")
        return fields


class AssessResultSerializer(serializers.Serializer):
    assessed = AssessedPairSerializer(many=True)
    distances = DistancesField()


class GoverningSerializer(serializers.Serializer):
    exposed_site = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    distance_m = serializers.CharField()


class StorehouseQdSerializer(serializers.Serializer):
    storehouse = serializers.IntegerField()
    structure = serializers.CharField()
    rule = serializers.CharField()
    permitted_neq_kg = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    governing = serializers.DictField(child=GoverningSerializer(allow_null=True))
    licence = serializers.IntegerField(allow_null=True)
    licence_within_qd = serializers.BooleanField()
    beyond = serializers.ListField(child=serializers.CharField())


def kg_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.001')):f}"


def storehouse_qd_data(qd) -> dict:
    """The `storehouses/{id}/qd/` answer of a selectors.StorehouseQd."""
    return {
        "storehouse": qd.storehouse.pk,
        "structure": qd.storehouse.kind,
        "rule": qd.structure_rule.rule,
        "permitted_neq_kg": {d: p.neq_kg for d, p in qd.permitted.items()},
        "governing": {
            d: None
            if p.governing is None
            else {
                "exposed_site": p.governing.exposed_site_id,
                "name": p.governing.name,
                "kind": p.governing.kind,
                "distance_m": f"{p.governing.distance_m:.1f}",
            }
            for d, p in qd.permitted.items()
        },
        "licence": qd.licence.pk if qd.licence else None,
        "licence_within_qd": qd.licence_within_qd,
        "beyond": qd.beyond,
    }


class SiteImportSerializer(StrictJSONMixin, serializers.Serializer):
    depot = depot_field()
    csv = serializers.CharField(
        max_length=1_000_000,
        trim_whitespace=False,
        help_text="CSV text with the columns name, kind, storehouse (code), distance_m.",
    )


class SiteImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    distances = serializers.IntegerField()
