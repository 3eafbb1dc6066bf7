"""Delivery verifications after a dispatch, and what a reversed dispatch or a failed verification
leaves behind."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from alerts.models import AlertKind
from alerts.services import alert_resolve
from core.history import history_save
from core.roles import Action
from core.scoping import require, require_any
from core.validation import date_not_future
from diversion.models import (
    CaseStatus,
    TransferCase,
    Verification,
    VerificationKind,
    VerificationResult,
)
from diversion.services.cases import _locked_case
from diversion.services.common import _check_choice, _check_given
from inventory.errors import InvalidState
from inventory.models import Document, Incident, IncidentDocument, IncidentKind
from inventory.services.incidents import incident_open


@transaction.atomic
def verification_schedule(
    *, case: TransferCase, kind: str, due_on: date, scheduled_by: User
) -> Verification:
    """Schedule one more check of a case (dispatch schedules the standard ones)."""
    require(scheduled_by, Action.MANAGE_OVERSIGHT, case.depot_id)
    _check_choice(kind, VerificationKind, "kind", _("Not a kind of verification."))
    if case.status != CaseStatus.DISPATCHED:
        raise InvalidState(_("Checks are scheduled for a dispatched case."))
    if Document.objects.filter(reverses_id=case.dispatch_document_id).exists():
        raise InvalidState(_("The dispatch of this case was reversed: nothing to check."))
    verification = Verification(case=case, kind=kind, due_on=due_on)
    return history_save(verification, by=scheduled_by)


@transaction.atomic
def verification_record(
    *,
    verification: Verification,
    result: str,
    performed_on: date,
    evidence: str,
    recorded_by: User,
) -> Verification:
    """Record the result of a check with its evidence. A failed check opens a diversion incident
    at the dispatching depot, linked to the dispatch document."""
    require(recorded_by, Action.MANAGE_OVERSIGHT, verification.case.depot_id)
    verification = (
        Verification.objects.select_for_update(of=("self",))
        .select_related("case__consignee", "case__end_user")
        .get(pk=verification.pk)
    )
    if verification.result == VerificationResult.CANCELLED:
        raise InvalidState(_("This check was cancelled: the case's dispatch was reversed."))
    if verification.result != VerificationResult.PENDING:
        raise InvalidState(_("This verification's result is already recorded."))
    if result not in (VerificationResult.PASSED, VerificationResult.FAILED):
        raise ValidationError({"result": [_("Passed or failed.")]})
    date_not_future("performed_on", performed_on)
    _check_given(evidence, "evidence", _("Give the evidence of the check."))
    verification.result = result
    verification.performed_on = performed_on
    verification.evidence = evidence.strip()
    verification.recorded_by = recorded_by
    verification.recorded_at = timezone.now()
    if result == VerificationResult.FAILED:
        verification.incident = _incident_for_failed(verification, recorded_by)
    return history_save(verification, by=recorded_by)


@transaction.atomic
def transfer_case_dispatch_reversed(*, case: TransferCase, user: User) -> list[Verification]:
    """The case's dispatch (its issue document) has been reversed through the posting service:
    cancel its pending checks, each naming the reversal, and resolve the case's
    verification_overdue alert (the sweep no longer raises it for a reversed dispatch either).
    For officers, or a clerk of the depot. Returns the checks cancelled (none if already done)."""
    require_any(user, (Action.MANAGE_OVERSIGHT, Action.RECORD_MOVEMENT), case.depot_id)
    case = _locked_case(case)
    reversal = (
        Document.objects.filter(reverses_id=case.dispatch_document_id).first()
        if case.dispatch_document_id
        else None
    )
    if reversal is None:
        raise InvalidState(_("The dispatch of this case has not been reversed."))
    cancelled = []
    now = timezone.now()
    pending = Verification.objects.select_for_update().filter(
        case=case, result=VerificationResult.PENDING
    )
    for verification in pending.order_by("due_on", "id"):
        verification.result = VerificationResult.CANCELLED
        verification.cancelled_by_reversal = reversal
        verification.evidence = _("Dispatch %(dispatch)s reversed by %(reversal)s: %(why)s") % {
            "dispatch": case.dispatch_document.number,
            "reversal": reversal.number,
            "why": reversal.note,
        }
        verification.recorded_by = user
        verification.recorded_at = now
        history_save(verification, by=user)
        cancelled.append(verification)
    alert_resolve(
        kind=AlertKind.VERIFICATION_OVERDUE,
        depot_id=case.depot_id,
        document_id=case.dispatch_document_id,
        now=now,
    )
    return cancelled


def _incident_for_failed(verification: Verification, reported_by: User) -> Incident:
    """Open the incident a failed check calls for, through inventory's incident service,
    linking the dispatch unless another incident is about it already."""
    case = verification.case
    units = sum(case.lines.values_list("quantity", flat=True))
    dispatch = case.dispatch_document_id
    return incident_open(
        depot_id=case.depot_id,
        kind=IncidentKind.OTHER,
        title=_("Possible diversion: %(check)s failed for transfer case %(number)s")
        % {"check": verification.get_kind_display(), "number": case.number},
        description=_("Consignee %(consignee)s, end user %(end_user)s.\nEvidence: %(evidence)s")
        % {
            "consignee": case.consignee.name,
            "end_user": case.end_user.name,
            "evidence": verification.evidence,
        },
        occurred_on=verification.performed_on,
        units_lost=units,
        reported_by=reported_by,
        document_ids=(
            [dispatch]
            if dispatch is not None
            and not IncidentDocument.objects.filter(document_id=dispatch).exists()
            else []
        ),
    )
