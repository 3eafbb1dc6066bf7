"""Filters of the surveillance lists (DESIGN.md §11). A depot outside the reader's scope is
refused like one that does not exist (400)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import date_range
from inventory.filters import DepotFilterSet, depots_in_scope
from inventory.models import AmmunitionType, Ban, BanKind
from surveillance.models import (
    ConditionChange,
    Inspection,
    InspectionKind,
    ShelfLifeExtension,
    StabilityCategory,
    StabilityMethod,
    StabilityTest,
)


class _LotFilterSet(django_filters.FilterSet):
    lot = django_filters.NumberFilter(field_name="lot_id", min_value=1, label=_("Lot"))


class InspectionFilter(_LotFilterSet, DepotFilterSet):
    kind = django_filters.ChoiceFilter(choices=InspectionKind.choices, label=_("Kind"))
    inspected_from, inspected_until = date_range(
        "inspected_on", _("Inspected on or after"), _("Inspected on or before")
    )

    class Meta:
        model = Inspection
        fields = ["lot", "depot", "kind", "inspected_from", "inspected_until"]


class StabilityTestFilter(_LotFilterSet, DepotFilterSet):
    method = django_filters.ChoiceFilter(choices=StabilityMethod.choices, label=_("Method"))
    category = django_filters.ChoiceFilter(choices=StabilityCategory.choices, label=_("Category"))
    sampled_from, sampled_until = date_range(
        "sampled_on", _("Sampled on or after"), _("Sampled on or before")
    )

    class Meta:
        model = StabilityTest
        fields = ["lot", "depot", "method", "category", "sampled_from", "sampled_until"]


class ConditionChangeFilter(_LotFilterSet):
    depot = django_filters.ModelChoiceFilter(
        field_name="document__depot", queryset=depots_in_scope, label=_("Depot")
    )
    to_condition = django_filters.CharFilter(max_length=2, label=_("New condition"))
    occurred_from, occurred_until = date_range(
        "document__occurred_on", _("On or after"), _("On or before")
    )

    class Meta:
        model = ConditionChange
        fields = ["lot", "depot", "to_condition", "occurred_from", "occurred_until"]


class BanFilter(_LotFilterSet):
    active = django_filters.BooleanFilter(
        field_name="lifted_at",
        lookup_expr="isnull",
        label=_("Active"),
        help_text=_("true: not lifted; false: lifted."),
    )
    kind = django_filters.ChoiceFilter(choices=BanKind.choices, label=_("Kind"))
    ammunition_type = django_filters.ModelChoiceFilter(
        queryset=AmmunitionType.objects.all(), label=_("Ammunition type")
    )

    class Meta:
        model = Ban
        fields = ["active", "kind", "lot", "ammunition_type"]


class ShelfLifeExtensionFilter(_LotFilterSet):
    class Meta:
        model = ShelfLifeExtension
        fields = ["lot"]
