"""Reads of alerts, limited to the user's depot scope (core.scoping), with their joins applied."""

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from accounts.models import User
from alerts.models import Alert, Severity
from core.scoping import read_depot_ids, scope


def alert_list(*, user: User) -> QuerySet[Alert]:
    """Alerts of the depots the user may read, newest first, with what they are about."""
    return scope(
        Alert.objects.select_related(
            "depot", "lot__ammunition_type", "storehouse", "document", "acknowledged_by"
        ),
        user,
    ).order_by("-id")


def alert_open_list(*, user: User) -> QuerySet[Alert]:
    """Open alerts in the user's scope, the most severe first."""
    severity_rank = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}
    rank = Case(
        *(When(severity=s, then=Value(r)) for s, r in severity_rank.items()),
        default=Value(3),
        output_field=IntegerField(),
    )
    return (
        alert_list(user=user)
        .filter(resolved_at__isnull=True)
        .annotate(severity_rank=rank)
        .order_by("severity_rank", "-last_seen", "-id")
    )


def alert_counts(*, user: User) -> dict[str, int]:
    """{"open": n, "critical": n} over the user's scope: one query."""
    if read_depot_ids(user) == frozenset():
        return {"open": 0, "critical": 0}
    return scope(Alert.objects.filter(resolved_at__isnull=True), user).aggregate(
        open=Count("id"), critical=Count("id", filter=Q(severity=Severity.CRITICAL))
    )
