"""The only code that writes surplus data: requirements, snapshots, disposal plans and their
executions. The web UI, the API, Celery and the management command all call these functions."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record
from core.errors import SelfApproval
from core.net import client_ip
from core.ratelimit import RateScope, rate_limit
from core.roles import Action
from core.scoping import require
from inventory.models import AmmunitionType, Balance, Depot, Lot, Storehouse
from inventory.services.posting import Movement, disposal_post
from surplus import computation
from surplus.errors import (
    ExceedsPlan,
    InvalidPlanState,
    NotDisposable,
    TransferCaseRequired,
    UnitMismatch,
)
from surplus.models import (
    DisposalExecution,
    DisposalExecutionLine,
    DisposalPlan,
    DisposalPlanLine,
    GroupMember,
    InterchangeableGroup,
    PlanStatus,
    Requirement,
    SnapshotRow,
    SnapshotStatus,
    SurplusSnapshot,
)
from surplus.policy import surplus_policy

logger = logging.getLogger(__name__)

# --- National requirements -----------------------------------------------------------------------


@transaction.atomic
def requirement_set(
    *,
    ammunition_type: AmmunitionType | None = None,
    group: InterchangeableGroup | None = None,
    effective_from: date,
    operational: int,
    training_per_year: int,
    training_years: int,
    testing: int,
    contingency: int,
    approval_reference: str,
    set_by: User,
    note: str = "",
) -> Requirement:
    """Set a new version of the requirement of a type or a group, in force from `effective_from`.
    Earlier versions stay as they were: the history of what was required when."""
    require(set_by, Action.MANAGE_OVERSIGHT)
    if (ammunition_type is None) == (group is None):
        raise ValidationError(_("Name either an ammunition type or a group of types."))
    if ammunition_type is not None:
        member = GroupMember.objects.filter(ammunition_type=ammunition_type).first()
        if member is not None:
            raise ValidationError(
                {
                    "ammunition_type": [
                        _(
                            "This type belongs to the group of interchangeable types "
                            "%(group)s: set the group's requirement."
                        )
                        % {"group": member.group.code}
                    ]
                }
            )
        subject = AmmunitionType.objects.select_for_update(no_key=True).get(pk=ammunition_type.pk)
        versions = Requirement.objects.filter(ammunition_type=subject)
    else:
        subject = InterchangeableGroup.objects.select_for_update(no_key=True).get(pk=group.pk)
        versions = Requirement.objects.filter(group=subject)
    if not approval_reference.strip():
        raise ValidationError({"approval_reference": [_("Give the approval reference.")]})
    version = (versions.aggregate(last=Max("version"))["last"] or 0) + 1
    return Requirement.objects.create(
        ammunition_type=ammunition_type,
        group=group,
        version=version,
        effective_from=effective_from,
        operational=operational,
        training_per_year=training_per_year,
        training_years=training_years,
        testing=testing,
        contingency=contingency,
        approval_reference=approval_reference.strip(),
        note=note,
        set_by=set_by,
    )


# --- Groups of interchangeable types ------------------------------------------------------------
# The computation (surplus.computation, `req`) ignores the requirement of a type that is in a
# group: the group's requirement counts for all its types. Requirement versions are never
# changed or deleted, so a type whose requirement still asks for stock (today or from a later
# date) cannot join a group: its requirement would silently stop counting. Its officer first
# sets a version of 0 (its history stays), or folds it into the group's requirement.


def _with_history_user(instance, user):
    instance._history_user = user  # simple_history: who made the change, also outside a request
    return instance


def _code_taken(code: str) -> bool:
    return (
        InterchangeableGroup.objects.filter(code__iexact=code).exists()
        or AmmunitionType.objects.filter(code__iexact=code).exists()
    )


@transaction.atomic
def group_create(*, code: str, name: str, created_by: User) -> InterchangeableGroup:
    """A new, empty group. Its code may be neither another group's nor a type's (a requirement
    names its subject by code)."""
    require(created_by, Action.MANAGE_OVERSIGHT)
    code, name = code.strip(), name.strip()
    errors = {}
    if not code:
        errors["code"] = [_("Give the group's code.")]
    elif _code_taken(code):
        errors["code"] = [_("A group or an ammunition type already has this code.")]
    if not name:
        errors["name"] = [_("Give the group's name.")]
    if errors:
        raise ValidationError(errors)
    group = _with_history_user(InterchangeableGroup(code=code, name=name), created_by)
    group.save()
    return group


def _requirement_asks(ammunition_type: AmmunitionType, today: date) -> Requirement | None:
    """The type's own requirement version in force today or later that asks for stock, if any."""
    versions = Requirement.objects.filter(ammunition_type=ammunition_type).order_by(
        "-effective_from", "-version"
    )
    current = versions.filter(effective_from__lte=today).first()
    later = versions.filter(effective_from__gt=today)
    for version in [current, *later]:
        if version is not None and version.total > 0:
            return version
    return None


