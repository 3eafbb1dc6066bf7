"""Filters of the audit log, shared by its page, its CSV export and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.models import AuditAction, AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("Action"))
    user = django_filters.CharFilter(
        field_name="actor_username", lookup_expr="iexact", max_length=150, label=_("User")
    )
    object_type = django_filters.CharFilter(
        max_length=80, label=_("Object type"), help_text=_("e.g. inventory.licence")
    )
    object_id = django_filters.CharFilter(max_length=64, label=_("Object id"))
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte", label=_("Since"))
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt", label=_("Until"))
    q = django_filters.CharFilter(
        method="search", max_length=100, label=_("Search"), help_text=_("In object and detail.")
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "user", "object_type", "object_id", "since", "until", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(object_repr__icontains=value) | Q(detail__icontains=value))
