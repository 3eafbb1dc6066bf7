"""The exposed-site list's filters, shared by the API and the QD page."""

import django_filters

from inventory.models import Depot, Storehouse
from inventory.selectors.reference import depot_list, storehouse_list
from qd.models import ExposedSite, ExposedSiteKind


def _depots_in_scope(request):
    return Depot.objects.none() if request is None else depot_list(user=request.user)


def _storehouses_in_scope(request):
    return Storehouse.objects.none() if request is None else storehouse_list(user=request.user)


class ExposedSiteFilter(django_filters.FilterSet):
    depot = django_filters.ModelChoiceFilter(queryset=_depots_in_scope)
    kind = django_filters.ChoiceFilter(choices=ExposedSiteKind.choices)
    storehouse = django_filters.ModelChoiceFilter(
        queryset=_storehouses_in_scope, field_name="distances__storehouse", distinct=True
    )

    class Meta:
        model = ExposedSite
        fields = ["depot", "kind", "storehouse"]
