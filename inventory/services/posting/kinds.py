"""The everyday document kinds: receipts, issues, disposals, returns and internal moves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.roles import Action
from core.scoping import require
from inventory import locks, policy
from inventory.models import Depot, Document, Lot, Recipient
from inventory.models.ledger import DocumentKind
from inventory.services.lots import lots_resolve_checked
from inventory.services.posting.checks import _check_quantities, issue_availability_check
from inventory.services.posting.lines import MoveLine, Movement, ReceiptLine
from inventory.services.posting.lots import lot_child_create
from inventory.services.posting.writer import _post


@transaction.atomic
def receipt_post(
    *,
    depot: Depot,
    lines: Sequence[ReceiptLine | Movement],
    occurred_on: date,
    posted_by: User,
    counterparty: str = "",
    reference: str = "",
) -> Document:
    """Receive stock into storehouses of `depot`. New lots named on lines are created here, in
    the same transaction, so a refused receipt leaves no orphan lot behind."""
    require(posted_by, Action.RECORD_MOVEMENT, depot.pk)
    # The new lots of all lines found or created together: a fixed number of queries.
    new_lots = iter(
        lots_resolve_checked(
            [
                line.lot
                for line in lines
                if not isinstance(line, Movement) and not isinstance(line.lot, int)
            ]
        )
    )
    movements = [
        line
        if isinstance(line, Movement)
        else Movement(
            line.lot if isinstance(line.lot, int) else next(new_lots).pk,
            line.storehouse_id,
            line.quantity,
        )
        for line in lines
    ]
    _check_quantities(movements)
    return _post(
        depot=depot,
        kind=DocumentKind.RECEIPT,
        occurred_on=occurred_on,
        posted_by=posted_by,
        movements=movements,
        counterparty=counterparty,
        reference=reference,
    )


@transaction.atomic
def issue_post(
    *,
    depot: Depot,
    lines: Sequence[Movement],
    recipient: Recipient,
    occurred_on: date,
    posted_by: User,
    purpose: str = "",
    counterparty: str = "",
    reference: str = "",
) -> Document:
    """Issue stock to a recipient. Refuses lots that are not issuable to it, or not on hand."""
    require(posted_by, Action.RECORD_MOVEMENT, depot.pk)
    _check_quantities(lines)
    if not recipient.is_active:
        raise ValidationError({"recipient": [_("This recipient is no longer active.")]})
    # The share lock first, then one statement reads the policy and the lots' bans: a ban
    # imposed meanwhile has either committed before that read's snapshot or waits for us.
    lot_ids = {line.lot_id for line in lines}
    lots = locks.lots_share_lock(lot_ids)
    read = policy.posting_policy(depot_id=depot.pk, on=occurred_on, bans_for=lot_ids)
    issue_availability_check(
        lots,
        recipient=recipient,
        availability=read.availability,
        ban_pairs=read.ban_pairs,
        on=occurred_on,
    )
    return _post(
        depot=depot,
        kind=DocumentKind.ISSUE,
        occurred_on=occurred_on,
        posted_by=posted_by,
        movements=[Movement(m.lot_id, m.storehouse_id, -m.quantity) for m in lines],
        check_storage=False,
        posting_policy=read,
        recipient=recipient,
        purpose=purpose,
        counterparty=counterparty,
        reference=reference,
    )


@transaction.atomic
def disposal_post(
    *,
    depot: Depot,
    lines: Sequence[Movement],
    occurred_on: date,
    posted_by: User,
    reference: str = "",
    counterparty: str = "",
    purpose: str = "",
) -> Document:
    """Take stock out of the account because it was destroyed, demilitarised or used up in
    training under a disposal plan. Any condition may be disposed of (unserviceable stock is what
    disposal is for), so no availability check applies; the caller (the surplus app) decides
    what a plan may dispose of. Quantities, dates, frozen depots and stock on hand are checked as
    for any withdrawal."""
    require(posted_by, Action.RECORD_MOVEMENT, depot.pk)
    _check_quantities(lines)
    return _post(
        depot=depot,
        kind=DocumentKind.DISPOSAL,
        occurred_on=occurred_on,
        posted_by=posted_by,
        movements=[Movement(m.lot_id, m.storehouse_id, -m.quantity) for m in lines],
        check_storage=False,
        counterparty=counterparty,
        purpose=purpose,
        reference=reference,
    )


@transaction.atomic
def return_post(
    *,
    depot: Depot,
    lines: Sequence[Movement],
    recipient: Recipient,
    occurred_on: date,
    posted_by: User,
    source_issue: Document | None = None,
    reference: str = "",
) -> Document:
    """Take back stock returned unused by a recipient, with the issue it came from where known.

    With the policy switch RETURNS_AWAIT_CLASSIFICATION on (the default, DESIGN.md §6), the lines
    name the lots as issued, but the stock is posted into a child lot of each (the lot number
    plus "-R1", "-R2"... one per return, ancestry set as for a split) in condition K, awaiting an
    inspector's classification: the document's lines name the children. K is stored apart
    (rule 2), so the storehouse must be a quarantine store or hold nothing else; otherwise the
    usual refusal, and the children are not created. Off: the stock goes back into the lot."""
    require(posted_by, Action.RECORD_MOVEMENT, depot.pk)
    _check_quantities(lines)
    if source_issue is not None and (
        source_issue.kind != DocumentKind.ISSUE or source_issue.depot_id != depot.pk
    ):
        raise ValidationError({"issue": [_("Not an issue of this depot.")]})
    read = policy.posting_policy(depot_id=depot.pk, on=occurred_on)
    if policy.returns_await_classification(read.values):
        lines = _return_children(lines, availability=read.availability)
    return _post(
        depot=depot,
        kind=DocumentKind.RETURN,
        occurred_on=occurred_on,
        posted_by=posted_by,
        movements=lines,
        posting_policy=read,
        recipient=recipient,
        source_issue=source_issue,
        reference=reference,
    )


def _return_children(lines: Sequence[Movement], *, availability: dict[str, str]) -> list[Movement]:
    """The return's lines moved onto a new child of each returned lot, in condition K: one child
    per lot per return, suffixed -R1, -R2... (the first free number). The returned lots are
    locked first (by id), so two returns of one lot never pick the same suffix."""
    condition = policy.RETURNS_CONDITION
    if condition not in availability:
        raise ImproperlyConfigured(
            f"Condition code {condition} (returns awaiting classification) is missing from the "
            f"condition table, yet the policy switch returns_await_classification is on."
        )
    lot_ids = sorted({line.lot_id for line in lines})
    parents = {
        lot.pk: lot for lot in Lot.objects.select_for_update().filter(pk__in=lot_ids).order_by("pk")
    }
    if len(parents) != len(lot_ids):
        raise ValidationError({"lines": [_("Unknown lot.")]})
    children: dict[int, int] = {}
    for lot_id in lot_ids:
        parent = parents[lot_id]
        taken = {
            number.upper()
            for number in Lot.objects.filter(
                ammunition_type_id=parent.ammunition_type_id,
                manufacturer=parent.manufacturer,
                lot_number__istartswith=f"{parent.lot_number}-R",
            ).values_list("lot_number", flat=True)
        }
        serial = 1
        while f"{parent.lot_number}-R{serial}".upper() in taken:
            serial += 1
        child = lot_child_create(
            parent, lot_number=f"{parent.lot_number}-R{serial}", condition=condition
        )
        children[lot_id] = child.pk
    return [Movement(children[line.lot_id], line.storehouse_id, line.quantity) for line in lines]


@transaction.atomic
def move_post(
    *,
    depot: Depot,
    lines: Sequence[MoveLine],
    occurred_on: date,
    posted_by: User,
    reference: str = "",
) -> Document:
    """Move stock between storehouses of one depot; the destination's storage rules apply."""
    require(posted_by, Action.RECORD_MOVEMENT, depot.pk)
    if any(line.from_storehouse_id == line.to_storehouse_id for line in lines):
        raise ValidationError({"lines": [_("A move goes to a different storehouse.")]})
    _check_quantities([Movement(m.lot_id, m.from_storehouse_id, m.quantity) for m in lines])
    movements = []
    for line in lines:
        movements.append(Movement(line.lot_id, line.from_storehouse_id, -line.quantity))
        movements.append(Movement(line.lot_id, line.to_storehouse_id, line.quantity))
    return _post(
        depot=depot,
        kind=DocumentKind.INTERNAL_MOVE,
        occurred_on=occurred_on,
        posted_by=posted_by,
        movements=movements,
        reference=reference,
    )
