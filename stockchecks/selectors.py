"""Reads of stock checks and incidents, limited to the user's depot scope (core.scoping)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count as CountOf
from django.db.models import DateField, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from accounts.models import User
from core.roles import Action
from core.scoping import NATIONAL_READERS, can, read_depot_ids, scope
from inventory.models import Incident, IncidentStatus
from stockchecks.models import StockCheck, StockCheckLine, StockCheckStatus


def stock_check_list(*, user: User) -> QuerySet[StockCheck]:
    return scope(
        StockCheck.objects.select_related(
            "depot", "storehouse", "planned_by", "started_by", "submitted_by", "approved_by"
        ),
        user,
    )


def count_accuracy_by_depot(*, start: date, end: date) -> dict[int, tuple[int, int]]:
    """Lines counted and lines correct, by depot, in the checks approved from `start` to `end`:
    one grouped query. Answers inventory.hooks.count_accuracy (registered in apps.py)."""
    rows = (
        StockCheck.objects.filter(
            status=StockCheckStatus.APPROVED,
            approved_at__date__gte=start,
            approved_at__date__lte=end,
        )
        .values("depot_id")
        .annotate(counted=Sum("lines_counted"), correct=Sum("lines_correct"))
        .order_by()
    )
    return {row["depot_id"]: (row["counted"] or 0, row["correct"] or 0) for row in rows}


def stock_check_lines(*, stock_check: StockCheck) -> QuerySet[StockCheckLine]:
    """The lines to count, in walking order (storehouse, then lot number)."""
    return (
        StockCheckLine.objects.filter(stock_check=stock_check)
        .select_related("lot__ammunition_type", "storehouse")
        .order_by("storehouse__code", "lot__lot_number", "id")
    )


def book_visible(user: User, stock_check: StockCheck) -> bool:
    """Counting is blind: whoever may count in the depot never sees the book while the check is
    counting; otherwise inspectors of the depot and national readers (officers, auditors,
    administrators) see it. A clerk never does."""
    depot_id = stock_check.depot_id
    counting = stock_check.status in (StockCheckStatus.PLANNED, StockCheckStatus.COUNTING)
    if counting and can(user, Action.RECORD_MOVEMENT, depot_id):
        return False
    return can(user, Action.APPROVE, depot_id) or bool(user.role_set & NATIONAL_READERS)


def _incident_scope(queryset: QuerySet[Incident], user: User) -> QuerySet[Incident]:
    ids = read_depot_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(Q(depot__in=ids) | Q(other_depot__in=ids))


def incident_list(*, user: User) -> QuerySet[Incident]:
    """Incidents of the user's depots (a transit shortfall shows in both depots)."""
    return _incident_scope(
        Incident.objects.select_related("depot", "other_depot", "reported_by", "closed_by"),
        user,
    )


def stock_check_incidents(*, stock_check: StockCheck) -> QuerySet[Incident]:
    """The incidents a check's approval opened for its losses (one at most, today)."""
    return Incident.objects.filter(stock_check_id=stock_check.pk).order_by("id")


def incident_unresolved_list(*, user: User) -> QuerySet[Incident]:
    """Incidents of the user's depots not yet closed (the home page's losses to explain)."""
    return incident_list(user=user).exclude(status=IncidentStatus.CLOSED)


def incident_monthly(*, user: User) -> QuerySet:
    """Per depot and month: incidents reported, still unresolved, and units lost. A profile that
    oversight compares across depots."""
    return (
        _incident_scope(Incident.objects.all(), user)
        .annotate(month=TruncMonth("reported_at", output_field=DateField()))
        .values("depot_id", "depot__code", "month")
        .annotate(
            incidents=CountOf("id"),
            unresolved=CountOf("id", filter=~Q(status=IncidentStatus.CLOSED)),
            thefts=CountOf("id", filter=Q(kind="theft")),
            transit_shortfalls=CountOf("id", filter=Q(kind="transit_shortfall")),
            count_variances=CountOf("id", filter=Q(kind="count_variance")),
            units_lost=Sum("units_lost"),
        )
        .order_by("-month", "depot__code")
    )