@transaction.atomic
def group_member_add(
    *, group: InterchangeableGroup, ammunition_type: AmmunitionType, added_by: User
) -> GroupMember:
    """Put a type into a group: from now on the group's requirement covers its stock. Refused
    for a type already in a group, and for a type whose own requirement still asks for stock."""
    require(added_by, Action.MANAGE_OVERSIGHT)
    # The group first, then the type: two additions to one group queue here, so neither can
    # miss the other's unit of issue.
    InterchangeableGroup.objects.select_for_update(no_key=True).get(pk=group.pk)
    ammunition_type = AmmunitionType.objects.select_for_update(no_key=True).get(
        pk=ammunition_type.pk
    )
    member = (
        GroupMember.objects.filter(ammunition_type=ammunition_type).select_related("group").first()
    )
    if member is not None:
        raise ValidationError(
            {
                "ammunition_type": [
                    _("This type is already in the group %(group)s: a type is in one group only.")
                    % {"group": member.group.code}
                ]
            }
        )
    asking = _requirement_asks(ammunition_type, timezone.localdate())
    if asking is not None:
        raise ValidationError(
            {
                "ammunition_type": [
                    _(
                        "This type has its own national requirement (version %(version)d, "
                        "%(total)s from %(day)s), which stops counting in a group. Set it to 0 "
                        "first (and the group's requirement to cover it)."
                    )
                    % {
                        "version": asking.version,
                        "total": f"{asking.total:,}",
                        "day": asking.effective_from.isoformat(),
                    }
                ]
            }
        )
    _check_unit_of_issue(group, ammunition_type)
    member = _with_history_user(GroupMember(group=group, ammunition_type=ammunition_type), added_by)
    member.save()
    return member


def _unit_key(unit: str) -> str:
    """Units of issue compared as the computation compares them (surplus.computation)."""
    return unit.strip().lower()


def _check_unit_of_issue(group: InterchangeableGroup, ammunition_type: AmmunitionType) -> None:
    """The types of a group share one unit of issue (DESIGN.md §9): rounds and boxes do not add
    up, so a type with another unit is refused (409 `unit_mismatch`)."""
    others = (
        AmmunitionType.objects.filter(surplus_group__group=group)
        .order_by("code")
        .values_list("code", "unit")
    )
    differing = [
        (code, unit) for code, unit in others if _unit_key(unit) != _unit_key(ammunition_type.unit)
    ]
    if differing:
        code, unit = differing[0]
        raise UnitMismatch(
            _(
                "%(type)s is counted in %(unit)s, but the group %(group)s counts in %(other)s "
                "(%(code)s): the types of a group share one unit of issue."
            )
            % {
                "type": ammunition_type.code,
                "unit": ammunition_type.unit,
                "group": group.code,
                "other": unit,
                "code": code,
            },
            unit=ammunition_type.unit,
            group_unit=unit,
        )


@transaction.atomic
def group_member_remove(
    *, group: InterchangeableGroup, ammunition_type: AmmunitionType, removed_by: User
) -> None:
    """Take a type out of a group: its stock is its own subject again (with its own requirement,
    0 if it never had one). The membership's history keeps that it was in the group."""
    require(removed_by, Action.MANAGE_OVERSIGHT)
    member = (
        GroupMember.objects.select_for_update()
        .filter(group=group, ammunition_type=ammunition_type)
        .first()
    )
    if member is None:
        raise ValidationError(
            {
                "ammunition_type": [
                    _("This type is not in the group %(group)s.") % {"group": group.code}
                ]
            }
        )
    _with_history_user(member, removed_by).delete()


