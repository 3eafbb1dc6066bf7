"""Detectors that need only inventory data (DESIGN.md §8). Each returns every subject of its kind
that is wrong now, in a fixed number of queries; alerts.sweep syncs the alerts from them.

Policy settings read (inventory.PolicySetting, with these defaults when absent):
`expiry_horizon_days` (180), `licence_expiry_horizon_days` (90), `loss_alert_days` (30).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from alerts.models import AlertKind, Severity
from alerts.services import Subject, alert_raise, alerts_raise, alerts_resolve_for_storehouses
from alerts.sweep import SweepContext, detector
from inventory import rules
from inventory.models import Balance, Document, Licence, Waiver
from inventory.models.ledger import LOSS_REASONS, AdjustmentReason, DocumentKind, DocumentStatus
from inventory.models.reference import WaiverRule
from inventory.policy import mixing_matrix, storage_policy
from inventory.selectors.ledger import balance_drift

DEFAULT_EXPIRY_HORIZON_DAYS = 180
DEFAULT_LICENCE_EXPIRY_HORIZON_DAYS = 90
DEFAULT_LOSS_ALERT_DAYS = 30

NEQ = DecimalField(max_digits=20, decimal_places=3)


def _held_lots(**lot_filter):
    """Lots with stock on hand, per depot, with the quantity held there."""
    return (
        Balance.objects.filter(quantity__gt=0, **lot_filter)
        .values(
            "depot_id",
            "lot_id",
            "lot__lot_number",
            "lot__expires_on",
            "lot__ammunition_type__code",
        )
        .annotate(held=Sum("quantity"))
        .order_by()
    )


def _lot_details(row) -> dict:
    return {
        "lot_number": row["lot__lot_number"],
        "ammunition_type": row["lot__ammunition_type__code"],
        "expires_on": row["lot__expires_on"].isoformat(),
        "quantity": row["held"],
    }


def _expiry_subjects(rows, *, verb: str) -> list[Subject]:
    """One subject per lot row of `_held_lots`, saying the day it `verb` (expires, expired)."""
    return [
        Subject(
            depot_id=row["depot_id"],
            lot_id=row["lot_id"],
            message=(
                f"Lot {row['lot__lot_number']} ({row['lot__ammunition_type__code']}) {verb} on "
                f"{row['lot__expires_on']:%Y-%m-%d}; {row['held']} held."
            ),
            details=_lot_details(row),
        )
        for row in rows
    ]


@detector(AlertKind.LOT_EXPIRING)
def lot_expiring(ctx: SweepContext) -> list[Subject]:
    """Lots held that expire within the horizon (policy `expiry_horizon_days`), not yet expired."""
    horizon = ctx.today + timedelta(
        days=ctx.policy_int("expiry_horizon_days", DEFAULT_EXPIRY_HORIZON_DAYS)
    )
    rows = _held_lots(lot__expires_on__gte=ctx.today, lot__expires_on__lte=horizon)
    return _expiry_subjects(rows, verb="expires")


def lot_expired_subjects(
    *, today, depot_id: int | None = None, lot_ids: Iterable[int] | None = None
) -> list[Subject]:
    """Lots held past their expiry date on `today`, everywhere or in one depot and of some lots
    only. One query."""
    where = {"lot__expires_on__lt": today}
    if depot_id is not None:
        where["depot_id"] = depot_id
    if lot_ids is not None:
        where["lot_id__in"] = sorted(lot_ids)
    rows = _held_lots(**where).order_by("depot_id", "lot_id")
    return _expiry_subjects(rows, verb="expired")


@detector(AlertKind.LOT_EXPIRED)
def lot_expired(ctx: SweepContext) -> list[Subject]:
    """Lots held past their expiry date. A posting that puts expired stock into a storehouse
    raises the same alerts at once (`expired_alerts_raise`). One query."""
    return lot_expired_subjects(today=ctx.today)


def expired_alerts_raise(*, depot_id: int, lot_ids: Iterable[int], on) -> None:
    """Raise (or refresh) the `lot_expired` alerts of these lots in this depot at once: a
    receipt, return or transfer receipt of expired stock is posted, never refused (DESIGN.md
    §6), and reported here in its own transaction (registered with inventory.hooks by
    AlertsConfig.ready). The same subjects, messages and details as the sweep's detector, which
    later keeps or resolves them. Two queries whatever the number of lots; nothing is resolved
    here."""

    today = max(on, timezone.localdate())
    alerts_raise(
        kind=AlertKind.LOT_EXPIRED,
        subjects=lot_expired_subjects(today=today, depot_id=depot_id, lot_ids=lot_ids),
    )


@detector(AlertKind.LICENCE_EXPIRING)
def licence_expiring(ctx: SweepContext) -> list[Subject]:
    """Licences in force that end within the horizon (policy `licence_expiry_horizon_days`) with
    no later licence recorded for the storehouse."""
    horizon = ctx.today + timedelta(
        days=ctx.policy_int("licence_expiry_horizon_days", DEFAULT_LICENCE_EXPIRY_HORIZON_DAYS)
    )
    successor = Licence.objects.filter(
        storehouse_id=OuterRef("storehouse_id"), valid_from__gt=OuterRef("valid_until")
    )
    rows = (
        Licence.objects.filter(
            valid_from__lte=ctx.today,
            valid_until__gte=ctx.today,
            valid_until__lte=horizon,
            storehouse__is_active=True,
        )
        .exclude(Exists(successor))
        .values(
            "id",
            "number",
            "valid_until",
            "storehouse_id",
            "storehouse__code",
            "storehouse__depot_id",
        )
    )
    return [
        Subject(
            depot_id=row["storehouse__depot_id"],
            storehouse_id=row["storehouse_id"],
            message=(
                f"Licence {row['number']} of storehouse {row['storehouse__code']} ends on "
                f"{row['valid_until']:%Y-%m-%d} and no renewal is recorded."
            ),
            details={
                "licence": row["id"],
                "number": row["number"],
                "valid_until": row["valid_until"].isoformat(),
            },
        )
        for row in rows
    ]


def _kg(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.quantize(Decimal('0.001')).normalize():f}"


@detector(AlertKind.LICENCE_EXCEEDED)
def licence_exceeded(ctx: SweepContext) -> list[Subject]:
    """Storehouses whose stock breaks their licence in force (DESIGN.md §4 rules 3 and 4), or that
    hold stock with no licence in force: possible after a policy change or a licence lapsing.

    Three queries: the NEQ held per storehouse and what the aggregation rules depend on (hazard
    division, shaped charge, high-energy propellant, NEQ per item above the policy threshold), a
    handful of rows per storehouse whatever the number of lots; the licences in force; their
    limits. The rules of inventory/rules/ decide.
    """

    policy = storage_policy(dict(ctx.policy))
    per_unit = Coalesce(F("lot__neq_per_unit_kg"), F("lot__ammunition_type__neq_per_unit_kg"))
    # The 5 kg rule reads NEQ per item: a unit of issue may hold several (issue 14).
    per_item = ExpressionWrapper(
        per_unit / F("lot__ammunition_type__items_per_unit"), output_field=DecimalField()
    )
    rows = (
        Balance.objects.filter(quantity__gt=0)
        .annotate(
            heavy=Case(
                When(
                    GreaterThan(per_item, Value(policy.forcing_neq_per_item_kg)),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .values(
            "depot_id",
            "storehouse_id",
            "storehouse__code",
            "lot__ammunition_type__hazard_division",
            "lot__ammunition_type__shaped_charge",
            "lot__ammunition_type__high_energy_propellant",
            "heavy",
        )
        .annotate(
            per_item=Max(per_item),
            neq=Sum(ExpressionWrapper(F("quantity") * per_unit, output_field=NEQ)),
        )
        .order_by()
    )
    holdings: dict[int, list[rules.Holding]] = defaultdict(list)
    storehouses: dict[int, tuple[int, str]] = {}
    for row in rows:
        storehouse_id = row["storehouse_id"]
        storehouses[storehouse_id] = (row["depot_id"], row["storehouse__code"])
        division = row["lot__ammunition_type__hazard_division"]
        # One holding per group: the licence rules depend on nothing finer (the largest NEQ per
        # item of the group is above the threshold exactly when the group is "heavy"). Its id is
        # a position, unique within the storehouse as the rules require of lot ids.
        holdings[storehouse_id].append(
            rules.Holding(
                lot_id=len(holdings[storehouse_id]) + 1,
                lot_number=f"HD {division}",
                ammunition_type_id=0,
                hazard_division=division,
                compatibility_group="D",  # not read by the licence rules
                neq_kg=Decimal(row["neq"] or 0),
                neq_per_unit_kg=Decimal(row["per_item"] or 0),  # one item per unit here
                shaped_charge=row["lot__ammunition_type__shaped_charge"],
                high_energy_propellant=row["lot__ammunition_type__high_energy_propellant"],
            )
        )
    if not holdings:
        return []
    licences = {
        licence.storehouse_id: licence
        for licence in Licence.objects.filter(
            storehouse_id__in=list(holdings), valid_from__lte=ctx.today, valid_until__gte=ctx.today
        ).prefetch_related("limits")
    }
    subjects = []
    for storehouse_id in sorted(holdings):
        depot_id, code = storehouses[storehouse_id]
        licence = licences.get(storehouse_id)
        breaches = rules.licence_breaches(
            holdings[storehouse_id], licence.limits_dict() if licence else None, policy
        )
        if not breaches:
            continue
        if licence is None:
            message = f"Storehouse {code} holds explosives with no licence in force."
        else:
            parts = []
            for breach in breaches:
                if breach.limit_kg is None:
                    parts.append(
                        f"{_kg(breach.neq_kg)} kg assessed as HD {breach.division}, which licence "
                        f"{licence.number} does not permit"
                    )
                else:
                    parts.append(
                        f"{_kg(breach.neq_kg)} kg assessed as HD {breach.division}, above the "
                        f"limit of {_kg(breach.limit_kg)} kg of licence {licence.number}"
                    )
            message = f"Storehouse {code} holds " + "; ".join(parts) + "."
        subjects.append(
            Subject(
                depot_id=depot_id,
                storehouse_id=storehouse_id,
                message=message,
                details={
                    "licence": licence.number if licence else None,
                    "breaches": [
                        {
                            "code": b.code,
                            "division": b.division,
                            "neq_kg": _kg(b.neq_kg) if b.neq_kg is not None else None,
                            "limit_kg": _kg(b.limit_kg) if b.limit_kg is not None else None,
                        }
                        for b in breaches
                    ],
                },
            )
        )
    return subjects


# Storehouses holding a lot whose condition is stored apart (ConditionCode.isolate) beside any
# other lot that is not its own split child, with no isolation waiver in force (DESIGN.md §4
# rule 2). Linear in the stock held, not a pairing of every isolating lot with every other lot
# of its storehouse: a lot to be stored apart is named when its storehouse holds another lot
# that is not its split child (the storehouse's lots, less itself and its children there); any
# other lot is named when the storehouse holds a lot to be stored apart that is neither itself
# nor one of its ancestors. Split descent comes from the few lots held with an ancestry (no
# index probe per lot: the lot_ancestry GIN index's pending list would be scanned each time).
# Returns per storehouse: the lots to be stored apart (all), the others' first few and count.
_SUSPECT_MIXED = """
    WITH held AS MATERIALIZED (
        SELECT b.storehouse_id, l.id AS lot_id, l.lot_number, c.isolate,
               CASE WHEN cardinality(l.ancestry) > 0 THEN l.ancestry END AS ancestry,
               count(*) OVER store AS lots,
               count(*) FILTER (WHERE c.isolate) OVER store AS isolating
        FROM inventory_balance b
        JOIN inventory_lot l ON l.id = b.lot_id
        JOIN inventory_conditioncode c ON c.code = l.condition
        WHERE b.quantity > 0
          AND (%(everywhere)s OR b.storehouse_id = ANY(%(storehouses)s::bigint[]))
          AND NOT EXISTS (
              SELECT 1 FROM inventory_waiver w
              WHERE w.storehouse_id = b.storehouse_id AND w.rule = %(rule)s
                AND w.expires_on >= %(today)s
          )
        WINDOW store AS (PARTITION BY b.storehouse_id)
    ), children AS (
        SELECT h.storehouse_id, a.ancestor AS lot_id, count(*) AS n
        FROM held h CROSS JOIN LATERAL unnest(h.ancestry) AS a (ancestor)
        WHERE h.ancestry IS NOT NULL AND h.isolating > 0 AND a.ancestor <> h.lot_id
        GROUP BY h.storehouse_id, a.ancestor
    ), named AS (
        SELECT h.storehouse_id, h.lot_number,
               h.isolate AND h.lots - 1 - COALESCE(ch.n, 0) > 0 AS suspect,
               h.isolating - h.isolate::int > CASE WHEN h.ancestry IS NULL THEN 0 ELSE (
                   SELECT count(*) FROM unnest(h.ancestry) AS a (id)
                   JOIN inventory_balance ab ON ab.lot_id = a.id
                   JOIN inventory_lot al ON al.id = a.id
                   JOIN inventory_conditioncode ac ON ac.code = al.condition
                   WHERE a.id <> h.lot_id AND ab.storehouse_id = h.storehouse_id
                     AND ab.quantity > 0 AND ac.isolate
               ) END AS other
        FROM held h
        LEFT JOIN children ch ON ch.storehouse_id = h.storehouse_id AND ch.lot_id = h.lot_id
        WHERE h.isolating > 0
    ), mixed AS (
        SELECT n.storehouse_id,
               array_agg(DISTINCT n.lot_number ORDER BY n.lot_number)
                   FILTER (WHERE n.suspect) AS suspect,
               (array_agg(DISTINCT n.lot_number ORDER BY n.lot_number)
                   FILTER (WHERE n.other))[1:%(listed)s] AS others,
               count(DISTINCT n.lot_number) FILTER (WHERE n.other) AS others_count
        FROM named n
        WHERE n.suspect OR n.other
        GROUP BY n.storehouse_id
        HAVING bool_or(n.suspect)
    )
    SELECT sh.depot_id, m.storehouse_id, sh.code, m.suspect, m.others, m.others_count
    FROM mixed m
    JOIN inventory_storehouse sh ON sh.id = m.storehouse_id
    ORDER BY m.storehouse_id
