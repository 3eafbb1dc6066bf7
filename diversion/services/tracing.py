"""Tracing requests: ammunition found outside control, traced to its last accountable holders."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.history import history_save
from core.roles import Action
from core.scoping import require
from core.validation import date_not_future
from diversion import selectors
from diversion.models import TracingRequest
from diversion.services.common import _check_given


@transaction.atomic
def tracing_request_record(
    *,
    reference: str,
    requesting_authority: str,
    context: str,
    lot_marking: str,
    quantity: int,
    place: str,
    found_on: date,
    recorded_by: User,
    description: str = "",
) -> TracingRequest:
    """Record a request to trace ammunition found outside control. The candidate lots (lot number
    containing the marking, in any letter case) and their last accountable holders are found now
    and kept with the request."""
    require(recorded_by, Action.MANAGE_OVERSIGHT)
    marking = lot_marking.strip()
    if len(marking) < 2:
        raise ValidationError({"lot_marking": [_("Give at least two characters of the marking.")]})
    date_not_future("found_on", found_on)
    request = TracingRequest(
        reference=reference.strip(),
        requesting_authority=requesting_authority.strip(),
        context=context,
        lot_marking=marking,
        description=description.strip(),
        quantity=quantity,
        place=place.strip(),
        found_on=found_on,
        candidates=selectors.tracing_candidates(marking),
        recorded_by=recorded_by,
        recorded_at=timezone.now(),
    )
    request.full_clean(exclude=["candidates"])
    return history_save(request, by=recorded_by)


@transaction.atomic
def tracing_request_answer(
    *, tracing_request: TracingRequest, answer: str, answered_by: User
) -> TracingRequest:
    """Record (or amend) the answer sent to the requesting authority."""
    require(answered_by, Action.MANAGE_OVERSIGHT)
    _check_given(answer, "answer", _("Write the answer."))
    tracing_request = TracingRequest.objects.select_for_update().get(pk=tracing_request.pk)
    tracing_request.answer = answer.strip()
    tracing_request.answered_by = answered_by
    tracing_request.answered_at = timezone.now()
    return history_save(tracing_request, by=answered_by)
