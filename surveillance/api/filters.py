"""Filters of the surveillance lists (DESIGN.md §11). A depot outside the reader's scope is
refused like one that does not exist (400)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from inventory.filters import depots_in_scope
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


class InspectionFilter(django_filters.FilterSet):
    lot = django_filters.NumberFilter(field_name="lot_id", min_value=1, label=_("Lot"))
    depot = django_filters.ModelChoiceFilter(queryset=depots_in_scope, label=_("Depot"))
    kind = django_filters.ChoiceFilter(choices=InspectionKind.choices, label=_("Kind"))
    inspected_from = django_filters.DateFilter(
        field_name="inspected_on", lookup_expr="gte", label=_("Inspected on or after")
    )
    inspected_until = django_filters.DateFilter(
        field_name="inspected_on", lookup_expr="lte", label=_("Inspected on or before")
    )

    class Meta:
        model = Inspection
        fields = ["lot", "depot", "kind", "inspected_from", "inspected_until"]


class StabilityTestFilter(django_filters.FilterSet):
    lot = django_filters.NumberFilter(field_name="lot_id", min_value=1, label=_("Lot"))
    depot = django_filters.ModelChoiceFilter(queryset=depots_in_scope, label=_("Depot"))
    method = django_filters.ChoiceFilter(choices=StabilityMethod.choices, label=_("Method"))
    category = django_filters.ChoiceFilter(choices=StabilityCategory.choices, label=_("Category"))
    sampled_from = django_filters.DateFilter(
        field_name="sampled_on", lookup_expr="gte", label=_("Sampled on or after")
    )
    sampled_until = django_filters.DateFilter(
        field_name="sampled_on", lookup_expr="lte", label=_("Sampled on or before")
    )

    class Meta:
        model = StabilityTest
        fields = ["lot", "depot", "method", "category", "sampled_from", "sampled_until"]


class ConditionChangeFilter(django_filters.FilterSet):
    lot = django_filters.NumberFilter(field_name="lot_id", min_value=1, label=_("Lot"))
    depot = django_filters.ModelChoiceFilter(
        field_name="document__depot", queryset=depots_in_scope, label=_("Depot")
    )
    to_condition = django_filters.CharFilter(max_length=2, label=_("New condition"))
    occurred_from = django_filters.DateFilter(
        field_name="document__occurred_on", lookup_expr="gte", label=_("On or after")
    )
    occurred_until = django_filters.DateFilter(
        field_name="document__occurred_on", lookup_expr="lte", label=_("On or before")
    )

    class Meta:
        model = ConditionChange
        fields = ["lot", "depot", "to_condition", "occurred_from", "occurred_until"]


class BanFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(
        field_name="lifted_at",
        lookup_expr="isnull",
        label=_("Active"),
        help_text=_("true: not lifted; false: lifted."),
    )
    kind = django_filters.ChoiceFilter(choices=BanKind.choices, label=_("Kind"))
    lot = django_filters.NumberFilter(field_name="lot_id", min_value=1, label=_("Lot"))
    ammunition_type = django_filters.ModelChoiceFilter(
        queryset=AmmunitionType.objects.all(), label=_("Ammunition type")
    )

    class Meta:
        model = Ban
        fields = ["active", "kind", "lot", "ammunition_type"]


class ShelfLifeExtensionFilter(django_filters.FilterSet):
    lot = django_filters.NumberFilter(field_name="lot_id", min_value=1, label=_("Lot"))

    class Meta:
        model = ShelfLifeExtension
        fields = ["lot"]
