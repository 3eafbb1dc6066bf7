"""Training allocations: a unit's allowance of a type for a year, with its history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.roles import Action
from core.scoping import require
from diversion import rules
from diversion.models import TrainingAllocation
from inventory.errors import InvalidState
from inventory.models import AmmunitionType, Recipient

ALLOCATION_YEARS = (2000, 2100)


@transaction.atomic
def training_allocation_set(
    *,
    recipient: Recipient,
    ammunition_type: AmmunitionType,
    year: int,
    quantity: int,
    approval_reference: str,
    set_by: User,
) -> TrainingAllocation:
    """Set a unit's training allocation of a type for a calendar year (create, or change it: the
    history keeps the earlier figure and who set it)."""
    require(set_by, Action.MANAGE_OVERSIGHT)
    if recipient.kind not in rules.ALLOCATION_RECIPIENT_KINDS:
        raise ValidationError({"recipient": [_("Training allocations are set for units.")]})
    if not (ALLOCATION_YEARS[0] <= year <= ALLOCATION_YEARS[1]):
        raise ValidationError({"year": [_("Give a year between 2000 and 2100.")]})
    if quantity < 0 or quantity > 2_000_000_000:
        raise ValidationError({"quantity": [_("Give a quantity from 0 to 2,000,000,000.")]})
    reference = (approval_reference or "").strip()
    if not reference:
        raise ValidationError({"approval_reference": [_("Give the reference of the approval.")]})
    if len(reference) > 120:
        raise ValidationError({"approval_reference": [_("At most 120 characters.")]})
    allocation = (
        TrainingAllocation.objects.select_for_update()
        .filter(recipient=recipient, ammunition_type=ammunition_type, year=year)
        .first()
    ) or TrainingAllocation(recipient=recipient, ammunition_type=ammunition_type, year=year)
    allocation.quantity = quantity
    allocation.approval_reference = reference
    allocation.set_by = set_by
    allocation.set_at = timezone.now()
    allocation._history_user = set_by
    try:
        with transaction.atomic():
            allocation.save()
    except IntegrityError as exc:  # another officer created it at the same moment
        raise InvalidState(_("This allocation was just set by someone else: look again.")) from exc
    return allocation
