"""Lot splits and merges: part of a lot into a child with its own condition, and back."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.roles import Action
from core.scoping import require, require_any
from inventory import hooks, policy
from inventory.errors import InvalidState, LotBanned
from inventory.models import Balance, Depot, Document, Lot, Storehouse
from inventory.models.ledger import DocumentKind
from inventory.selectors.bans import bans_binding
from inventory.services.posting.checks import _check_condition_improvement
from inventory.services.posting.lines import Movement
from inventory.services.posting.writer import _post


@transaction.atomic
def lot_split(
    *,
    lot: Lot,
    quantities: dict[int, int],
    suffix: str,
    condition: str,
    occurred_on: date,
    posted_by: User,
    reason: str = "",
) -> Lot:
    """Split part of a lot into a child lot with its own condition (DESIGN.md §5), in the same
    storehouses. A split never improves a condition unless the user may record surveillance in
    the depot and no ban binds the lot: a clerk splits into the parent's condition or a worse
    availability (else 403). Like a condition change it is never refused for storage: a breach
    it creates is reported at once (inventory.hooks: the `suspect_mixed` alert)."""
    lot = Lot.objects.select_related("ammunition_type").get(pk=lot.pk)
    suffix = suffix.strip()
    if not suffix:
        raise ValidationError({"suffix": [_("A child lot is marked with a suffix.")]})
    if not quantities or any(quantity <= 0 for quantity in quantities.values()):
        raise ValidationError({"quantity": [_("Quantities are whole units, more than zero.")]})
    availability = policy.availability_by_condition()
    if condition not in availability:
        raise ValidationError({"condition": [_("Unknown condition code.")]})
    storehouses = Storehouse.objects.filter(pk__in=quantities).values_list("depot_id", flat=True)
    depot_ids = set(storehouses)
    if len(depot_ids) != 1 or len(storehouses) != len(quantities):
        raise ValidationError({"quantity": [_("Split in storehouses of one depot.")]})
    depot = Depot.objects.get(pk=depot_ids.pop())
    # Clerks split on an inspector's finding; inspectors split when they condemn part of a lot.
    require_any(posted_by, (Action.RECORD_MOVEMENT, Action.RECORD_SURVEILLANCE), depot.pk)
    _check_condition_improvement(
        lot=lot,
        current=lot.condition_id,
        target=condition,
        availability=availability,
        user=posted_by,
        depot_id=depot.pk,
    )
    child_number = f"{lot.lot_number}{suffix}"
    if Lot.objects.filter(
        ammunition_type=lot.ammunition_type,
        manufacturer=lot.manufacturer,
        lot_number__iexact=child_number,
    ).exists():
        raise ValidationError(
            {"suffix": [_("Lot %(lot)s already exists.") % {"lot": child_number}]}
        )
    child = lot_child_create(lot, lot_number=child_number, condition=condition)
    _post(
        depot=depot,
        kind=DocumentKind.LOT_SPLIT,
        occurred_on=occurred_on,
        posted_by=posted_by,
        movements=_relot(lot.pk, child.pk, sorted(quantities.items())),
        check_storage=False,
        availability=availability,
        reason=f"condition {condition}",
        note=reason,
        reference=lot.lot_number,
    )
    hooks.storage_changed(storehouse_ids=quantities, on=occurred_on)
    return child


def _relot(
    from_lot_id: int, to_lot_id: int, quantities: Iterable[tuple[int, int]]
) -> list[Movement]:
    """Stock passed from one lot to another where it lies: for each (storehouse, quantity), out
    of `from_lot_id` then into `to_lot_id`, in the same storehouse."""
    movements = []
    for storehouse_id, quantity in quantities:
        movements.append(Movement(from_lot_id, storehouse_id, -quantity))
        movements.append(Movement(to_lot_id, storehouse_id, quantity))
    return movements


def lot_child_create(parent: Lot, *, lot_number: str, condition: str) -> Lot:
    """A lot split off `parent` (same marking plus a suffix): its identity, dates and NEQ, the
    given condition, and its ancestry, through which it inherits the parent's surveillance."""
    return Lot.objects.create(
        ammunition_type=parent.ammunition_type,
        manufacturer=parent.manufacturer,
        lot_number=lot_number,
        country_of_manufacture=parent.country_of_manufacture,
        manufactured_on=parent.manufactured_on,
        batch=parent.batch,
        parent=parent,
        ancestry=[parent.pk, *parent.ancestry],
        expires_on=parent.expires_on,
        expiry_overridden=parent.expiry_overridden,
        neq_per_unit_kg=parent.neq_per_unit_kg,
        condition_id=condition,
        identity_lost=parent.identity_lost,
    )


