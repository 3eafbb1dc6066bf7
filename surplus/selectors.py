"""Reads of surplus data in the reader's scope (core.scoping).

Scope: officers, auditors, administrators and national inspectors read the national surplus and
every depot's. Clerks and depot inspectors read their own depots' share only: the rows summed
over their depots (the unserviceable, expiring and obsolete stock lying there and their share of
the national excess); requirements are national facts everyone reads. Disposal plans are read
where their depot is in scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet, Sum
from django.utils.translation import gettext as _

from accounts.models import User
from core.scoping import read_depot_ids, scope
from inventory.models import AmmunitionType, Depot
from surplus import computation
from surplus.computation import SurplusRow
from surplus.models import (
    DisposalExecution,
    DisposalPlan,
    DisposalPlanLine,
    GroupMember,
    InterchangeableGroup,
    Requirement,
    SnapshotRow,
    SnapshotStatus,
    SurplusSnapshot,
)
from surplus.policy import SurplusPolicy, surplus_policy


@dataclass
class SurplusView:
    """What one reader sees with one set of filters: per-depot rows and rows per subject."""

    per_depot: list[SurplusRow]
    by_subject: list[SurplusRow]
    depots: dict[int, Depot]
    national: bool  # every depot summed: the national figures
    policy: SurplusPolicy
    as_of: date


def subject_of_type(ammunition_type: AmmunitionType) -> int:
    group_id = (
        GroupMember.objects.filter(ammunition_type=ammunition_type)
        .values_list("group_id", flat=True)
        .first()
    )
    return computation.subject_key(type_id=ammunition_type.pk, group_id=group_id)


def surplus_view(
    user: User,
    *,
    as_of: date,
    depot: Depot | None = None,
    region: str = "",
    ammunition_type: AmmunitionType | None = None,
    category: str = "",
    sk: int | None = None,
) -> SurplusView:
    """The surplus in the reader's scope, filtered. A fixed number of queries (four)."""
    policy = surplus_policy()
    depots = {d.pk: d for d in scope(Depot.objects.all(), user, depot_field="pk")}
    scoped = read_depot_ids(user)
    wanted = set(depots)
    if depot is not None:
        wanted &= {depot.pk}
    if region:
        wanted = {pk for pk in wanted if depots[pk].region == region}
    national = scoped is None and depot is None and not region
    if ammunition_type is not None:
        sk = subject_of_type(ammunition_type)
    if not wanted and not national:
        per_depot: list[SurplusRow] = []
    else:
        per_depot = computation.surplus_by_depot(
            today=as_of, policy=policy, sk=sk, depot_ids=None if national else wanted
        )
    if category:
        per_depot = [row for row in per_depot if row.category == category]
    return SurplusView(
        per_depot=per_depot,
        by_subject=computation.rows_summed(per_depot),
        depots=depots,
        national=national,
        policy=policy,
        as_of=as_of,
    )


def requirement_list() -> QuerySet[Requirement]:
    return Requirement.objects.select_related("ammunition_type", "group", "set_by").order_by(
        "-set_at", "-id"
    )


def requirement_current(*, as_of: date) -> QuerySet[Requirement]:
    """The version in force on `as_of` of each subject's requirement."""
    return (
        Requirement.objects.filter(effective_from__lte=as_of)
        .select_related("ammunition_type", "group", "set_by")
        .order_by("ammunition_type_id", "group_id", "-effective_from", "-version")
        .distinct("ammunition_type_id", "group_id")
    )


def snapshot_list() -> QuerySet[SurplusSnapshot]:
    return SurplusSnapshot.objects.select_related("requested_by").order_by("-taken_on", "-id")


def snapshot_rows(user: User, snapshot: SurplusSnapshot) -> QuerySet[SnapshotRow]:
    """A snapshot's rows in scope: national rows (depot null) only for national readers."""
    rows = SnapshotRow.objects.filter(snapshot=snapshot).select_related(
        "depot", "ammunition_type", "group"
    )
    ids = read_depot_ids(user)
    if ids is not None:
        rows = rows.filter(depot_id__in=ids)
    return rows.order_by("depot_id", "id")


