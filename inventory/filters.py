"""One FilterSet per list, shared by the web UI and the API."""

import django_filters

from inventory.models import Depot


class DepotFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(lookup_expr="iexact")
    code = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Depot
        fields = ["region", "code"]
