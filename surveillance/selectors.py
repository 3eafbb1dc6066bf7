"""Reads of surveillance, limited to the reader's depot scope (core.scoping)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from core.scoping import read_depot_ids, scope
from inventory.models import Balance, Ban, Document, Lot
from surveillance.models import (
    ConditionChange,
    Inspection,
    LotDue,
    ShelfLifeExtension,
    StabilityTest,
)


def _lots_in_scope(user: User) -> Q:
    ids = read_depot_ids(user)
    if ids is None:
        return Q()
    return Q(Exists(Balance.objects.filter(lot=OuterRef("lot"), depot_id__in=ids)))


def inspection_list(user: User) -> QuerySet[Inspection]:
    return scope(
        Inspection.objects.select_related(
            "lot__ammunition_type", "depot", "storehouse", "inspector"
        ),
        user,
    ).order_by("-inspected_on", "-id")


def stability_test_list(user: User) -> QuerySet[StabilityTest]:
    return scope(
        StabilityTest.objects.select_related("lot__ammunition_type", "depot", "tested_by"), user
    ).order_by("-sampled_on", "-id")


def condition_change_list(user: User) -> QuerySet[ConditionChange]:
    return scope(
        ConditionChange.objects.select_related(
            "lot__ammunition_type", "document__depot", "document__posted_by"
        ),
        user,
        depot_field="document__depot",
    ).order_by("-id")


def ban_list(user: User) -> QuerySet[Ban]:
    """Type bans are national facts everyone reads; a lot's ban is read where the lot is held."""
    ids = read_depot_ids(user)
    queryset = Ban.objects.select_related(
        "lot__ammunition_type", "ammunition_type", "imposed_by", "lifted_by"
    )
    if ids is not None:
        queryset = queryset.filter(
            Q(lot__isnull=True)
            | Q(Exists(Balance.objects.filter(lot=OuterRef("lot"), depot_id__in=ids)))
        )
    return queryset.order_by("-imposed_at", "-id")


def extension_list(user: User) -> QuerySet[ShelfLifeExtension]:
    return (
        ShelfLifeExtension.objects.filter(_lots_in_scope(user))
        .select_related("lot", "decided_by")
        .order_by("-decided_at", "-id")
    )


@dataclass(frozen=True)
class WorkItem:
    lot: Lot
    depot_code: str
    quantity: int
    what: str  # "inspection", "stability_test", "expiry"
    due_on: date

    @property
    def overdue(self) -> bool:
        return self.due_on < timezone.localdate()


_WORK_LIST = """
SELECT b.lot_id, d.code, SUM(b.quantity)::bigint, due.inspection_due, due.stability_due,
       lot.expires_on
FROM inventory_balance b
JOIN inventory_depot d ON d.id = b.depot_id
JOIN inventory_lot lot ON lot.id = b.lot_id
JOIN surveillance_lotdue due ON due.lot_id = b.lot_id
WHERE b.quantity > 0
  AND (%(all)s OR b.depot_id = ANY(%(depots)s::bigint[]))
  AND (due.inspection_due <= %(until)s OR due.stability_due <= %(until)s
       OR lot.expires_on <= %(until)s)
GROUP BY b.lot_id, d.code, due.inspection_due, due.stability_due, lot.expires_on
ORDER BY LEAST(due.inspection_due, due.stability_due, lot.expires_on), b.lot_id, d.code
LIMIT %(limit)s
"""


def work_list(
    user: User, *, today: date, horizon_days: int = 30, limit: int = 500
) -> list[WorkItem]:
    """What falls due in the user's depots within `horizon_days` (overdue first): inspections,
    stability tests and expiries of lots in stock. Two queries whatever the stock."""
    until = today + timedelta(days=horizon_days)
    rows = _due_rows(_WORK_LIST, user, until=until, limit=limit)
    lots = Lot.objects.select_related("ammunition_type").in_bulk({row[0] for row in rows})
    items = []
    for lot_id, depot_code, quantity, inspection_due, stability_due, expires_on in rows:
        for what, due in (
            ("inspection", inspection_due),
            ("stability_test", stability_due),
            ("expiry", expires_on),
        ):
            if due is not None and due <= until:
                items.append(WorkItem(lots[lot_id], depot_code, quantity, what, due))
    items.sort(key=lambda item: (item.due_on, item.lot.lot_number, item.what))
    return items