def trend(user: User, *, depot_ids: set[int] | None = None, limit: int = 60) -> list[dict]:
    """Surplus and holdings per day from the last finished snapshot of each day (two queries):
    national rows for national readers with no depot filter, else the depots' rows summed."""
    snapshots = list(
        SurplusSnapshot.objects.filter(status=SnapshotStatus.DONE)
        .order_by("taken_on", "-id")
        .distinct("taken_on")
        .values_list("pk", "taken_on")
    )[-limit:]
    scoped = read_depot_ids(user)
    rows = SnapshotRow.objects.filter(snapshot_id__in=[pk for pk, _ in snapshots])
    if scoped is None and depot_ids is None:
        rows = rows.filter(depot__isnull=True)
    else:
        allowed = set(depot_ids if depot_ids is not None else scoped)
        if scoped is not None:
            allowed &= set(scoped)
        rows = rows.filter(depot_id__in=allowed)
    totals = {
        row["snapshot_id"]: row
        for row in rows.values("snapshot_id").annotate(
            surplus=Sum("surplus"),
            requirement=Sum("requirement"),
            serviceable=Sum("serviceable"),
            surplus_neq_kg=Sum("surplus_neq_kg"),
        )
    }
    points = []
    for pk, taken_on in snapshots:
        total = totals.get(pk, {})
        points.append(
            {
                "taken_on": taken_on,
                "surplus": total.get("surplus") or 0,
                "serviceable": total.get("serviceable") or 0,
                "surplus_neq_kg": total.get("surplus_neq_kg") or 0,
            }
        )
    return points


def disposal_plan_list(user: User) -> QuerySet[DisposalPlan]:
    return scope(
        DisposalPlan.objects.select_related("depot", "created_by", "approved_by", "closed_by"),
        user,
    ).order_by("-id")


def disposal_plan_detail(user: User) -> QuerySet[DisposalPlan]:
    return disposal_plan_list(user).prefetch_related(
        Prefetch(
            "lines",
            queryset=DisposalPlanLine.objects.select_related(
                "lot__ammunition_type", "storehouse"
            ).order_by("id"),
        ),
        Prefetch(
            "executions",
            queryset=DisposalExecution.objects.select_related("document", "executed_by").order_by(
                "id"
            ),
        ),
    )


def execution_list(user: User) -> QuerySet[DisposalExecution]:
    return (
        scope(
            DisposalExecution.objects.select_related(
                "plan__depot", "document", "executed_by", "plan__approved_by", "plan__created_by"
            ),
            user,
            depot_field="plan__depot",
        )
        .prefetch_related("lines__plan_line__lot__ammunition_type", "lines__plan_line__storehouse")
        .order_by("-id")
    )


def group_list() -> QuerySet[InterchangeableGroup]:
    return InterchangeableGroup.objects.prefetch_related(
        Prefetch("types", queryset=AmmunitionType.objects.order_by("code"))
    ).order_by("code")


def group_members(group: InterchangeableGroup) -> QuerySet[GroupMember]:
    return (
        GroupMember.objects.filter(group=group)
        .select_related("ammunition_type")
        .order_by("ammunition_type__code")
    )


def group_history(group: InterchangeableGroup, limit: int = 200) -> list[dict]:
    """Who created or renamed the group and who added or removed which type, newest first
    (simple_history's records: two queries)."""
    labels = {"+": _("added"), "-": _("removed"), "~": _("changed")}
    events = [
        {
            "at": record.history_date,
            "by": record.history_user,
            "what": _("group %(action)s: %(code)s %(name)s")
            % {"action": labels[record.history_type], "code": record.code, "name": record.name},
        }
        for record in InterchangeableGroup.history.filter(id=group.pk)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    ]
    events += [
        {
            "at": record.history_date,
            "by": record.history_user,
            "what": _("type %(action)s: %(code)s")
            % {"action": labels[record.history_type], "code": record.ammunition_type.code},
        }
        for record in GroupMember.history.filter(group_id=group.pk)
        .select_related("history_user", "ammunition_type")
        .order_by("-history_date")[:limit]
    ]
    return sorted(events, key=lambda event: event["at"], reverse=True)[:limit]
