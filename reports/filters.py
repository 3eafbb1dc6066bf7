"""The one FilterSet of the report list, shared by the web page and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.scoping import scope
from inventory.models import Depot
from reports.models import ReportKind, ReportRun, ReportStatus


def _depots(request):
    if request is None:
        return Depot.objects.none()
    return scope(Depot.objects.all(), request.user, depot_field="pk")


class ReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ReportKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("Status"))
    depot = django_filters.ModelChoiceFilter(queryset=_depots, label=_("Depot"))

    class Meta:
        model = ReportRun
        fields = ["kind", "status", "depot"]