_WORK_COUNTS = """
SELECT COUNT(*), COUNT(*) FILTER (WHERE due.on_day < %(today)s)
FROM (
    SELECT DISTINCT b.lot_id, b.depot_id, due.inspection_due, due.stability_due, lot.expires_on
    FROM inventory_balance b
    JOIN inventory_lot lot ON lot.id = b.lot_id
    JOIN surveillance_lotdue due ON due.lot_id = b.lot_id
    WHERE b.quantity > 0
      AND (%(all)s OR b.depot_id = ANY(%(depots)s::bigint[]))
) held
CROSS JOIN LATERAL (VALUES (held.inspection_due), (held.stability_due), (held.expires_on))
    AS due(on_day)
WHERE due.on_day <= %(until)s
"""


def work_list_counts(user: User, *, today: date, horizon_days: int = 30) -> tuple[int, int]:
    """(items due within `horizon_days`, of them overdue): what `work_list` would list with the
    same arguments, counted in one query (the home page's figures)."""
    until = today + timedelta(days=horizon_days)
    [(due, overdue)] = _due_rows(_WORK_COUNTS, user, until=until, today=today)
    return due, overdue


def _due_rows(sql: str, user: User, *, until: date, **params) -> list[tuple]:
    """The rows of a work-list query (`_WORK_LIST`, `_WORK_COUNTS`) over the user's depots,
    for what falls due by `until`."""
    ids = read_depot_ids(user)
    with connection.cursor() as cursor:
        cursor.execute(
            sql, {"all": ids is None, "depots": sorted(ids or ()), "until": until, **params}
        )
        return cursor.fetchall()


def lot_due(lot: Lot) -> LotDue | None:
    return LotDue.objects.filter(lot=lot).first()


@dataclass(frozen=True)
class TimelineEvent:
    on: date
    what: str
    detail: str
    document: Document | None = None


def _local_day(moment) -> date:
    """The day of a timestamp where the depot is (TIME_ZONE), not in UTC."""

    return timezone.localdate(moment)


def lot_timeline(user: User, lot: Lot) -> list[TimelineEvent]:
    """The lot's surveillance history, newest first: condition changes, inspections, stability
    tests, bans and extensions the user may read. A fixed number of queries."""
    events = [
        TimelineEvent(
            change.document.occurred_on,
            "condition_change",
            f"{change.from_condition} → {change.to_condition}: {change.document.note}",
            change.document,
        )
        for change in condition_change_list(user).filter(lot=lot)
    ]
    events += [
        TimelineEvent(
            inspection.inspected_on,
            "inspection",
            f"{inspection.get_kind_display()}, condition {inspection.condition_id}: "
            f"{inspection.findings}",
        )
        for inspection in inspection_list(user).filter(lot=lot)
    ]
    events += [
        TimelineEvent(
            test.sampled_on,
            "stability_test",
            f"{test.get_method_display()}: {test.get_category_display()} ({test.action})",
        )
        for test in stability_test_list(user).filter(lot=lot)
    ]
    for ban in ban_list(user).filter(Q(lot=lot) | Q(ammunition_type=lot.ammunition_type_id)):
        events.append(
            TimelineEvent(_local_day(ban.imposed_at), ban.kind, f"{ban.reason} ({ban.reference})")
        )
        if ban.lifted_at:
            events.append(
                TimelineEvent(_local_day(ban.lifted_at), f"{ban.kind}_lifted", ban.lift_reason)
            )
    events += [
        TimelineEvent(
            _local_day(extension.decided_at),
            "shelf_life_extension",
            f"{extension.previous_expires_on} → {extension.new_expires_on}: {extension.reason}",
        )
        for extension in extension_list(user).filter(lot=lot)
    ]
    events.sort(key=lambda event: event.on, reverse=True)
    return events
