"""Diversion-risk profiles for oversight: per depot and per recipient, over a period, ranked.

Each figure is one grouped query over all depots (or recipients), so a profile costs a fixed
number of queries whatever the number of depots, documents or incidents. The score that ranks
depots is documented in docs/diversion.md (DEPOT_WEIGHTS below); it orders attention, it
proves nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, DateField, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import User
from diversion.models import Verification, VerificationResult
from diversion.selectors import require_register_reader
from inventory.models import Depot, Document, LedgerLine, Recipient
from inventory.models.ledger import DocumentKind, DocumentStatus
from stockchecks.models import Incident, IncidentKind, IncidentStatus, StockCheck

LOSS_KINDS = [IncidentKind.COUNT_VARIANCE, IncidentKind.LOSS_ADJUSTMENT, IncidentKind.THEFT]
TREND_MONTHS = 6

# score = sum of weight * figure; accuracy counts by its shortfall from 100 %.
DEPOT_WEIGHTS = {
    "loss_incidents": 3,
    "transit_shortfalls": 2,
    "adjustments": 1,
    "accuracy_shortfall_pct": 0.5,
    "overdue_verifications": 2,
    "open_incidents": 3,
}


@dataclass
class DepotProfile:
    depot: Depot
    loss_incidents: int = 0
    units_lost: int = 0
    transit_shortfalls: int = 0
    units_short: int = 0
    adjustments: int = 0
    units_adjusted_out: int = 0
    lines_counted: int = 0
    lines_correct: int = 0
    overdue_verifications: int = 0
    open_incidents: int = 0
    trend: list[int] = field(default_factory=list)

    @property
    def accuracy_pct(self) -> float | None:
        if not self.lines_counted:
            return None
        return round(100 * self.lines_correct / self.lines_counted, 1)

    @property
    def score(self) -> float:
        accuracy = self.accuracy_pct
        figures = {
            "loss_incidents": self.loss_incidents,
            "transit_shortfalls": self.transit_shortfalls,
            "adjustments": self.adjustments,
            "accuracy_shortfall_pct": 0 if accuracy is None else 100 - accuracy,
            "overdue_verifications": self.overdue_verifications,
            "open_incidents": self.open_incidents,
        }
        return round(sum(DEPOT_WEIGHTS[name] * value for name, value in figures.items()), 1)


def _months(end: date) -> list[date]:
    first = end.replace(day=1)
    months = [first]
    for _ in range(TREND_MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return list(reversed(months))


def depot_profiles(*, user: User, start: date, end: date) -> tuple[list[DepotProfile], list]:
    """Every depot's figures for [start, end], ranked by score (highest first), with a trend of
    loss and shortfall incidents plus adjustments over the last six months to `end`. Ten
    queries."""
    require_register_reader(user)
    profiles = {depot.pk: DepotProfile(depot) for depot in Depot.objects.order_by("code")}
    in_period = Q(occurred_on__gte=start, occurred_on__lte=end)

    for row in (
        Incident.objects.filter(in_period, kind__in=LOSS_KINDS)
        .values("depot_id")
        .annotate(n=Count("id"), units=Sum("units_lost"))
        .order_by()
    ):
        profiles[row["depot_id"]].loss_incidents = row["n"]
        profiles[row["depot_id"]].units_lost = row["units"] or 0
    # A shortfall counts against both ends of the transfer.
    shortfalls = Incident.objects.filter(in_period, kind=IncidentKind.TRANSIT_SHORTFALL)
    for side in ("depot_id", "other_depot_id"):
        for row in (
            shortfalls.exclude(**{side: None})
            .values(side)
            .annotate(n=Count("id"), units=Sum("units_lost"))
            .order_by()
        ):
            profiles[row[side]].transit_shortfalls += row["n"]
            profiles[row[side]].units_short += row["units"] or 0
    for row in (
        LedgerLine.objects.filter(
            in_period,
            document__kind=DocumentKind.ADJUSTMENT,
            document__status=DocumentStatus.POSTED,
        )
        .values("depot_id")
        .annotate(
            n=Count("document_id", distinct=True),
            out=Sum("quantity", filter=Q(quantity__lt=0)),
        )
        .order_by()
    ):
        profiles[row["depot_id"]].adjustments = row["n"]
        profiles[row["depot_id"]].units_adjusted_out = -(row["out"] or 0)
    for row in (
        StockCheck.objects.filter(
            status="approved", approved_at__date__gte=start, approved_at__date__lte=end
        )
        .values("depot_id")
        .annotate(counted=Sum("lines_counted"), correct=Sum("lines_correct"))
        .order_by()
    ):
        profiles[row["depot_id"]].lines_counted = row["counted"] or 0
        profiles[row["depot_id"]].lines_correct = row["correct"] or 0
    for row in (
        Verification.objects.filter(
            result=VerificationResult.PENDING, due_on__lt=timezone.localdate()
        )
        .values("case__depot_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        profiles[row["case__depot_id"]].overdue_verifications = row["n"]
    for row in (
        Incident.objects.exclude(status=IncidentStatus.CLOSED)
        .values("depot_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        profiles[row["depot_id"]].open_incidents = row["n"]

    months = _months(end)
    trend: dict[tuple[int, date], int] = defaultdict(int)
    month = TruncMonth("occurred_on", output_field=DateField())
    since = Q(occurred_on__gte=months[0], occurred_on__lte=end)
    for row in (
        Incident.objects.filter(since, kind__in=[*LOSS_KINDS, IncidentKind.TRANSIT_SHORTFALL])
        .annotate(month=month)
        .values("depot_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    ):
        trend[(row["depot_id"], row["month"])] += row["n"]
    for row in (
        Document.objects.filter(since, kind=DocumentKind.ADJUSTMENT, status=DocumentStatus.POSTED)
        .annotate(month=month)
        .values("depot_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    ):
        trend[(row["depot_id"], row["month"])] += row["n"]
    for profile in profiles.values():
        profile.trend = [trend[(profile.depot.pk, m)] for m in months]
    ranked = sorted(profiles.values(), key=lambda p: (-p.score, p.depot.code))
    return ranked, months


@dataclass
class RecipientProfile:
    recipient: Recipient
    issues: int = 0
    units_issued: int = 0
    units_returned: int = 0
    failed_verifications: int = 0

    @property
    def consumed(self) -> int:
        return self.units_issued - self.units_returned


def recipient_profiles(*, user: User, start: date, end: date) -> list[RecipientProfile]:
    """Per recipient (unit, agency, consignee) for [start, end]: issues, units issued and
    returned, net consumption, failed delivery verifications; ranked by consumption. Three
    queries."""
    require_register_reader(user)
    rows = (
        LedgerLine.objects.filter(
            occurred_on__gte=start,
            occurred_on__lte=end,
            document__kind__in=[DocumentKind.ISSUE, DocumentKind.RETURN],
            document__recipient__isnull=False,
        )
        .values("document__recipient_id")
        .annotate(
            issues=Count("document_id", distinct=True, filter=Q(document__kind=DocumentKind.ISSUE)),
            issued=Sum("quantity", filter=Q(document__kind=DocumentKind.ISSUE)),
            returned=Sum("quantity", filter=Q(document__kind=DocumentKind.RETURN)),
        )
        .order_by()
    )
    figures = {row["document__recipient_id"]: row for row in rows}
    failed = dict(
        Verification.objects.filter(result=VerificationResult.FAILED)
        .values("case__recipient_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("case__recipient_id", "n")
    )
    recipients = Recipient.objects.filter(pk__in=set(figures) | set(failed)).order_by("code")
    profiles = []
    for recipient in recipients:
        row = figures.get(recipient.pk, {})
        profiles.append(
            RecipientProfile(
                recipient=recipient,
                issues=row.get("issues") or 0,
                units_issued=-(row.get("issued") or 0),
                units_returned=row.get("returned") or 0,
                failed_verifications=failed.get(recipient.pk, 0),
            )
        )
    return sorted(profiles, key=lambda p: (-p.failed_verifications, -p.consumed, p.recipient.code))


def recipient_documents(*, user: User, recipient: Recipient, start: date, end: date):
    """Drill-down: the issues to and returns from a recipient in the period, newest first."""
    require_register_reader(user)
    return (
        Document.objects.filter(
            recipient=recipient,
            kind__in=[DocumentKind.ISSUE, DocumentKind.RETURN],
            occurred_on__gte=start,
            occurred_on__lte=end,
        )
        .select_related("depot")
        .annotate(units=Sum("lines__quantity"))
        .order_by("-occurred_on", "-id")
    )
