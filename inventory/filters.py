"""One FilterSet per list, shared by the web UI and the API.

A filter naming a depot or storehouse offers only those in the user's read scope: an id outside it
is refused exactly like an id that does not exist.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import date_range
from inventory.models import (
    AmmunitionType,
    Balance,
    Depot,
    Document,
    Licence,
    Lot,
    Recipient,
    ReversalProposal,
    ReversalProposalStatus,
    Storehouse,
    Waiver,
)
from inventory.models.ledger import DocumentKind, DocumentStatus
from inventory.models.reference import (
    AmmunitionCategory,
    CompatibilityGroup,
    HazardDivision,
    RecipientKind,
    StorehouseKind,
    WaiverRule,
)
from inventory.selectors.reference import depot_list, storehouse_list


def depots_in_scope(request):
    if request is None:
        return Depot.objects.none()
    return depot_list(user=request.user)


def storehouses_in_scope(request):
    if request is None:
        return Storehouse.objects.none()
    return storehouse_list(user=request.user)


class DepotFilterSet(django_filters.FilterSet):
    """A list narrowed to one depot of the reader's scope, labelled as the web UI shows it."""

    depot = django_filters.ModelChoiceFilter(queryset=depots_in_scope, label=_("Depot"))


class _StorehouseRecordFilterSet(django_filters.FilterSet):
    """Records of a storehouse, narrowed to one storehouse, or one depot, of the reader's scope."""

    storehouse = django_filters.ModelChoiceFilter(queryset=storehouses_in_scope)
    depot = django_filters.ModelChoiceFilter(
        field_name="storehouse__depot", queryset=depots_in_scope
    )


class DepotFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(lookup_expr="iexact")
    code = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Depot
        fields = ["region", "code"]


class StorehouseFilter(django_filters.FilterSet):
    depot = django_filters.ModelChoiceFilter(queryset=depots_in_scope)
    code = django_filters.CharFilter(lookup_expr="iexact")
    kind = django_filters.ChoiceFilter(choices=StorehouseKind.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Storehouse
        fields = ["depot", "code", "kind", "is_active"]


class LicenceFilter(_StorehouseRecordFilterSet):
    number = django_filters.CharFilter(lookup_expr="iexact")
    valid_on = django_filters.DateFilter(method="filter_valid_on", label="In force on")

    class Meta:
        model = Licence
        fields = ["storehouse", "depot", "number", "valid_on"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.filter(valid_from__lte=value, valid_until__gte=value)


class AmmunitionTypeFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(lookup_expr="iexact")
    category = django_filters.ChoiceFilter(choices=AmmunitionCategory.choices)
    hazard_division = django_filters.ChoiceFilter(choices=HazardDivision.choices)
    compatibility_group = django_filters.ChoiceFilter(choices=CompatibilityGroup.choices)
    contains_propellant = django_filters.BooleanFilter()
    obsolete = django_filters.BooleanFilter()

    class Meta:
        model = AmmunitionType
        fields = [
            "code",
            "category",
            "hazard_division",
            "compatibility_group",
            "contains_propellant",
            "obsolete",
        ]


class RecipientFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(lookup_expr="iexact")
    kind = django_filters.ChoiceFilter(choices=RecipientKind.choices)
    # The register is national, so any depot may be named here.
    depot = django_filters.ModelChoiceFilter(queryset=Depot.objects.all())
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Recipient
        fields = ["code", "kind", "depot", "is_active"]


class WaiverFilter(_StorehouseRecordFilterSet):
    rule = django_filters.ChoiceFilter(choices=WaiverRule.choices)
    in_force_on = django_filters.DateFilter(
        field_name="expires_on", lookup_expr="gte", label="Not expired on"
    )

    class Meta:
        model = Waiver
        fields = ["storehouse", "depot", "rule", "in_force_on"]


# --- Ledger lists ---------------------------------------------------------------------------


class BalanceFilter(django_filters.FilterSet):
    depot = django_filters.ModelChoiceFilter(queryset=depots_in_scope)
    storehouse = django_filters.ModelChoiceFilter(queryset=storehouses_in_scope)
    lot = django_filters.NumberFilter(field_name="lot_id", min_value=1)
    ammunition_type = django_filters.NumberFilter(field_name="lot__ammunition_type_id", min_value=1)
    condition = django_filters.CharFilter(field_name="lot__condition_id", max_length=2)

    class Meta:
        model = Balance
        fields = ["depot", "storehouse", "lot", "ammunition_type", "condition"]


class DocumentFilter(django_filters.FilterSet):
    depot = django_filters.ModelChoiceFilter(queryset=depots_in_scope)
    kind = django_filters.ChoiceFilter(choices=DocumentKind.choices)
    status = django_filters.ChoiceFilter(choices=DocumentStatus.choices)
    number = django_filters.CharFilter(lookup_expr="iexact", max_length=30)
    occurred_from, occurred_until = date_range("occurred_on")

    class Meta:
        model = Document
        fields = ["depot", "kind", "status", "number"]


class ReversalProposalFilter(django_filters.FilterSet):
    depot = django_filters.ModelChoiceFilter(field_name="document__depot", queryset=depots_in_scope)
    status = django_filters.ChoiceFilter(choices=ReversalProposalStatus.choices)
    document = django_filters.NumberFilter(field_name="document_id")

    class Meta:
        model = ReversalProposal
        fields = ["depot", "status", "document"]


class LotFilter(django_filters.FilterSet):
    lot_number = django_filters.CharFilter(
        field_name="lot_number", lookup_expr="icontains", max_length=80
    )
    ammunition_type = django_filters.ModelChoiceFilter(queryset=AmmunitionType.objects.all())
    condition = django_filters.CharFilter(field_name="condition_id", max_length=2)

    class Meta:
        model = Lot
        fields = ["lot_number", "ammunition_type", "condition"]
