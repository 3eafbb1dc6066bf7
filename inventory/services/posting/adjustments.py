"""Adjustments: proposed, then approved by a second person (posted) or rejected."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import SelfApproval
from core.roles import Action
from core.scoping import require
from inventory import locks, policy
from inventory.models import Depot, Document, PendingLine, Storehouse
from inventory.models.ledger import LOSS_REASONS, AdjustmentReason, DocumentKind, DocumentStatus
from inventory.services.incidents import incident_open_for_adjustment
from inventory.services.posting.checks import _check_date, _check_not_frozen, _check_quantities
from inventory.services.posting.lines import Movement
from inventory.services.posting.writer import _apply, _new_document
from inventory.services.states import status_require


@transaction.atomic
def adjustment_create(
    *,
    depot: Depot,
    lines: Sequence[Movement],
    reason: AdjustmentReason,
    occurred_on: date,
    posted_by: User,
    note: str = "",
    reference: str = "",
) -> Document:
    """Propose an adjustment: pending approval by a second person, no effect on balances yet."""
    require(posted_by, Action.RECORD_MOVEMENT, depot.pk)
    _check_quantities(lines, signed=True)
    if reason not in AdjustmentReason.values:
        raise ValidationError({"reason": [_("Unknown reason code.")]})
    now = timezone.now()
    _check_date(depot=depot, occurred_on=occurred_on, now=now, policy_values=policy.policy_values())
    storehouses = Storehouse.objects.filter(pk__in={m.storehouse_id for m in lines}, depot=depot)
    if storehouses.count() != len({m.storehouse_id for m in lines}):
        raise ValidationError(
            {
                "lines": [
                    _("A storehouse on this document is not in depot %(depot)s.")
                    % {"depot": depot.code}
                ]
            }
        )
    document, _head = _new_document(
        depot=depot,
        kind=DocumentKind.ADJUSTMENT,
        status=DocumentStatus.PENDING_APPROVAL,
        occurred_on=occurred_on,
        posted_by=posted_by,
        now=now,
        reason=reason,
        note=note,
        reference=reference,
    )
    PendingLine.objects.bulk_create(
        PendingLine(
            document=document, lot_id=m.lot_id, storehouse_id=m.storehouse_id, quantity=m.quantity
        )
        for m in lines
    )
    return document


def _pending_adjustment(document: Document, decided_by: User) -> Document:
    document = Document.objects.select_for_update().select_related("depot").get(pk=document.pk)
    if document.kind != DocumentKind.ADJUSTMENT:
        raise ValidationError(_("Not an adjustment."))
    require(decided_by, Action.APPROVE, document.depot_id)
    status_require(
        document,
        [DocumentStatus.PENDING_APPROVAL],
        _("Adjustment %(number)s is already %(status)s."),
    )
    if document.posted_by_id == decided_by.pk:
        raise SelfApproval(_("An adjustment is approved by someone other than its author."))
    return document


def _decide(document: Document, status: DocumentStatus, *, by: User, at) -> None:
    """Record the decision on a pending adjustment: its new status, who decided (`approved_by`
    names a rejecter too) and when."""
    document.status = status
    document.approved_by = by
    document.decided_at = at
    document.save(update_fields=["status", "approved_by", "decided_at"])


@transaction.atomic
def adjustment_approve(*, document: Document, approved_by: User) -> Document:
    """Approve a pending adjustment: its lines are posted now, under the rules of any posting."""
    document = _pending_adjustment(document, approved_by)
    locks.counter_lock(depot_id=document.depot_id, year=timezone.now().year)
    head = locks.chain_head_lock(depot_id=document.depot_id)
    now = timezone.now()
    read = policy.posting_policy(depot_id=document.depot_id, on=document.occurred_on)
    _check_not_frozen(document.depot, read)
    movements = [
        Movement(line.lot_id, line.storehouse_id, line.quantity)
        for line in document.pending_lines.all()
    ]
    _apply(
        document,
        movements,
        head=head,
        posted_at=now,
        poster_id=approved_by.pk,
        check_storage=True,
        policy_values=read.values,
        availability=read.availability,
        isolating=read.isolating,
    )
    _decide(document, DocumentStatus.POSTED, by=approved_by, at=now)
    if document.reason in LOSS_REASONS:  # lost or stolen: an incident to investigate
        incident_open_for_adjustment(document=document, reported_by=approved_by)
    return document


@transaction.atomic
def adjustment_reject(*, document: Document, rejected_by: User) -> Document:
    document = _pending_adjustment(document, rejected_by)
    _decide(document, DocumentStatus.REJECTED, by=rejected_by, at=timezone.now())
    return document
