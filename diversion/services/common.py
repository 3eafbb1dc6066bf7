"""What the sections of diversion.services share: policy settings, country codes and the checks
of a text given or a value chosen, refused with a 400 on the field named."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from diversion.models import VerificationKind

# Policy settings read (inventory.PolicySetting), with these defaults when absent.
DEFAULT_ASSESSMENT_VALID_DAYS = 180
DEFAULT_VERIFICATION_DAYS = {
    VerificationKind.PRE_DELIVERY: 7,
    VerificationKind.DELIVERY_CERTIFICATE: 30,
    VerificationKind.PHYSICAL_INSPECTION: 90,
    VerificationKind.END_USE_CHECK: 180,
    VerificationKind.STOCKPILE_CHECK: 365,
}


def _policy_days(values: dict, key: str, default: int) -> int:
    return int(values.get(key, default))


def _check_country(value: str, field: str) -> str:
    value = (value or "").strip().upper()
    if len(value) != 2 or not value.isalpha() or not value.isascii():
        raise ValidationError({field: [_("Give a two-letter ISO 3166 country code.")]})
    return value


def _check_given(value: str, field: str, message: str) -> None:
    """Refuse `value` on `field` when it is blank."""
    if not value.strip():
        raise ValidationError({field: [message]})


def _check_choice(value: str, choices: type[models.Choices], field: str, message: str) -> None:
    """Refuse `value` on `field` unless it is one of `choices`."""
    if value not in choices.values:
        raise ValidationError({field: [message]})
