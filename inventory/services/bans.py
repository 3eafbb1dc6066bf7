"""Write bans and constraints (inventory.models.bans): the records issues are checked against.

Who may impose or lift one is surveillance's decision (surveillance.services.ban_impose and
ban_lift check the role and the depots it binds, then call these inside their transaction).
Here: the record's own rules, and the lock that makes issues in flight finish first.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from inventory.errors import InvalidState
from inventory.models import AmmunitionType, Ban, BanKind, Lot
from inventory.models.reference import RecipientKind


def ban_subject_check(
    *, kind: str, lot: Lot | None, ammunition_type: AmmunitionType | None
) -> None:
    """ValidationError unless the record names one subject (a lot or a type) and a known kind:
    checked before anything else, also by the callers before they check who decides."""
    if (lot is None) == (ammunition_type is None):
        raise ValidationError({"lot": [_("Name either a lot or an ammunition type.")]})
    if kind not in BanKind.values:
        raise ValidationError({"kind": [_("A ban or a constraint.")]})


def ban_create(
    *,
    kind: str,
    reason: str,
    reference: str,
    imposed_by: User,
    lot: Lot | None = None,
    ammunition_type: AmmunitionType | None = None,
    permitted_recipient_kinds: Iterable[str] = (),
    disposal_recommended: bool = False,
) -> Ban:
    """Record a ban or constraint on `lot` or `ammunition_type`, after the issues of that lot (or
    type) in flight: those that follow see it. ValidationError naming the field when a rule of
    the record is broken. The caller has checked who imposes it."""
    ban_subject_check(kind=kind, lot=lot, ammunition_type=ammunition_type)
    # Wait for issues of this lot (or type) in flight; those that follow see the ban.
    if lot is not None:
        Lot.objects.select_for_update().filter(pk=lot.pk).first()
    else:
        AmmunitionType.objects.select_for_update().filter(pk=ammunition_type.pk).first()
    errors = {}
    if not reason.strip():
        errors["reason"] = [_("Say why.")]
    if not reference.strip():
        errors["reference"] = [_("Give the reference of the decision.")]
    kinds = sorted(set(permitted_recipient_kinds))
    if kind == BanKind.BAN and kinds:
        errors["permitted_recipient_kinds"] = [_("A ban permits no one: use a constraint.")]
    if kind == BanKind.CONSTRAINT and disposal_recommended:
        errors["disposal_recommended"] = [
            _("Only a ban recommends disposal: a constraint still allows use.")
        ]
    unknown = [value for value in kinds if value not in RecipientKind.values]
    if unknown:
        errors["permitted_recipient_kinds"] = [
            _("Unknown recipient kind: %(kinds)s.") % {"kinds": ", ".join(unknown)}
        ]
    if errors:
        raise ValidationError(errors)
    return Ban.objects.create(
        kind=kind,
        lot=lot,
        ammunition_type=ammunition_type,
        reason=reason.strip(),
        reference=reference.strip(),
        permitted_recipient_kinds=kinds,
        disposal_recommended=disposal_recommended,
        imposed_by=imposed_by,
    )


def ban_lock(ban: Ban) -> Ban:
    """The ban, locked until the caller's transaction ends (with its lot, to check scope)."""
    return Ban.objects.select_for_update(of=("self",)).select_related("lot").get(pk=ban.pk)


def ban_mark_lifted(*, ban: Ban, reason: str, lifted_by: User) -> Ban:
    """Record that `ban` (locked by `ban_lock`) is lifted: InvalidState if it was already,
    ValidationError without a reason. The caller has checked who lifts it."""
    if ban.lifted_at is not None:
        raise InvalidState(
            _("This %(kind)s was lifted already.") % {"kind": ban.get_kind_display()}
        )
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why it is lifted.")]})
    ban.lifted_by = lifted_by
    ban.lifted_at = timezone.now()
    ban.lift_reason = reason.strip()
    ban.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    return ban