# --- Snapshots ---------------------------------------------------------------------------------

SNAPSHOT_BATCH = 2000
# A snapshot row keeps every figure of the computed row (surplus.computation.SurplusRow), by name:
# its columns other than the keys.
_SNAPSHOT_FIGURES = [
    field.name
    for field in SnapshotRow._meta.concrete_fields
    if not field.is_relation and not field.primary_key
]


def snapshot_request(*, requested_by: User | None, taken_on: date | None = None) -> SurplusSnapshot:
    """A queued snapshot, taken by whoever asked (`snapshot_queue` hands it to a worker)."""
    if requested_by is not None:
        require(requested_by, Action.MANAGE_OVERSIGHT)
        rate_limit(requested_by, RateScope.RECOMPUTATION)
    return SurplusSnapshot.objects.create(
        taken_on=taken_on or timezone.localdate(), requested_by=requested_by
    )


def snapshot_queue(*, requested_by: User, taken_on: date | None = None) -> SurplusSnapshot:
    """An officer's snapshot now: queued, and handed to a worker once the request commits."""
    from surplus.tasks import surplus_snapshot_task  # here: surplus.tasks imports this module

    with transaction.atomic():
        snapshot = snapshot_request(requested_by=requested_by, taken_on=taken_on)
        transaction.on_commit(partial(surplus_snapshot_task.delay, snapshot_id=snapshot.pk))
    return snapshot


def _progress(snapshot: SurplusSnapshot, percent: int, **extra) -> None:
    # Autocommitted so that the page polling the snapshot sees it move.
    SurplusSnapshot.objects.filter(pk=snapshot.pk).update(progress=percent, **extra)


