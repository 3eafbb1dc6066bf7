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
from fractions import Fraction

from django.db.models import Count, DateField, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import User
from diversion.models import TrainingAllocation, Verification, VerificationResult
from diversion.selectors import require_register_reader
from inventory import hooks
from inventory.models import (
    Depot,
    Document,
    Incident,
    IncidentKind,
    IncidentStatus,
    LedgerLine,
    Recipient,
)
from inventory.models.ledger import DocumentKind, DocumentStatus

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
    for depot_id, (counted, correct) in hooks.count_accuracy(start=start, end=end).items():
        profiles[depot_id].lines_counted = counted
        profiles[depot_id].lines_correct = correct
    for row in (
        Verification.objects.filter(
            result=VerificationResult.PENDING,
            due_on__lt=timezone.localdate(),
            case__dispatch_document__reversal=None,  # a reversed dispatch's checks are moot
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


@dataclass(kw_only=True)
class _Consumption:
    """Units issued to a recipient and returned by it in the period: their difference is what it
    consumed."""

    units_issued: int = 0
    units_returned: int = 0

    @property
    def consumed(self) -> int:
        return self.units_issued - self.units_returned


@dataclass
class TypeConsumption(_Consumption):
    """One ammunition type consumed by a recipient in the period, against its training
    allocation pro-rated to the period (None when no allocation covers the period)."""

    type_id: int
    type_code: str
    allocated: int | None = None

    @property
    def over(self) -> bool:
        return self.allocated is not None and self.consumed > self.allocated

    @property
    def units_over(self) -> int:
        return max(0, self.consumed - self.allocated) if self.allocated is not None else 0


@dataclass
class RecipientProfile(_Consumption):
    recipient: Recipient
    issues: int = 0
    failed_verifications: int = 0
    types: list[TypeConsumption] = field(default_factory=list)

    @property
    def units_over_allocation(self) -> int:
        return sum(t.units_over for t in self.types)

    @property
    def over_allocation(self) -> bool:
        return any(t.over for t in self.types)


def _year_shares(start: date, end: date) -> dict[int, tuple[int, int]]:
    """Per calendar year touched by [start, end]: (days of the period in it, days in the year)."""
    shares = {}
    for year in range(start.year, end.year + 1):
        first, last = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
        shares[year] = ((last - first).days + 1, (date(year, 12, 31) - date(year, 1, 1)).days + 1)
    return shares


def _pro_rated(allocations, start: date, end: date) -> dict[tuple[int, int], int]:
    """(recipient id, type id) → the allocations of the years the period touches, each pro-rated
    by the share of its year inside the period, rounded half up to whole units."""
    shares = _year_shares(start, end)
    totals: dict[tuple[int, int], Fraction] = defaultdict(Fraction)
    for recipient_id, type_id, year, quantity in allocations:
        days, year_days = shares[year]
        totals[(recipient_id, type_id)] += Fraction(quantity * days, year_days)
    return {key: int(value + Fraction(1, 2)) for key, value in totals.items()}


def recipient_profiles(
    *, user: User, start: date, end: date, recipient: Recipient | None = None
) -> list[RecipientProfile]:
    """Per recipient (unit, agency, consignee) for [start, end], or the one `recipient`: issues,
    units issued and returned, net consumption, failed delivery verifications, and per type the
    consumption against the training allocation pro-rated to the period; ranked by failed
    verifications, then units over allocation, then consumption. Five queries."""
    require_register_reader(user)
    lines = LedgerLine.objects.filter(
        occurred_on__gte=start,
        occurred_on__lte=end,
        document__kind__in=[DocumentKind.ISSUE, DocumentKind.RETURN],
        document__recipient__isnull=False,
        document__reversal__isnull=True,  # a reversed issue or return is undone
    )
    allocations = TrainingAllocation.objects.filter(year__gte=start.year, year__lte=end.year)
    verifications = Verification.objects.filter(result=VerificationResult.FAILED)
    if recipient is not None:
        lines = lines.filter(document__recipient=recipient)
        allocations = allocations.filter(recipient=recipient)
        verifications = verifications.filter(case__recipient=recipient)
    issued = Sum("quantity", filter=Q(document__kind=DocumentKind.ISSUE))
    returned = Sum("quantity", filter=Q(document__kind=DocumentKind.RETURN))
    rows = (
        lines.values("document__recipient_id")
        .annotate(
            issues=Count("document_id", distinct=True, filter=Q(document__kind=DocumentKind.ISSUE)),
            issued=issued,
            returned=returned,
        )
        .order_by()
    )
    figures = {row["document__recipient_id"]: row for row in rows}
    types: dict[int, dict[int, TypeConsumption]] = defaultdict(dict)
    for row in (
        lines.values("document__recipient_id", "lot__ammunition_type_id")
        .annotate(code=F("lot__ammunition_type__code"), issued=issued, returned=returned)
        .order_by()
    ):
        types[row["document__recipient_id"]][row["lot__ammunition_type_id"]] = TypeConsumption(
            type_id=row["lot__ammunition_type_id"],
            type_code=row["code"],
            units_issued=-(row["issued"] or 0),
            units_returned=row["returned"] or 0,
        )
    allocation_rows = list(
        allocations.values_list(
            "recipient_id", "ammunition_type_id", "year", "quantity", "ammunition_type__code"
        )
    )
    pro_rated = _pro_rated([row[:4] for row in allocation_rows], start, end)
    for recipient_id, type_id, _year, _quantity, code in allocation_rows:
        consumption = types[recipient_id].setdefault(
            type_id, TypeConsumption(type_id=type_id, type_code=code)
        )
        consumption.allocated = pro_rated[(recipient_id, type_id)]
    failed = dict(
        verifications.values("case__recipient_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("case__recipient_id", "n")
    )
    recipients = Recipient.objects.filter(pk__in=set(figures) | set(failed) | set(types))
    profiles = []
    for one in recipients.order_by("code"):
        row = figures.get(one.pk, {})
        profiles.append(
            RecipientProfile(
                recipient=one,
                issues=row.get("issues") or 0,
                units_issued=-(row.get("issued") or 0),
                units_returned=row.get("returned") or 0,
                failed_verifications=failed.get(one.pk, 0),
                types=sorted(types.get(one.pk, {}).values(), key=lambda t: t.type_code),
            )
        )
    return sorted(
        profiles,
        key=lambda p: (
            -p.failed_verifications,
            -p.units_over_allocation,
            -p.consumed,
            p.recipient.code,
        ),
    )


def recipient_documents(
    *, user: User, recipient: Recipient, start: date, end: date, ammunition_type_id=None
):
    """Drill-down: the issues to and returns from a recipient in the period (not reversed: as
    counted by the profile), newest first; with a type, only the documents moving it, and their
    units of it."""
    require_register_reader(user)
    documents = Document.objects.filter(
        recipient=recipient,
        kind__in=[DocumentKind.ISSUE, DocumentKind.RETURN],
        occurred_on__gte=start,
        occurred_on__lte=end,
        reversal__isnull=True,
    )
    if ammunition_type_id is not None:
        documents = documents.filter(lines__lot__ammunition_type_id=ammunition_type_id)
    return (
        documents.select_related("depot")
        .annotate(units=Sum("lines__quantity"))
        .order_by("-occurred_on", "-id")
    )