"""


def suspect_mixed_subjects(*, today, storehouse_ids: Iterable[int] | None = None) -> list[Subject]:
    """Rule 2 breaches now, everywhere or in these storehouses only. One query."""
    with connection.cursor() as cursor:
        if storehouse_ids is None:
            # The sweep's pass over every lot held sorts them by storehouse: in memory; and no
            # JIT compilation of a plan whose estimates (per-row subqueries) look enormous.
            cursor.execute(
                "SELECT set_config('work_mem', '128MB', true), set_config('jit', 'off', true)"
            )  # for this transaction only
        cursor.execute(
            _SUSPECT_MIXED,
            {
                "everywhere": storehouse_ids is None,
                "storehouses": sorted(storehouse_ids or ()),
                "rule": WaiverRule.ISOLATION.value,
                "today": today,
                "listed": LISTED_LOTS,
            },
        )
        rows = cursor.fetchall()
    return [
        Subject(
            depot_id=depot_id,
            storehouse_id=storehouse_id,
            message=(
                f"Storehouse {code}: {_some(suspect)} must be stored apart (suspect or condemned) "
                f"but {'shares' if len(suspect) == 1 else 'share'} the storehouse with "
                f"{_some(others, others_count)}. Move lot {suspect[0]} or record an isolation "
                f"waiver (quarantine store); receipts into {code} are refused until then."
            ),
            details={
                "suspect_lots": suspect[:LISTED_LOTS],
                "suspect_count": len(suspect),
                "other_lots": others[:LISTED_LOTS],
                "other_count": others_count,
            },
        )
        for depot_id, storehouse_id, code, suspect, others, others_count in rows
    ]


@detector(AlertKind.SUSPECT_MIXED)
def suspect_mixed(ctx: SweepContext) -> list[Subject]:
    """Storehouses where a lot of an isolating condition shares the storehouse with another lot
    (not its own split child) and no isolation waiver is in force (DESIGN.md §4 rule 2). A
    condition change or split raises the same alert at once (`storage_alerts_raise`). One
    query."""
    return suspect_mixed_subjects(today=ctx.today)


def storage_alerts_raise(*, storehouse_ids: Iterable[int], on) -> None:
    """Bring the `suspect_mixed` alerts of these storehouses up to date at once: a condition
    change or a split that mixes stock to be stored apart is recorded, never refused, and
    reported here in its own transaction (registered with inventory.hooks by
    AlertsConfig.ready); one that ends such a mix resolves its alert. Other storehouses are left
    to the daily sweep. Two queries, plus one per alert raised."""

    ids = set(storehouse_ids)
    today = max(on, timezone.localdate())
    subjects = suspect_mixed_subjects(today=today, storehouse_ids=ids)
    for subject in subjects:
        alert_raise(
            kind=AlertKind.SUSPECT_MIXED,
            depot_id=subject.depot_id,
            storehouse_id=subject.storehouse_id,
            message=subject.message,
            details=subject.details,
        )
    alerts_resolve_for_storehouses(
        kind=AlertKind.SUSPECT_MIXED, storehouse_ids=ids - {s.storehouse_id for s in subjects}
    )


# Compatibility (rule 1) of what storehouses hold now, one holding per ammunition type: the
# mixing rules look at nothing finer than the type (its group, its n1 hosts).
_HELD_TYPES = """
    SELECT b.depot_id, b.storehouse_id, s.code, t.id, t.code, t.compatibility_group,
           t.hazard_division,
           COALESCE((SELECT array_agg(a.to_ammunitiontype_id)
                     FROM inventory_ammunitiontype_assembles_to a
                     WHERE a.from_ammunitiontype_id = t.id), '{}')
    FROM inventory_balance b
    JOIN inventory_lot l ON l.id = b.lot_id
    JOIN inventory_ammunitiontype t ON t.id = l.ammunition_type_id
    JOIN inventory_storehouse s ON s.id = b.storehouse_id
    WHERE b.quantity > 0
    GROUP BY b.depot_id, b.storehouse_id, s.code, t.id, t.code, t.compatibility_group,
             t.hazard_division
    ORDER BY b.storehouse_id, t.id
