"""The rules a posting checks before it writes (DESIGN.md §4, §6, §7): quantities, the voucher
date and closed periods, frozen depots, safe storage, whether a lot may be issued, condition
improvements; and the drift between balances and the ledger, which must always be empty.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.roles import Action
from core.scoping import can, require
from inventory import hooks, policy, rules
from inventory.errors import (
    BREACH_ERRORS,
    DepotFrozen,
    LotBanned,
    LotExpired,
    LotNotIssuable,
    PeriodClosed,
    RecipientNotPermitted,
)
from inventory.models import (
    AmmunitionType,
    Balance,
    ClosedPeriod,
    Depot,
    Document,
    Licence,
    Lot,
    Recipient,
    Storehouse,
    Waiver,
)
from inventory.models.reference import Availability, WaiverRule
from inventory.selectors.bans import bans_binding, bans_from_pairs
from inventory.services.posting.lines import Movement


def _check_quantities(movements: Sequence[Movement], *, signed: bool = False) -> None:
    if not movements:
        raise ValidationError({"lines": [_("A document needs at least one line.")]})
    for movement in movements:
        if movement.quantity == 0 or (not signed and movement.quantity < 0):
            raise ValidationError(
                {"lines": [_("Quantities are whole units, more than zero.")]}
                if not signed
                else {"lines": [_("An adjustment line changes stock by a non-zero quantity.")]}
            )


_UNREAD = object()


def _check_date(
    *, depot: Depot, occurred_on: date, now, policy_values: dict, closed=_UNREAD
) -> None:
    """The voucher date: not in the future, within the backdating policy, not in a closed period.

    `closed` is the depot's closed period covering the date (or None) when already read with
    the policy (policy.posting_policy); otherwise it is read here."""
    today = timezone.localdate(now)
    backdate_days = policy.backdate_days(policy_values)
    if occurred_on > today:
        raise ValidationError({"occurred_on": [_("The date cannot be in the future.")]})
    if occurred_on < today - timedelta(days=backdate_days):
        raise ValidationError(
            {
                "occurred_on": [
                    _("The date may be at most %(days)s days in the past.")
                    % {"days": backdate_days}
                ]
            }
        )
    if closed is _UNREAD:
        closed = ClosedPeriod.objects.filter(
            depot=depot, starts_on__lte=occurred_on, ends_on__gte=occurred_on
        ).first()
    if closed is not None:
        raise PeriodClosed(
            _("%(depot)s's accounts for %(start)s to %(end)s are closed.")
            % {"depot": depot.code, "start": closed.starts_on, "end": closed.ends_on}
        )


def _check_not_frozen(depot: Depot, read: policy.PostingPolicy) -> None:
    """A 100 % stock check froze the depot (read with the posting policy, no extra query)."""
    if read.frozen_by is not None:
        raise DepotFrozen(
            _(
                "Depot %(depot)s is frozen for stock check %(check)s: no posting until the check "
                "is approved or cancelled."
            )
            % {"depot": depot.code, "check": read.frozen_by},
            stock_check=read.frozen_by,
        )


def _holdings_after(
    storehouse_ids: set[int],
    deltas: dict[tuple[int, int], int],
    availability: dict[str, str],
    isolating: frozenset[str] = frozenset(),
    lots_read: dict[int, Lot] | None = None,
) -> dict[int, list[rules.Holding]]:
    """Each storehouse's contents after the movement, as rules.Holding (two queries: the
    balances, then the lots with their types and, for note n1, the types each is fitted to).
    `lots_read`, if given, receives the lots read (by id), for the caller to look at without
    another query."""
    quantities: dict[tuple[int, int], int] = defaultdict(int)
    rows = Balance.objects.filter(storehouse_id__in=storehouse_ids, quantity__gt=0).values_list(
        "lot_id", "storehouse_id", "quantity"
    )
    for lot_id, storehouse_id, quantity in rows:
        quantities[(lot_id, storehouse_id)] += quantity
    for (lot_id, storehouse_id), delta in deltas.items():
        if storehouse_id in storehouse_ids:
            quantities[(lot_id, storehouse_id)] += delta
    lot_ids = {lot_id for (lot_id, _sh), quantity in quantities.items() if quantity > 0}
    hosts = AmmunitionType.assembles_to.through.objects.filter(
        from_ammunitiontype_id=OuterRef("ammunition_type_id")
    ).values("to_ammunitiontype_id")
    lots = (
        Lot.objects.select_related("ammunition_type")
        .annotate(hosts=ArraySubquery(hosts))
        .in_bulk(lot_ids)
    )
    if lots_read is not None:
        lots_read.update(lots)
    holdings: dict[int, list[rules.Holding]] = defaultdict(list)
    for (lot_id, storehouse_id), quantity in sorted(quantities.items()):
        if quantity <= 0:
            continue
        holdings[storehouse_id].append(
            _lot_holding(lots[lot_id], quantity, availability=availability, isolating=isolating)
        )
    return holdings


def _lot_holding(
    lot: Lot, quantity: int, *, availability: dict[str, str], isolating: frozenset[str]
) -> rules.Holding:
    """`quantity` units of `lot` as the §4 rules read them. The lot carries `hosts`, the types
    its items are fitted to (note n1); it may be a lot not yet recorded (a proposal's)."""
    kind = lot.ammunition_type
    per_unit = lot.neq_per_unit_kg if lot.neq_per_unit_kg is not None else kind.neq_per_unit_kg
    return rules.Holding(
        lot_id=lot.pk,
        lot_number=lot.lot_number,
        ammunition_type_id=kind.pk,
        hazard_division=kind.hazard_division,
        compatibility_group=kind.compatibility_group,
        neq_kg=per_unit * quantity,
        neq_per_unit_kg=per_unit,
        availability=availability[lot.condition_id],
        shaped_charge=kind.shaped_charge,
        high_energy_propellant=kind.high_energy_propellant,
        assembles_to=frozenset(lot.hosts),
        isolate=lot.condition_id in isolating,
        condition=lot.condition_id,
        ancestry=tuple(lot.ancestry),
        items_per_unit=kind.items_per_unit,
    )


def storehouse_breaches(
    storehouse_ids: set[int], *, on: date, policy_values: dict | None = None
) -> dict[int, list[rules.Breach]]:
    """Every §4 breach of what these storehouses hold now, with the waivers and licences in
    force on `on`: for callers that record a fact they must not refuse (a condition change, a
    split) and then report what it caused. A fixed number of queries."""
    policy_values = policy.policy_values() if policy_values is None else policy_values
    return _breaches(
        set(storehouse_ids),
        {},
        on=on,
        policy_values=policy_values,
        availability=policy.availability_by_condition(),
        isolating=policy.isolating_conditions(),
    )


@dataclass(frozen=True)
class ProposedHolding:
    """Stock a file would put into a storehouse (an opening-balance import, DESIGN.md §14):
    of an existing lot (`key` its id) or of a lot not yet recorded (`key` negative, unique in
    the proposal)."""

    key: int
    storehouse_id: int
    quantity: int
    lot_number: str
    ammunition_type: AmmunitionType
    condition: str


def proposed_breaches(
    proposed: Sequence[ProposedHolding], *, on: date
) -> dict[int, list[rules.Breach]]:
    """Every §4 breach of each storehouse's contents if the proposed stock were added to what
    it holds now, with the waivers, licences and matrix in force on `on`: the whole file judged
    before anything is written, every breach listed (the posting checks again under its locks).
    Breaches name new lots by their negative `key` in `lot_ids`. A fixed number of queries."""
    availability = policy.availability_by_condition()
    isolating = policy.isolating_conditions()
    deltas: dict[tuple[int, int], int] = defaultdict(int)
    new: list[ProposedHolding] = []
    for item in proposed:
        if item.key > 0:
            deltas[(item.key, item.storehouse_id)] += item.quantity
        else:
            new.append(item)
    hosts: dict[int, set[int]] = defaultdict(set)
    for source, host in AmmunitionType.assembles_to.through.objects.filter(
        from_ammunitiontype_id__in={item.ammunition_type.pk for item in new}
    ).values_list("from_ammunitiontype_id", "to_ammunitiontype_id"):
        hosts[source].add(host)
    extra: dict[int, list[rules.Holding]] = defaultdict(list)
    for item in new:
        # The lot it would be: the type's NEQ per unit, no ancestry.
        lot = Lot(
            pk=item.key,
            lot_number=item.lot_number,
            ammunition_type=item.ammunition_type,
            condition_id=item.condition,
        )
        lot.hosts = hosts[item.ammunition_type.pk]
        extra[item.storehouse_id].append(
            _lot_holding(lot, item.quantity, availability=availability, isolating=isolating)
        )
    return _breaches(
        {item.storehouse_id for item in proposed},
        deltas,
        on=on,
        policy_values=policy.policy_values(),
        availability=availability,
        isolating=isolating,
        extra=extra,
    )


def _breaches(
    receiving: set[int],
    deltas: dict[tuple[int, int], int],
    *,
    on: date,
    policy_values: dict,
    availability: dict[str, str],
    isolating: frozenset[str],
    lots_read: dict[int, Lot] | None = None,
    extra: dict[int, list[rules.Holding]] | None = None,
) -> dict[int, list[rules.Breach]]:
    holdings = _holdings_after(receiving, deltas, availability, isolating, lots_read)
    for storehouse_id, more in (extra or {}).items():
        holdings[storehouse_id].extend(more)
    licences = {
        licence.storehouse_id: licence
        for licence in Licence.objects.filter(
            storehouse_id__in=receiving, valid_from__lte=on, valid_until__gte=on
        ).prefetch_related("limits")
    }
    waivers: dict[int, set[str]] = defaultdict(set)
    for storehouse_id, rule in Waiver.objects.filter(
        storehouse_id__in=receiving, expires_on__gte=on
    ).values_list("storehouse_id", "rule"):
        waivers[storehouse_id].add(rule)
    matrix = policy.mixing_matrix(on)
    storage_policy = policy.storage_policy(policy_values)
    found = {}
    for storehouse_id in sorted(receiving):
        licence = licences.get(storehouse_id)
        waived = waivers[storehouse_id]
        found[storehouse_id] = rules.storage_breaches(
            holdings[storehouse_id],
            matrix=matrix,
            limits=licence.limits_dict() if licence else None,
            policy=storage_policy,
            waived_notes=frozenset(waived & {WaiverRule.SEGREGATION_N2, WaiverRule.AUTHORITY_N4}),
            isolation_waived=WaiverRule.ISOLATION in waived,
        )
    return found


def _check_storage(
    *,
    storehouses: dict[int, Storehouse],
    deltas: dict[tuple[int, int], int],
    on: date,
    policy_values: dict,
    availability: dict[str, str],
    isolating: frozenset[str],
) -> dict[int, Lot]:
    """DESIGN.md §4 for every storehouse receiving stock; raises the first breach found.
    Returns the lots the storehouses hold after the movement (read for the check), by id."""
    receiving = {sh for (_lot, sh), delta in deltas.items() if delta > 0}
    lots: dict[int, Lot] = {}
    if not receiving:
        return lots
    found = _breaches(
        receiving,
        deltas,
        on=on,
        policy_values=policy_values,
        availability=availability,
        isolating=isolating,
        lots_read=lots,
    )
    for storehouse_id in sorted(receiving):
        breaches = found[storehouse_id]
        if breaches:
            breach = breaches[0]
            storehouse = storehouses[storehouse_id]
            raise BREACH_ERRORS[breach.code](
                _("Storehouse %(storehouse)s: %(message)s")
                % {"storehouse": storehouse.code, "message": breach.message},
                rule=breach.rule,
                storehouse=storehouse.code,
                lots=list(breach.lot_numbers),
            )
    return lots


def _report_expired_received(
    document: Document, deltas: dict[tuple[int, int], int], lots: dict[int, Lot], *, today: date
) -> None:
    """Stock of an expired lot (no extension) put into a storehouse is posted, the truth being
    recorded (DESIGN.md §6), and reported at once (inventory.hooks: the `lot_expired` alert).
    Judged on the lots the storage check has read, as the sweep judges them (expired today;
    expired on the voucher date implies it): no query unless such a lot is among them."""
    expired = {
        lot_id
        for (lot_id, _storehouse), delta in deltas.items()
        if delta > 0 and lot_id in lots and lots[lot_id].is_expired(today)
    }
    if expired:
        hooks.expired_stock_received(
            depot_id=document.depot_id, lot_ids=expired, on=document.occurred_on
        )


def issue_availability_check(
    lots: Iterable[Lot],
    *,
    recipient: Recipient | None,
    availability: dict[str, str],
    ban_pairs: Iterable[tuple[int, int]] | None = None,
    on: date | None = None,
) -> None:
    """May these lots go to this recipient (DESIGN.md §6): condition, bans and constraints
    (surveillance), expiry on the voucher date `on` (a lot is valid through its `expires_on`;
    an approved extension has already moved that date), restricted stock only to permitted
    recipients. `ban_pairs` are the lots' binding bans if already read
    (posting_policy(bans_for=...)); otherwise they are read here."""
    lots = list(lots)
    binding = (
        bans_binding(lot.pk for lot in lots) if ban_pairs is None else bans_from_pairs(ban_pairs)
    )
    for lot in lots:
        for ban in binding.get(lot.pk, ()):
            if ban.kind == "ban":
                raise LotBanned(
                    _("Lot %(lot)s is banned (%(reason)s, %(reference)s).")
                    % {"lot": lot.lot_number, "reason": ban.reason, "reference": ban.reference},
                    lot=lot.lot_number,
                    reference=ban.reference,
                )
            kinds = ban.permitted_recipient_kinds
            if kinds and not (recipient and recipient.kind in kinds):
                raise RecipientNotPermitted(
                    _(
                        "Lot %(lot)s is under a constraint (%(reason)s, %(reference)s): it may go "
                        "only to %(kinds)s."
                    )
                    % {
                        "lot": lot.lot_number,
                        "reason": ban.reason,
                        "reference": ban.reference,
                        "kinds": ", ".join(kinds),
                    },
                    lot=lot.lot_number,
                    reference=ban.reference,
                )
        state = availability[lot.condition_id]
        if lot.identity_lost or state in (Availability.SUSPENDED, Availability.UNSERVICEABLE):
            raise LotNotIssuable(
                _("Lot %(lot)s is not issuable (condition %(condition)s, %(state)s).")
                % {"lot": lot.lot_number, "condition": lot.condition_id, "state": state},
                lot=lot.lot_number,
            )
        if on is not None and lot.is_expired(on):
            raise LotExpired(
                _(
                    "Lot %(lot)s expired on %(day)s (its last valid day) and has no extension: "
                    "it may not be issued."
                )
                % {"lot": lot.lot_number, "day": lot.expires_on.isoformat()},
                lot=lot.lot_number,
                expires_on=lot.expires_on.isoformat(),
            )
        if state == Availability.RESTRICTED and not (recipient and recipient.permitted_restricted):
            raise RecipientNotPermitted(
                _(
                    "Lot %(lot)s is restricted (condition %(condition)s) and %(recipient)s may not "
                    "receive restricted stock."
                )
                % {
                    "lot": lot.lot_number,
                    "condition": lot.condition_id,
                    "recipient": recipient.code if recipient else _("this recipient"),
                },
                lot=lot.lot_number,
            )


def _bans_of_kind_ban(lot: Lot) -> list:
    """The active bans (not constraints) binding the lot: on it, on a lot it was split from, or
    on its type (read as issue_availability_check reads them)."""
    return [ban for ban in bans_binding([lot.pk]).get(lot.pk, ()) if ban.kind == "ban"]


def _check_condition_improvement(
    *, lot: Lot, current: str, target: str, availability: dict[str, str], user: User, depot_id: int
) -> None:
    """Stock of `lot` going from condition `current` to `target` without a condition change
    (a split, or the reversal of one): a change that is not to a strictly worse availability is
    for someone who may record surveillance in the depot (403 otherwise), and never while a ban
    binds the lot (409 lot_banned). DESIGN.md §5."""
    if not rules.condition_improves(current, target, availability):
        return
    if not can(user, Action.RECORD_SURVEILLANCE, depot_id):
        raise PermissionDenied(
            _(
                "Condition %(target)s is not worse than lot %(lot)s's condition %(current)s: only "
                "someone who records surveillance in this depot (an inspector) decides that."
            )
            % {"target": target, "lot": lot.lot_number, "current": current}
        )
    require(user, Action.RECORD_SURVEILLANCE, depot_id)
    bans = _bans_of_kind_ban(lot)
    if bans:
        ban = bans[0]
        raise LotBanned(
            _(
                "Lot %(lot)s is banned (%(reason)s, %(reference)s): its stock may not go from "
                "condition %(current)s to %(target)s."
            )
            % {
                "lot": lot.lot_number,
                "reason": ban.reason,
                "reference": ban.reference,
                "current": current,
                "target": target,
            },
            lot=lot.lot_number,
            reference=ban.reference,
        )
