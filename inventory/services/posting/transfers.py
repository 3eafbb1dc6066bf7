"""Transfers between depots: dispatched (in transit), then received at the destination."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.roles import Action
from core.scoping import require
from inventory.errors import InvalidState
from inventory.models import Depot, Document
from inventory.models.ledger import DocumentKind, DocumentStatus
from inventory.services.incidents import incident_open_for_transfer
from inventory.services.posting.checks import _check_quantities
from inventory.services.posting.lines import Movement
from inventory.services.posting.reversal import document_is_reversed
from inventory.services.posting.writer import _post


@transaction.atomic
def transfer_dispatch(
    *,
    depot: Depot,
    destination_depot: Depot,
    lines: Sequence[Movement],
    occurred_on: date,
    posted_by: User,
    reference: str = "",
) -> Document:
    """Dispatch stock to another depot: it leaves here now and is in transit until received."""
    require(posted_by, Action.RECORD_MOVEMENT, depot.pk)
    _check_quantities(lines)
    if destination_depot.pk == depot.pk:
        raise ValidationError({"destination_depot": [_("Use an internal move within a depot.")]})
    return _post(
        depot=depot,
        kind=DocumentKind.TRANSFER,
        status=DocumentStatus.IN_TRANSIT,
        occurred_on=occurred_on,
        posted_by=posted_by,
        movements=[Movement(m.lot_id, m.storehouse_id, -m.quantity) for m in lines],
        check_storage=False,
        destination_depot=destination_depot,
        reference=reference,
    )


@transaction.atomic
def transfer_receive(
    *,
    transfer: Document,
    lines: Sequence[Movement],
    occurred_on: date,
    posted_by: User,
    reference: str = "",
) -> Document:
    """Receive a transfer at its destination. Less than was sent is a transit discrepancy; a lot
    that was not sent, or more than was sent, is refused. Returns the receipt document, whose
    `transfer` is the transfer with its resulting status."""
    transfer = (
        Document.objects.select_for_update(of=("self",))
        .select_related("destination_depot")
        .get(pk=transfer.pk)
    )
    depot = transfer.destination_depot
    if transfer.kind != DocumentKind.TRANSFER or depot is None:
        raise ValidationError(_("Not a transfer."))
    require(posted_by, Action.RECORD_MOVEMENT, depot.pk)
    if transfer.status != DocumentStatus.IN_TRANSIT or document_is_reversed(transfer):
        raise InvalidState(
            _("Transfer %(number)s is not in transit: it was received or cancelled.")
            % {"number": transfer.number}
        )
    _check_quantities(lines)
    if occurred_on < transfer.occurred_on:
        raise ValidationError({"occurred_on": [_("A transfer is received after its dispatch.")]})
    sent: dict[int, int] = defaultdict(int)
    for lot_id, quantity in transfer.lines.values_list("lot_id", "quantity"):
        sent[lot_id] -= quantity
    received: dict[int, int] = defaultdict(int)
    for line in lines:
        received[line.lot_id] += line.quantity
    for lot_id, quantity in received.items():
        if quantity > sent.get(lot_id, 0):
            raise ValidationError(
                {
                    "lines": [
                        _(
                            "More of a lot was received than was sent, or a lot that was not "
                            "sent: record the surplus with a separate receipt."
                        )
                    ]
                }
            )
    shortfall = any(received.get(lot_id, 0) < quantity for lot_id, quantity in sent.items())
    receipt = _post(
        depot=depot,
        kind=DocumentKind.TRANSFER_RECEIPT,
        occurred_on=occurred_on,
        posted_by=posted_by,
        movements=[line for line in lines if line.quantity],
        transfer=transfer,
        counterparty=transfer.depot.code,
        reference=reference,
    )
    transfer.status = (
        DocumentStatus.RECEIVED_WITH_DISCREPANCY if shortfall else DocumentStatus.RECEIVED
    )
    transfer.save(update_fields=["status"])
    if shortfall:  # a potential diversion: an incident to investigate
        incident_open_for_transfer(transfer=transfer, receipt=receipt, reported_by=posted_by)
    return receipt
