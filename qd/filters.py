"""The exposed-site list's filters, shared by the API and the QD page."""

import django_filters

from inventory.filters import depots_in_scope, storehouses_in_scope
from qd.models import ExposedSite, ExposedSiteKind


class ExposedSiteFilter(django_filters.FilterSet):
    depot = django_filters.ModelChoiceFilter(queryset=depots_in_scope)
    kind = django_filters.ChoiceFilter(choices=ExposedSiteKind.choices)
    storehouse = django_filters.ModelChoiceFilter(
        queryset=storehouses_in_scope, field_name="distances__storehouse", distinct=True
    )

    class Meta:
        model = ExposedSite
        fields = ["depot", "kind", "storehouse"]