"""


@detector(AlertKind.STORAGE_INCOMPATIBLE)
def storage_incompatible(ctx: SweepContext) -> list[Subject]:
    """Storehouses whose stock breaks the mixing rules (DESIGN.md §4 rule 1) with the matrix and
    the n2/n4 waivers in force: possible after a policy change (a matrix amendment, note n1
    made strict with no `assembles_to` recorded yet) that postings could not refuse. Four
    queries (stock per type, the matrix version and its cells, the waivers); the rules of
    inventory/rules/ decide."""

    with connection.cursor() as cursor:
        cursor.execute(_HELD_TYPES)
        rows = cursor.fetchall()
    if not rows:
        return []
    holdings: dict[int, list[rules.Holding]] = defaultdict(list)
    storehouses: dict[int, tuple[int, str]] = {}
    type_codes: dict[int, str] = {}
    for depot_id, storehouse_id, code, type_id, type_code, group, division, hosts in rows:
        storehouses[storehouse_id] = (depot_id, code)
        type_codes[type_id] = type_code
        holdings[storehouse_id].append(
            rules.Holding(
                lot_id=type_id,
                lot_number=type_code,
                ammunition_type_id=type_id,
                hazard_division=division,
                compatibility_group=group,
                neq_kg=Decimal(0),
                neq_per_unit_kg=Decimal(0),
                assembles_to=frozenset(hosts),
            )
        )
    waived: dict[int, set[str]] = defaultdict(set)
    for storehouse_id, rule in Waiver.objects.filter(
        storehouse_id__in=list(holdings),
        expires_on__gte=ctx.today,
        rule__in=[WaiverRule.SEGREGATION_N2, WaiverRule.AUTHORITY_N4],
    ).values_list("storehouse_id", "rule"):
        waived[storehouse_id].add(str(rule))
    matrix = mixing_matrix(ctx.today)
    subjects = []
    for storehouse_id in sorted(holdings):
        breaches = rules.compatibility_breaches(
            holdings[storehouse_id], matrix, frozenset(waived[storehouse_id])
        )
        if not breaches:
            continue
        depot_id, code = storehouses[storehouse_id]
        parts = []
        for breach in breaches:
            note = f" (note {breach.note})" if breach.note else ""
            parts.append(
                f"CG {breach.groups[0]} and CG {breach.groups[1]}{note}: "
                f"{', '.join(sorted(type_codes[i] for i in breach.lot_ids))}"
            )
        subjects.append(
            Subject(
                depot_id=depot_id,
                storehouse_id=storehouse_id,
                message=(
                    f"Storehouse {code} holds ammunition that may not share it: "
                    + "; ".join(parts)
                    + ". Move the stock apart, or record what the rule needs (the types a CG B "
                    "item assembles to, a waiver)."
                ),
                details={
                    "breaches": [
                        {
                            "groups": list(breach.groups),
                            "note": breach.note,
                            "ammunition_types": sorted(type_codes[i] for i in breach.lot_ids),
                        }
                        for breach in breaches
                    ]
                },
            )
        )
    return subjects


# A storehouse may hold hundreds of lots: messages and details name the first few.
LISTED_LOTS = 10


def _some(lot_numbers: list[str], count: int | None = None) -> str:
    """The first lot numbers, and how many more of `count` (default: all of `lot_numbers`)."""
    shown = ", ".join(lot_numbers[:LISTED_LOTS])
    more = (len(lot_numbers) if count is None else count) - LISTED_LOTS
    return f"{shown} and {more} more" if more > 0 else shown


def _reversed(document_field: str = "pk"):
    return Exists(Document.objects.filter(reverses_id=OuterRef(document_field)))


@detector(AlertKind.TRANSIT_DISCREPANCY)
def transit_discrepancy(ctx: SweepContext) -> list[Subject]:
    """Transfers received short, not reversed: one alert for the sending depot and one for the
    receiving depot. They stay open until acknowledged (an event, a potential diversion) or until
    the receipt is reversed. One query."""
    rows = (
        Document.objects.filter(
            kind=DocumentKind.TRANSFER, status=DocumentStatus.RECEIVED_WITH_DISCREPANCY
        )
        .exclude(_reversed())
        .exclude(
            Exists(Document.objects.filter(reverses__transfer_id=OuterRef("pk")))
        )
        .values("id", "number", "depot_id", "depot__code", "destination_depot_id",
                "destination_depot__code", "transfer_receipt__number")
    )  # fmt: skip
    subjects = []
    for row in rows:
        message = (
            f"Transfer {row['number']} from {row['depot__code']} to "
            f"{row['destination_depot__code']} was received short "
            f"(receipt {row['transfer_receipt__number']}): investigate a possible diversion."
        )
        details = {"transfer": row["number"], "receipt": row["transfer_receipt__number"]}
        for depot_id in {row["depot_id"], row["destination_depot_id"]}:
            subjects.append(
                Subject(depot_id=depot_id, document_id=row["id"], message=message, details=details)
            )
    return subjects


@detector(AlertKind.LOSS_RECORDED)
def loss_recorded(ctx: SweepContext) -> list[Subject]:
    """Approved adjustments for lost or stolen stock in the last `loss_alert_days` (policy), not
    reversed. Stolen is critical, lost a warning. Open until acknowledged. One query."""
    days = ctx.policy_int("loss_alert_days", DEFAULT_LOSS_ALERT_DAYS)
    since = timezone.make_aware(datetime.combine(ctx.today - timedelta(days=days), time.min))
    rows = (
        Document.objects.filter(
            kind=DocumentKind.ADJUSTMENT,
            status=DocumentStatus.POSTED,
            reason__in=[str(reason) for reason in LOSS_REASONS],
            decided_at__gte=since,
        )
        .exclude(_reversed())
        .values("id", "number", "depot_id", "reason", "occurred_on")
        .annotate(units=Sum("lines__quantity"))
        .order_by()
    )
    subjects = []
    for row in rows:
        stolen = row["reason"] == AdjustmentReason.STOLEN
        units = -(row["units"] or 0)
        subjects.append(
            Subject(
                depot_id=row["depot_id"],
                document_id=row["id"],
                severity=Severity.CRITICAL if stolen else Severity.WARNING,
                message=(
                    f"Adjustment {row['number']} records {units} units "
                    f"{'stolen' if stolen else 'lost'} on {row['occurred_on']:%Y-%m-%d}."
                ),
                details={"document": row["number"], "reason": row["reason"], "units": units},
            )
        )
    return subjects


@detector(AlertKind.LEDGER_DRIFT, in_sweep=False)
def ledger_drift(ctx: SweepContext) -> list[Subject]:
    """Balances that differ from the sum of their ledger lines (should never happen): one query,
    run by the nightly reconciliation rather than the daily sweep (inventory's balance_drift)."""
    return [
        Subject(
            depot_id=drift.depot_id,
            lot_id=drift.lot_id,
            storehouse_id=drift.storehouse_id,
            message=(
                f"Lot {drift.lot_number} in storehouse {drift.storehouse_code}: balance "
                f"{drift.balance}, ledger {drift.ledger}. Run ledger verification and investigate."
            ),
            details={"balance": drift.balance, "ledger": drift.ledger},
        )
        for drift in balance_drift()
    ]
