"""Filters of the stock-check and incident lists, shared by the web UI and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import ConditionFilter
from inventory.filters import DepotFilterSet
from inventory.models import Incident, IncidentKind, IncidentStatus
from stockchecks.models import StockCheck, StockCheckKind, StockCheckStatus


class StockCheckFilter(DepotFilterSet):
    status = django_filters.ChoiceFilter(choices=StockCheckStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=StockCheckKind.choices, label=_("Kind"))

    class Meta:
        model = StockCheck
        fields = ["depot", "status", "kind"]


class IncidentFilter(DepotFilterSet):
    status = django_filters.ChoiceFilter(choices=IncidentStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=IncidentKind.choices, label=_("Kind"))
    unresolved = ConditionFilter(
        lambda: ~Q(status=IncidentStatus.CLOSED),
        label=_("Unresolved"),
        help_text=_("true: open or under investigation; false: closed."),
    )

    class Meta:
        model = Incident
        fields = ["depot", "status", "kind", "unresolved"]