@transaction.atomic
def lot_merge(
    *, lot: Lot, posted_by: User, occurred_on: date | None = None, reason: str = ""
) -> Document:
    """Move a classified child lot's whole stock back into its parent (DESIGN.md §6: returns
    awaiting classification), in the storehouses where the child holds it: a posted lot-split
    document the other way round (- child, + parent, same storehouse), checked under §4 like any
    movement into a storehouse. For an inspector of the depot (RECORD_SURVEILLANCE, vetted);
    409 `invalid_state` unless the lot has a parent in the same condition and stock in one
    depot, 409 `lot_banned` if a ban or constraint binds the child and not its parent. Nothing
    is edited or deleted: the child stays, at zero."""
    child = Lot.objects.get(pk=lot.pk)
    if child.parent_id is None:
        raise InvalidState(
            _("Lot %(lot)s was not split from another lot: there is no parent to merge into.")
            % {"lot": child.lot_number}
        )
    # Both lots locked (by id), as a condition change locks its lot: neither changes condition
    # while the merge is posted.
    lots = {
        each.pk: each
        for each in Lot.objects.select_for_update()
        .filter(pk__in=(child.pk, child.parent_id))
        .order_by("pk")
    }
    child, parent = lots[child.pk], lots[child.parent_id]
    held = list(
        Balance.objects.filter(lot=child, quantity__gt=0)
        .order_by("storehouse_id")
        .values_list("storehouse_id", "depot_id", "quantity")
    )
    depot_ids = {depot_id for _sh, depot_id, _q in held}
    for depot_id in sorted(depot_ids):
        require(posted_by, Action.RECORD_SURVEILLANCE, depot_id)
    if not held:
        raise InvalidState(
            _("Lot %(lot)s has no stock to merge.") % {"lot": child.lot_number},
            lot=child.lot_number,
        )
    if len(depot_ids) > 1:
        raise InvalidState(
            _("Lot %(lot)s is held in several depots: bring its stock into one depot first.")
            % {"lot": child.lot_number},
            lot=child.lot_number,
        )
    if child.condition_id != parent.condition_id:
        raise InvalidState(
            _(
                "Lot %(lot)s is in condition %(condition)s and its parent %(parent)s in "
                "%(parent_condition)s: a child is merged back only in its parent's condition "
                "(classify it first)."
            )
            % {
                "lot": child.lot_number,
                "condition": child.condition_id,
                "parent": parent.lot_number,
                "parent_condition": parent.condition_id,
            },
            lot=child.lot_number,
            parent=parent.lot_number,
        )
    binding = bans_binding([child.pk, parent.pk])
    parent_bans = {ban.pk for ban in binding.get(parent.pk, ())}
    own = [ban for ban in binding.get(child.pk, ()) if ban.pk not in parent_bans]
    if own:
        ban = own[0]
        raise LotBanned(
            _(
                "Lot %(lot)s is under a %(kind)s of its own (%(reason)s, %(reference)s): merged "
                "into %(parent)s its stock would escape it."
            )
            % {
                "lot": child.lot_number,
                "kind": ban.get_kind_display(),
                "reason": ban.reason,
                "reference": ban.reference,
                "parent": parent.lot_number,
            },
            lot=child.lot_number,
            reference=ban.reference,
        )
    return _post(
        depot=Depot.objects.get(pk=depot_ids.pop()),
        kind=DocumentKind.LOT_SPLIT,
        occurred_on=timezone.localdate() if occurred_on is None else occurred_on,
        posted_by=posted_by,
        movements=_relot(child.pk, parent.pk, [(sh, q) for sh, _depot_id, q in held]),
        reason="merge",
        note=" ".join(
            part
            for part in (
                _("Lot %(lot)s merged back into %(parent)s (condition %(condition)s).")
                % {
                    "lot": child.lot_number,
                    "parent": parent.lot_number,
                    "condition": parent.condition_id,
                },
                reason.strip(),
            )
            if part
        ),
        reference=child.lot_number,
    )