def snapshot_take(snapshot: SurplusSnapshot) -> dict[str, int]:
    """Compute the surplus as of the snapshot's day and store it per depot and nationally.

    Runs outside any transaction so its progress is visible; the rows of a run that fails are
    removed and the snapshot is marked failed (and the error raised), so trends never read a
    partial snapshot. Running it again on a finished snapshot does nothing."""
    snapshot.refresh_from_db()
    if snapshot.status == SnapshotStatus.DONE:
        return {"rows": 0}
    policy = surplus_policy()
    _progress(snapshot, 5, status=SnapshotStatus.RUNNING, policy=policy.as_dict(), error="")
    SnapshotRow.objects.filter(snapshot=snapshot).delete()
    try:
        per_depot = computation.surplus_by_depot(today=snapshot.taken_on, policy=policy)
        national = computation.rows_summed(per_depot)
        _progress(snapshot, 50)
        records = [(row.depot_id, row) for row in per_depot if row.depot_id is not None]
        records += [(None, row) for row in national]
        written = 0
        for start in range(0, len(records), SNAPSHOT_BATCH):
            batch = records[start : start + SNAPSHOT_BATCH]
            SnapshotRow.objects.bulk_create(
                SnapshotRow(
                    snapshot=snapshot,
                    depot_id=depot_id,
                    ammunition_type_id=row.type_id,
                    group_id=row.group_id,
                    **{name: getattr(row, name) for name in _SNAPSHOT_FIGURES},
                )
                for depot_id, row in batch
            )
            written += len(batch)
            _progress(snapshot, 50 + 49 * written // max(1, len(records)))
    except Exception as exc:
        SnapshotRow.objects.filter(snapshot=snapshot).delete()
        _progress(
            snapshot,
            0,
            status=SnapshotStatus.FAILED,
            error=str(exc)[:2000],
            finished_at=timezone.now(),
        )
        raise
    _progress(
        snapshot,
        100,
        status=SnapshotStatus.DONE,
        rows_written=written,
        finished_at=timezone.now(),
    )
    return {"rows": written, "subjects": len(national)}


# --- Disposal plans ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanLineInput:
    lot_id: int
    storehouse_id: int
    quantity: int


def _disposable_check(depot: Depot, wanted: dict[int, int], *, today: date) -> None:
    """Refuse (NotDisposable) when the quantities of lots `wanted` in `depot` (every open plan's
    remaining quantity included) exceed what is surplus or unserviceable there.

    Per lot, unserviceable (reparable included), obsolete-or-banned stock and the part expiring
    before use may be disposed of; beyond that, serviceable stock of a subject only up to the
    depot's share of the subject's national excess. Suspended and in-transit stock never."""
    policy = surplus_policy()
    subject_of = {
        lot.pk: computation.subject_key(
            type_id=lot.ammunition_type_id,
            group_id=getattr(getattr(lot.ammunition_type, "surplus_group", None), "group_id", None),
        )
        for lot in Lot.objects.filter(pk__in=wanted).select_related(
            "ammunition_type__surplus_group"
        )
    }
    by_subject: dict[int, list[int]] = defaultdict(list)
    for lot_id, sk in subject_of.items():
        by_subject[sk].append(lot_id)
    for sk, lot_ids in sorted(by_subject.items()):
        items = computation.surplus_lots(today=today, policy=policy, sk=sk, depot_ids=[depot.pk])
        rows = computation.surplus_by_depot(today=today, policy=policy, sk=sk, depot_ids=[depot.pk])
        excess = sum(row.excess for row in rows)
        flagged: dict[int, int] = defaultdict(int)
        plain: dict[int, int] = defaultdict(int)
        for item in items:
            if item.cls in ("unserviceable", "reparable", "obsolete_or_banned"):
                flagged[item.lot_id] += item.quantity
            elif item.cls == "serviceable":
                flagged[item.lot_id] += item.expiring_before_use
                plain[item.lot_id] += item.quantity - item.expiring_before_use
        overflow = 0
        for lot_id in sorted(lot_ids):
            beyond = max(0, wanted[lot_id] - flagged[lot_id])
            if beyond > plain[lot_id]:
                raise NotDisposable(
                    _(
                        "Lot %(lot)s: %(wanted)d planned, but only %(can)d of it in %(depot)s is "
                        "surplus or unserviceable (suspended stock cannot be planned)."
                    )
                    % {
                        "lot": _lot_number(lot_id),
                        "wanted": wanted[lot_id],
                        "can": flagged[lot_id] + min(plain[lot_id], excess),
                        "depot": depot.code,
                    },
                    lot=lot_id,
                )
            overflow += beyond
        if overflow > excess:
            raise NotDisposable(
                _(
                    "%(wanted)d serviceable units of %(subject)s planned beyond the unserviceable, "
                    "obsolete, banned and expiring stock, but %(depot)s's share of the national "
                    "excess over the requirement is %(excess)d."
                )
                % {
                    "wanted": overflow,
                    "subject": rows[0].code if rows else sk,
                    "depot": depot.code,
                    "excess": excess,
                }
            )


def _lot_number(lot_id: int) -> str:
    return Lot.objects.filter(pk=lot_id).values_list("lot_number", flat=True).first() or str(lot_id)


def _open_plan_quantities(depot: Depot, exclude: DisposalPlan | None) -> dict[int, int]:
    lines = DisposalPlanLine.objects.filter(
        plan__depot=depot, plan__status__in=[PlanStatus.DRAFT, PlanStatus.APPROVED]
    )
    if exclude is not None:
        lines = lines.exclude(plan=exclude)
    totals = lines.values("lot_id").annotate(left=Sum(F("quantity") - F("executed")))
    return {row["lot_id"]: row["left"] for row in totals}


def _check_lines(depot: Depot, lines: Sequence[PlanLineInput], *, plan, today: date) -> None:
    if not lines:
        raise ValidationError({"lines": [_("A plan names at least one lot.")]})
    keys = [(line.lot_id, line.storehouse_id) for line in lines]
    if len(set(keys)) != len(keys):
        raise ValidationError({"lines": [_("Name each lot and storehouse once.")]})
    if any(line.quantity <= 0 for line in lines):
        raise ValidationError({"lines": [_("Quantities are positive.")]})
    storehouses = set(
        Storehouse.objects.filter(
            depot=depot, pk__in={line.storehouse_id for line in lines}
        ).values_list("pk", flat=True)
    )
    if any(line.storehouse_id not in storehouses for line in lines):
        raise ValidationError({"lines": [_("Every storehouse must belong to the plan's depot.")]})
    held = {
        (b.lot_id, b.storehouse_id): b.quantity
        for b in Balance.objects.filter(depot=depot, lot_id__in={line.lot_id for line in lines})
    }
    for line in lines:
        on_hand = held.get((line.lot_id, line.storehouse_id), 0)
        if line.quantity > on_hand:
            raise NotDisposable(
                _(
                    "Lot %(lot)s: %(wanted)d planned but %(held)d held in that storehouse: a plan "
                    "cannot dispose of more than is held."
                )
                % {"lot": _lot_number(line.lot_id), "wanted": line.quantity, "held": on_hand},
                lot=line.lot_id,
            )
    wanted = _open_plan_quantities(depot, exclude=plan)
    for line in lines:
        wanted[line.lot_id] = wanted.get(line.lot_id, 0) + line.quantity
    mine = {line.lot_id for line in lines}
    _disposable_check(depot, {k: v for k, v in wanted.items() if k in mine}, today=today)


@transaction.atomic
def disposal_plan_create(
    *,
    depot: Depot,
    method: str,
    site: str,
    scheduled_from: date,
    scheduled_until: date,
    lines: Sequence[PlanLineInput],
    created_by: User,
    note: str = "",
) -> DisposalPlan:
    """Draft a plan to dispose of surplus or unserviceable stock of one depot."""
    require(created_by, Action.MANAGE_OVERSIGHT)
    if scheduled_until < scheduled_from:
        raise ValidationError({"scheduled_until": [_("The schedule ends after it starts.")]})
    # One planner per depot at a time. NO KEY UPDATE: postings' foreign-key checks on the depot
    # (KEY SHARE) are not blocked.
    Depot.objects.select_for_update(no_key=True).get(pk=depot.pk)
    _check_lines(depot, lines, plan=None, today=timezone.localdate())
    plan = DisposalPlan.objects.create(
        depot=depot,
        method=method,
        site=site,
        scheduled_from=scheduled_from,
        scheduled_until=scheduled_until,
        note=note,
        created_by=created_by,
    )
    DisposalPlanLine.objects.bulk_create(
        DisposalPlanLine(
            plan=plan, lot_id=line.lot_id, storehouse_id=line.storehouse_id, quantity=line.quantity
        )
        for line in lines
    )
    return plan


def _locked(plan: DisposalPlan) -> DisposalPlan:
    return (
        DisposalPlan.objects.select_for_update(of=("self",), no_key=True)
        .select_related("depot")
        .get(pk=plan.pk)
    )


@transaction.atomic
def disposal_plan_approve(
    *, plan: DisposalPlan, approved_by: User, approval_reference: str = ""
) -> DisposalPlan:
    """Approve a draft: an officer other than its author (two-person rule). The stock is checked
    again, as it may have changed since the plan was drafted."""
    require(approved_by, Action.MANAGE_OVERSIGHT)
    plan = _locked(plan)
    if plan.status != PlanStatus.DRAFT:
        raise InvalidPlanState(_("Only a draft plan can be approved."))
    if plan.created_by_id == approved_by.pk:
        raise SelfApproval(_("A plan is approved by an officer other than its author."))
    lines = [
        PlanLineInput(line.lot_id, line.storehouse_id, line.quantity) for line in plan.lines.all()
    ]
    Depot.objects.select_for_update(no_key=True).get(pk=plan.depot_id)
    _check_lines(plan.depot, lines, plan=plan, today=timezone.localdate())
    plan.status = PlanStatus.APPROVED
    plan.approved_by = approved_by
    plan.approved_at = timezone.now()
    plan.approval_reference = approval_reference
    plan.save(update_fields=["status", "approved_by", "approved_at", "approval_reference"])
    return plan


@dataclass(frozen=True)
class ExecutionLineInput:
    plan_line_id: int
    quantity: int


def _witness_list(witnesses) -> list[dict[str, str]]:
    cleaned = []
    for witness in witnesses or []:
        name = str(witness.get("name", "")).strip()
        position = str(witness.get("position", "")).strip()
        if name:
            cleaned.append({"name": name[:200], "position": position[:200]})
    if not cleaned:
        raise ValidationError({"witnesses": [_("Name at least one witness.")]})
    return cleaned


@transaction.atomic
def disposal_execute(
    *,
    plan: DisposalPlan,
    lines: Sequence[ExecutionLineInput],
    executed_on: date,
    witnesses: list[dict],
    executed_by: User,
    note: str = "",
) -> DisposalExecution:
    """Record what was disposed of under an approved plan: posts one disposal document that
    takes the quantities out of stock, and keeps the witnesses for the certificate. Partial
    execution is allowed; more than a line has left is refused (409 `exceeds_plan`)."""

    # Who may act is checked before the plan is locked (its depot never changes), as the other
    # plan services do: a refused user holds no lock.
    require(executed_by, Action.RECORD_MOVEMENT, plan.depot_id)
    plan = _locked(plan)
    if plan.status != PlanStatus.APPROVED:
        raise InvalidPlanState(_("Only an approved plan can be executed."))
    if plan.is_transfer:
        raise TransferCaseRequired(
            _(
                "Sale, gift and transfer to another state are executed through a transfer case "
                "and its pre-transfer risk assessment, not here."
            )
        )
    witness_list = _witness_list(witnesses)
    if not lines:
        raise ValidationError({"lines": [_("Name at least one line of the plan.")]})
    ids = [line.plan_line_id for line in lines]
    if len(set(ids)) != len(ids):
        raise ValidationError({"lines": [_("Name each line of the plan once.")]})
    plan_lines = {
        line.pk: line
        for line in DisposalPlanLine.objects.select_for_update()
        .filter(plan=plan, pk__in=ids)
        .order_by("pk")
    }
    for line in lines:
        plan_line = plan_lines.get(line.plan_line_id)
        if plan_line is None:
            raise ValidationError({"lines": [_("Not a line of this plan.")]})
        if line.quantity <= 0:
            raise ValidationError({"lines": [_("Quantities are positive.")]})
        if line.quantity > plan_line.remaining:
            raise ExceedsPlan(
                _("%(qty)d is more than the %(left)d the plan line has left to dispose of.")
                % {"qty": line.quantity, "left": plan_line.remaining},
                plan_line=plan_line.pk,
            )
    document = disposal_post(
        depot=plan.depot,
        lines=[
            Movement(
                plan_lines[line.plan_line_id].lot_id,
                plan_lines[line.plan_line_id].storehouse_id,
                line.quantity,
            )
            for line in lines
        ],
        occurred_on=executed_on,
        posted_by=executed_by,
        reference=plan.number,
        counterparty=plan.site[:200],
        purpose=plan.get_method_display()[:200],
    )
    execution = DisposalExecution.objects.create(
        plan=plan,
        document=document,
        executed_on=executed_on,
        executed_by=executed_by,
        witnesses=witness_list,
        note=note,
    )
    DisposalExecutionLine.objects.bulk_create(
        DisposalExecutionLine(
            execution=execution, plan_line_id=line.plan_line_id, quantity=line.quantity
        )
        for line in lines
    )
    for line in lines:
        DisposalPlanLine.objects.filter(pk=line.plan_line_id).update(
            executed=F("executed") + line.quantity
        )
    return execution


@transaction.atomic
def disposal_plan_close(*, plan: DisposalPlan, closed_by: User, note: str = "") -> DisposalPlan:
    """Close a plan: what was not executed is no longer planned (a draft may be closed too)."""
    require(closed_by, Action.MANAGE_OVERSIGHT)
    plan = _locked(plan)
    if plan.status == PlanStatus.CLOSED:
        raise InvalidPlanState(_("The plan is already closed."))
    plan.status = PlanStatus.CLOSED
    plan.closed_by = closed_by
    plan.closed_at = timezone.now()
    plan.closing_note = note
    plan.save(update_fields=["status", "closed_by", "closed_at", "closing_note"])
    return plan


def surplus_export_record(*, request, stem: str, table: str, file_format: str) -> None:
    """An export of a surplus page's table reaches the audit log, as every other export does:
    who, which page and table, in which format, with which filters, from where."""
    query = "&".join(
        f"{key}={value}"
        for key, value in request.GET.items()
        if key not in ("export", "table", "page")
    )
    audit_record(
        action=AuditAction.EXPORT,
        actor=request.user,
        object_type="surplus.table",
        object_id=table[:64],
        object_repr=f"{stem} {table}"[:200],
        detail=f"{file_format} {query}"[:300],
        ip_address=client_ip(request),
    )
