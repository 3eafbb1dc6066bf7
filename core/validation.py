"""Checks of input that services in several apps make alike, with one wording."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def date_not_future(field: str, day: date) -> None:
    """ValidationError on `field` when `day` is after today where the depots are (TIME_ZONE):
    nothing is inspected, found, verified or lost tomorrow."""
    if day > timezone.localdate():
        raise ValidationError({field: [_("The date cannot be in the future.")]})
