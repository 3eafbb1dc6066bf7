"""The alert list's filters, shared by the web UI and the API (DESIGN.md §11)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert, AlertKind, Severity
from core.models import JobOutcome, JobRun
from inventory.filters import DepotFilterSet


class AlertFilter(DepotFilterSet):
    kind = django_filters.ChoiceFilter(choices=AlertKind.choices, label=_("Kind"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"))
    resolved = django_filters.BooleanFilter(
        field_name="resolved_at",
        lookup_expr="isnull",
        exclude=True,
        label=_("Resolved"),
        help_text=_("true: resolved alerts only; false: open alerts only."),
    )

    class Meta:
        model = Alert
        fields = ["kind", "severity", "depot", "resolved"]


class JobRunFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(max_length=80, label=_("Job"))
    outcome = django_filters.ChoiceFilter(choices=JobOutcome.choices, label=_("Outcome"))

    class Meta:
        model = JobRun
        fields = ["name", "outcome"]
