"""Open loss incidents (inventory.models.incidents): every new incident is written here.

Postings open one for each loss they record (an approved lost or stolen adjustment, a transfer
received short), inside their transaction; stockchecks opens one for a count's losses and for a
reported theft or loss, diversion for a failed verification. Who may report a loss, and the
investigation that follows, are the callers' (stockchecks.services).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from inventory.models import Document, Incident, IncidentDocument, IncidentKind, Lot
from inventory.models.ledger import AdjustmentReason, DocumentKind


def neq_per_unit(lot: Lot) -> Decimal:
    """NEQ (kg) of one unit of `lot`: the lot's own figure, else its type's."""
    return (
        lot.neq_per_unit_kg
        if lot.neq_per_unit_kg is not None
        else lot.ammunition_type.neq_per_unit_kg
    )


def incident_open(
    *,
    depot_id: int,
    kind: IncidentKind,
    title: str,
    occurred_on: date,
    reported_by: User,
    description: str = "",
    units_lost: int = 0,
    neq_lost_kg: Decimal = Decimal(0),
    other_depot_id: int | None = None,
    stock_check_id: int | None = None,
    document_ids: Iterable[int] = (),
    reported_at: datetime | None = None,
) -> Incident:
    """Open an incident linking `document_ids` (each in one incident at most: the caller checks
    or skips those already linked). No permission check: the caller's action decides."""
    incident = Incident.objects.create(
        depot_id=depot_id,
        other_depot_id=other_depot_id,
        kind=kind,
        title=title,
        description=description,
        occurred_on=occurred_on,
        units_lost=units_lost,
        neq_lost_kg=neq_lost_kg,
        stock_check_id=stock_check_id,
        reported_by=reported_by,
        reported_at=reported_at or timezone.now(),
    )
    IncidentDocument.objects.bulk_create(
        IncidentDocument(incident=incident, document_id=pk) for pk in document_ids
    )
    return incident


def incident_open_for_adjustment(*, document: Document, reported_by: User) -> Incident | None:
    """An approved adjustment for lost or stolen stock opens an incident (once per document).
    Called by the posting service inside the approval's transaction."""
    if IncidentDocument.objects.filter(document=document).exists():
        return None
    rows = list(
        document.lines.filter(quantity__lt=0).select_related("lot__ammunition_type", "storehouse")
    )
    units = -sum(row.quantity for row in rows)
    stolen = document.reason == AdjustmentReason.STOLEN
    return incident_open(
        depot_id=document.depot_id,
        kind=IncidentKind.THEFT if stolen else IncidentKind.LOSS_ADJUSTMENT,
        title=(
            _("Adjustment %(number)s: %(units)s units stolen")
            if stolen
            else _("Adjustment %(number)s: %(units)s units lost")
        )
        % {"number": document.number, "units": units},
        description="\n".join(
            f"{row.lot.lot_number} in {row.storehouse.code}: {row.quantity}" for row in rows
        )
        + (f"\n{document.note}" if document.note else ""),
        occurred_on=document.occurred_on,
        units_lost=units,
        neq_lost_kg=-sum((row.quantity * neq_per_unit(row.lot) for row in rows), Decimal(0)),
        reported_by=reported_by,
        document_ids=[document.pk],
    )


def incident_open_for_transfer(
    *, transfer: Document, receipt: Document, reported_by: User
) -> Incident | None:
    """A transfer received short opens an incident at the receiving depot, seen by the sending
    depot too, linking the dispatch and the receipt (once per transfer). Called by the posting
    service inside the receipt's transaction."""
    if transfer.kind != DocumentKind.TRANSFER:
        raise ValueError("not a transfer")
    if IncidentDocument.objects.filter(document=transfer).exists():
        return None
    short: dict[int, int] = defaultdict(int)
    for lot_id, quantity in transfer.lines.values_list("lot_id", "quantity"):
        short[lot_id] -= quantity
    for lot_id, quantity in receipt.lines.values_list("lot_id", "quantity"):
        short[lot_id] -= quantity
    short = {lot_id: units for lot_id, units in short.items() if units > 0}
    lots = Lot.objects.select_related("ammunition_type").in_bulk(short)
    units = sum(short.values())
    return incident_open(
        depot_id=transfer.destination_depot_id,
        other_depot_id=transfer.depot_id,
        kind=IncidentKind.TRANSIT_SHORTFALL,
        title=_("Transfer %(number)s received %(units)s units short")
        % {"number": transfer.number, "units": units},
        description="\n".join(
            f"{lots[lot_id].lot_number}: {units_short} short"
            for lot_id, units_short in sorted(short.items())
        ),
        occurred_on=receipt.occurred_on,
        units_lost=units,
        neq_lost_kg=sum(
            (units_short * neq_per_unit(lots[lot_id]) for lot_id, units_short in short.items()),
            Decimal(0),
        ),
        reported_by=reported_by,
        document_ids=[transfer.pk, receipt.pk],
    )
