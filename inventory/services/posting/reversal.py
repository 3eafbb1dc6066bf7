"""Reversals: the only correction, the exact opposite of a document, once.

The ledger side only: the checks and the posting. Rights, and whether a reversal is posted at
once or proposed for a second person's approval, are decided by inventory.services.reversals,
the one public way to reverse a document."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from inventory import policy
from inventory.errors import AlreadyReversed, InvalidState
from inventory.models import Document, Lot
from inventory.models.ledger import DocumentKind, DocumentStatus
from inventory.services.posting.checks import _check_condition_improvement
from inventory.services.posting.lines import Movement
from inventory.services.posting.writer import _post


def _reversal_movements(*, document: Document, reason: str, user: User) -> list[Movement]:
    """Check that a document (locked by the caller) may be reversed now: the movements of its
    reversal. Rights are checked by the caller (inventory.services.reversals), which decides
    whether the reversal is posted at once or waits for a second person."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the document is reversed.")]})
    if document_is_reversed(document):
        raise AlreadyReversed(
            _("Document %(number)s has already been reversed.") % {"number": document.number}
        )
    if document.kind == DocumentKind.REVERSAL:
        raise InvalidState(_("A reversal is not reversed: post a new document instead."))
    if document.kind == DocumentKind.CONDITION_CHANGE:
        raise InvalidState(
            _("A condition change is not reversed: record a new condition change instead.")
        )
    received_transfer = document.kind == DocumentKind.TRANSFER and document.status in (
        DocumentStatus.RECEIVED,
        DocumentStatus.RECEIVED_WITH_DISCREPANCY,
    )
    if received_transfer and not Document.objects.filter(reverses__transfer=document).exists():
        raise InvalidState(
            _("Transfer %(number)s has been received: reverse its receipt first.")
            % {"number": document.number}
        )
    if document.status not in (DocumentStatus.POSTED, DocumentStatus.IN_TRANSIT) and not (
        received_transfer
    ):
        raise InvalidState(
            _(
                "Document %(number)s is %(status)s: only posted documents and transfers in transit "
                "are reversed."
            )
            % {"number": document.number, "status": document.get_status_display()}
        )
    movements = [
        Movement(lot_id, storehouse_id, -quantity)
        for lot_id, storehouse_id, quantity in document.lines.order_by("id").values_list(
            "lot_id", "storehouse_id", "quantity"
        )
    ]
    if document.kind == DocumentKind.LOT_SPLIT:
        _check_split_reversal(document, movements, user)
    return movements


def _reversal_post(
    *,
    document: Document,
    movements: Sequence[Movement],
    reason: str,
    posted_by: User,
    approved_by: User | None = None,
) -> Document:
    """Post the exact opposite of a document (checked by `_reversal_movements`)."""
    header = {}
    if approved_by is not None:
        header = {"approved_by": approved_by, "decided_at": timezone.now()}
    return _post(
        depot=document.depot,
        kind=DocumentKind.REVERSAL,
        occurred_on=timezone.localdate(),
        posted_by=posted_by,
        movements=movements,
        reverses=document,
        note=reason.strip(),
        reference=document.number,
        **header,
    )


def _check_split_reversal(
    document: Document, movements: Sequence[Movement], posted_by: User
) -> None:
    """Reversing a split returns the child's stock to its parent, so it gives that stock the
    parent's condition: the same right as that condition change (DESIGN.md §5). A clerk may
    undo a split into a worse condition only if it were made again the other way round, which
    it cannot: a condemnation split is undone by an inspector."""
    # In each storehouse, stock goes from the lot losing it to the lot gaining it: from the
    # child back to its parent for a split, from the parent back to the child for a merge.
    losing = {m.storehouse_id: m.lot_id for m in movements if m.quantity < 0}
    gaining = {m.storehouse_id: m.lot_id for m in movements if m.quantity > 0}
    lots = Lot.objects.in_bulk({*losing.values(), *gaining.values()})
    availability = policy.availability_by_condition()
    for storehouse_id, lot_id in sorted(losing.items()):
        if storehouse_id not in gaining:
            continue
        source, target = lots[lot_id], lots[gaining[storehouse_id]]
        _check_condition_improvement(
            lot=source,
            current=source.condition_id,
            target=target.condition_id,
            availability=availability,
            user=posted_by,
            depot_id=document.depot_id,
        )


def document_is_reversed(document: Document) -> bool:
    return Document.objects.filter(reverses=document).exists()
