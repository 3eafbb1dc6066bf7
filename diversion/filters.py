"""Filters of the diversion lists, shared by the web UI and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import ConditionFilter
from diversion.models import (
    AssessmentStatus,
    CaseStatus,
    Party,
    PartyDocument,
    PartyDocumentKind,
    PartyKind,
    PartyStatus,
    RiskAssessment,
    TracingRequest,
    TrainingAllocation,
    TransferCase,
    Verification,
    VerificationKind,
    VerificationResult,
)
from inventory.filters import DepotFilterSet, depots_in_scope
from inventory.models import AmmunitionType, Recipient


class PartyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label=_("Name or identifier"), help_text=_("Any part, any case.")
    )
    kind = django_filters.ChoiceFilter(choices=PartyKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=PartyStatus.choices, label=_("Status"))
    country = django_filters.CharFilter(lookup_expr="iexact", label=_("Country"))

    class Meta:
        model = Party
        fields = ["q", "kind", "status", "country"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(identifiers__icontains=value))


class PartyDocumentFilter(django_filters.FilterSet):
    party = django_filters.ModelChoiceFilter(queryset=Party.objects.all(), label=_("Party"))
    kind = django_filters.ChoiceFilter(choices=PartyDocumentKind.choices, label=_("Kind"))

    class Meta:
        model = PartyDocument
        fields = ["party", "kind"]


class TransferCaseFilter(DepotFilterSet):
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label=_("Status"))

    class Meta:
        model = TransferCase
        fields = ["depot", "status"]


class _CaseFilterSet(django_filters.FilterSet):
    case = django_filters.ModelChoiceFilter(
        queryset=TransferCase.objects.all(), label=_("Transfer case")
    )


class RiskAssessmentFilter(_CaseFilterSet):
    status = django_filters.ChoiceFilter(choices=AssessmentStatus.choices, label=_("Status"))

    class Meta:
        model = RiskAssessment
        fields = ["case", "status"]


class VerificationFilter(_CaseFilterSet):
    depot = django_filters.ModelChoiceFilter(
        queryset=depots_in_scope, field_name="case__depot", label=_("Depot")
    )
    kind = django_filters.ChoiceFilter(choices=VerificationKind.choices, label=_("Kind"))
    result = django_filters.ChoiceFilter(choices=VerificationResult.choices, label=_("Result"))
    overdue = ConditionFilter(
        lambda: Q(result=VerificationResult.PENDING, due_on__lt=timezone.localdate()),
        label=_("Overdue"),
        help_text=_("true: pending past the due date."),
    )

    class Meta:
        model = Verification
        fields = ["depot", "case", "kind", "result", "overdue"]


class TracingRequestFilter(django_filters.FilterSet):
    answered = django_filters.BooleanFilter(
        field_name="answered_at", lookup_expr="isnull", exclude=True, label=_("Answered")
    )

    class Meta:
        model = TracingRequest
        fields = ["answered"]


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (NumberFilter takes decimals, which the schema does not promise)."""

    field_class = forms.IntegerField


class TrainingAllocationFilter(django_filters.FilterSet):
    year = IntegerFilter(label=_("Year"))
    recipient = django_filters.ModelChoiceFilter(
        queryset=Recipient.objects.all(), label=_("Recipient")
    )
    ammunition_type = django_filters.ModelChoiceFilter(
        queryset=AmmunitionType.objects.all(), label=_("Ammunition type")
    )

    class Meta:
        model = TrainingAllocation
        fields = ["year", "recipient", "ammunition_type"]
