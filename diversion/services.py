"""The only code that writes diversion control: the register of parties and their documents,
transfer cases and their dispatch, pre-transfer risk assessments, delivery verifications and
tracing requests.

Officers (and administrators) manage the register, cases, assessments, verifications and tracing
requests (Action.MANAGE_OVERSIGHT); a clerk of the case's depot dispatches (RECORD_MOVEMENT),
which posts an issue to the consignee through inventory.services.posting after every check here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from alerts.models import AlertKind
from alerts.services import alert_resolve
from core.errors import SelfApproval
from core.roles import Action
from core.scoping import require, require_any
from diversion import rules, selectors
from diversion.errors import (
    AssessmentIncomplete,
    EndUserCertificateInvalid,
    HighRiskNotOverridden,
    NoRiskAssessment,
    PartyNotPermitted,
)
from diversion.models import (
    BARRED_STATUSES,
    END_USER_KINDS,
    AssessmentStatus,
    AuthenticationResult,
    CaseLine,
    CaseParty,
    CaseStatus,
    ChecklistItem,
    ChecklistVersion,
    Party,
    PartyDocument,
    PartyDocumentKind,
    PartyKind,
    PartyStatus,
    RiskAnswer,
    RiskAssessment,
    RiskLevel,
    TracingRequest,
    TrainingAllocation,
    TransferCase,
    Verification,
    VerificationKind,
    VerificationResult,
)
from inventory.errors import InvalidState
from inventory.locks import rows_share_lock
from inventory.models import (
    AmmunitionType,
    Depot,
    Document,
    Incident,
    IncidentDocument,
    IncidentKind,
    Lot,
    Recipient,
    Storehouse,
)
from inventory.models.reference import RecipientKind
from inventory.policy import policy_values
from inventory.services import posting
from inventory.services.incidents import incident_open
from inventory.services.reference import recipient_create

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


# --- The register of parties ---------------------------------------------------------------------


def _check_identifiers(identifiers) -> dict[str, str]:
    if not isinstance(identifiers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k.strip() and len(k) <= 60 and len(v) <= 120
        for k, v in identifiers.items()
    ):
        raise ValidationError(
            {"identifiers": [_("Identifiers are names (up to 60 characters) with text values.")]}
        )
    if len(identifiers) > 20:
        raise ValidationError({"identifiers": [_("At most 20 identifiers.")]})
    return {k.strip(): v.strip() for k, v in identifiers.items()}


def _check_status(status: str, reason: str) -> None:
    if status not in PartyStatus.values:
        raise ValidationError({"status": [_("Not a party status.")]})
    if status != PartyStatus.PENDING and not reason.strip():
        raise ValidationError({"status_reason": [_("Say why the party has this status.")]})


@transaction.atomic
def party_create(
    *,
    kind: str,
    name: str,
    country: str,
    created_by: User,
    identifiers: dict | None = None,
    address: str = "",
    status: str = PartyStatus.PENDING,
    status_reason: str = "",
    status_source: str = "",
) -> Party:
    """Add a party to the register (officers, administrators)."""
    require(created_by, Action.MANAGE_OVERSIGHT)
    if kind not in PartyKind.values:
        raise ValidationError({"kind": [_("Not a kind of party.")]})
    if not name.strip():
        raise ValidationError({"name": [_("Give the party's name.")]})
    _check_status(status, status_reason)
    party = Party(
        kind=kind,
        name=name.strip(),
        country=_check_country(country, "country"),
        identifiers=_check_identifiers(identifiers or {}),
        address=address.strip(),
        status=status,
        status_reason=status_reason.strip(),
        status_source=status_source.strip(),
        status_changed_by=created_by,
        status_changed_at=timezone.now(),
    )
    party._history_user = created_by
    party.save()
    return party


@transaction.atomic
def party_update(
    *,
    party: Party,
    changed_by: User,
    name: str | None = None,
    country: str | None = None,
    identifiers: dict | None = None,
    address: str | None = None,
    status: str | None = None,
    status_reason: str | None = None,
    status_source: str | None = None,
) -> Party:
    """Change a party's details or status (with reason and source). Every change is kept in the
    party's history. A suspended or denied party can no longer appear on a new transfer, nor be
    dispatched to on one not yet dispatched."""
    require(changed_by, Action.MANAGE_OVERSIGHT)
    party = Party.objects.select_for_update().get(pk=party.pk)
    if name is not None:
        if not name.strip():
            raise ValidationError({"name": [_("Give the party's name.")]})
        party.name = name.strip()
    if country is not None:
        party.country = _check_country(country, "country")
    if identifiers is not None:
        party.identifiers = _check_identifiers(identifiers)
    if address is not None:
        party.address = address.strip()
    if status is not None and status != party.status:
        reason = (status_reason or "").strip()
        _check_status(status, reason or ("-" if status == PartyStatus.PENDING else ""))
        party.status = status
        party.status_reason = reason
        party.status_source = (status_source or "").strip()
        party.status_changed_by = changed_by
        party.status_changed_at = timezone.now()
    elif status_reason is not None or status_source is not None:
        if status_reason is not None:
            party.status_reason = status_reason.strip()
        if status_source is not None:
            party.status_source = status_source.strip()
        _check_status(party.status, party.status_reason)
    party._history_user = changed_by
    party.save()
    return party


@transaction.atomic
def party_document_add(
    *,
    party: Party,
    kind: str,
    number: str,
    issuer: str,
    valid_from: date,
    valid_until: date,
    recorded_by: User,
) -> PartyDocument:
    """Record an end-user certificate, assurance, contract or licence of a party."""
    require(recorded_by, Action.MANAGE_OVERSIGHT)
    if kind not in PartyDocumentKind.values:
        raise ValidationError({"kind": [_("Not a kind of document.")]})
    if not number.strip():
        raise ValidationError({"number": [_("Give the document's number.")]})
    if not issuer.strip():
        raise ValidationError({"issuer": [_("Say who issued the document.")]})
    if valid_until < valid_from:
        raise ValidationError({"valid_until": [_("A document cannot end before it starts.")]})
    document = PartyDocument(
        party=party,
        kind=kind,
        number=number.strip(),
        issuer=issuer.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
        recorded_by=recorded_by,
    )
    document._history_user = recorded_by
    document.save()
    return document


@transaction.atomic
def party_document_authenticate(
    *, document: PartyDocument, result: str, method: str, authenticated_by: User
) -> PartyDocument:
    """Record who checked that a document is genuine, how, and the result."""
    require(authenticated_by, Action.MANAGE_OVERSIGHT)
    if result not in AuthenticationResult.values or result == AuthenticationResult.UNCHECKED:
        raise ValidationError({"result": [_("Authentic, not authentic or inconclusive.")]})
    if not method.strip():
        raise ValidationError({"method": [_("Say how the document was checked.")]})
    document = PartyDocument.objects.select_for_update().get(pk=document.pk)
    document.authentication_result = result
    document.authentication_method = method.strip()
    document.authenticated_by = authenticated_by
    document.authenticated_at = timezone.now()
    document._history_user = authenticated_by
    document.save()
    return document


# --- Transfer cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseLineInput:
    lot: Lot
    storehouse: Storehouse
    quantity: int


def _barred(parties: Sequence[Party]) -> list[Party]:
    return [party for party in parties if party.status in BARRED_STATUSES]


def _refuse_barred(parties: Sequence[Party]) -> None:
    barred = _barred(parties)
    if barred:
        names = ", ".join(
            f"{party.name} ({party.get_status_display()})" for party in _unique(barred)
        )
        raise PartyNotPermitted(
            _("A suspended or denied party cannot be on a transfer: %(names)s.") % {"names": names},
            parties=sorted({party.pk for party in barred}),
        )


def _unique(parties):
    seen = set()
    return [p for p in parties if not (p.pk in seen or seen.add(p.pk))]


def _share_locked(party_ids) -> list[Party]:
    """The parties of a transfer, share-locked until it commits: a status change (which locks
    the party for update) lands before the check reads it, and is obeyed, or waits for it."""
    return rows_share_lock(Party, party_ids)


def _recipient_for(consignee: Party, created_by: User) -> Recipient:
    """The recipient that dispatches of cases for this consignee are issued to: found by its
    code, else added to the register of recipients (officers may)."""
    code = f"PARTY-{consignee.pk}"
    found = Recipient.objects.filter(code=code).first()
    if found is not None:
        return found
    kind = (
        RecipientKind.PRIVATE_END_USER
        if consignee.kind == PartyKind.PRIVATE_END_USER
        else RecipientKind.FOREIGN_STATE
    )
    return recipient_create(code=code, name=consignee.name[:200], kind=kind, created_by=created_by)


@transaction.atomic
def transfer_case_create(
    *,
    depot: Depot,
    purpose: str,
    consignee: Party,
    end_user: Party,
    end_user_certificate: PartyDocument,
    lines: Sequence[CaseLineInput],
    destination_country: str,
    created_by: User,
    chain: Sequence[tuple[Party, str]] = (),
    transit_states: Sequence[str] = (),
    route: str = "",
    transport: str = "",
    port_of_exit: str = "",
    reference: str = "",
    disposal_plan_reference: str = "",
    recipient: Recipient | None = None,
) -> TransferCase:
    """Open an outbound transfer case: the lots and quantities leaving `depot`, the consignee, the
    end user with its end-user certificate, every other party in the chain with its role, the
    route with its transit states, and the transport. No suspended or denied party may appear
    (409 party_not_permitted). Stock is checked when the case is dispatched."""
    require(created_by, Action.MANAGE_OVERSIGHT, depot.pk)
    from diversion.models import TransferPurpose

    if purpose not in TransferPurpose.values:
        raise ValidationError({"purpose": [_("Not a transfer purpose.")]})
    if consignee.kind not in {PartyKind.CONSIGNEE, *END_USER_KINDS}:
        raise ValidationError({"consignee": [_("The consignee is a consignee or an end user.")]})
    if end_user.kind not in END_USER_KINDS:
        raise ValidationError({"end_user": [_("The end user is a state agency or private.")]})
    if (
        end_user_certificate.party_id != end_user.pk
        or end_user_certificate.kind != PartyDocumentKind.END_USER_CERTIFICATE
    ):
        raise ValidationError(
            {"end_user_certificate": [_("Name an end-user certificate of the end user.")]}
        )
    if not lines:
        raise ValidationError({"lines": [_("A transfer case needs at least one line.")]})
    seen = set()
    for line in lines:
        if line.storehouse.depot_id != depot.pk:
            raise ValidationError({"lines": [_("Every storehouse is one of the case's depot.")]})
        if line.quantity <= 0:
            raise ValidationError({"lines": [_("Quantities are whole units, more than zero.")]})
        key = (line.lot.pk, line.storehouse.pk)
        if key in seen:
            raise ValidationError({"lines": [_("Name each lot in each storehouse once.")]})
        seen.add(key)
    for _party, role in chain:
        if role not in PartyKind.values:
            raise ValidationError({"chain": [_("Not a role of a party.")]})
    states = [_check_country(state, "transit_states") for state in transit_states]
    _refuse_barred(_share_locked({consignee.pk, end_user.pk, *(p.pk for p, _role in chain)}))
    case = TransferCase(
        depot=depot,
        purpose=purpose,
        reference=reference.strip(),
        consignee=consignee,
        end_user=end_user,
        end_user_certificate=end_user_certificate,
        recipient=recipient or _recipient_for(consignee, created_by),
        destination_country=_check_country(destination_country, "destination_country"),
        transit_states=states,
        route=route.strip(),
        transport=transport.strip(),
        port_of_exit=port_of_exit.strip(),
        disposal_plan_reference=disposal_plan_reference.strip(),
        created_by=created_by,
    )
    case._history_user = created_by
    case.save()
    CaseLine.objects.bulk_create(
        CaseLine(case=case, lot=line.lot, storehouse=line.storehouse, quantity=line.quantity)
        for line in lines
    )
    CaseParty.objects.bulk_create(
        CaseParty(case=case, party=party, role=role) for party, role in _unique_roles(chain)
    )
    return case


def _unique_roles(chain):
    seen = set()
    return [
        (party, role)
        for party, role in chain
        if not ((party.pk, role) in seen or seen.add((party.pk, role)))
    ]


def _locked_case(case: TransferCase) -> TransferCase:
    return TransferCase.objects.select_for_update(of=("self",)).get(pk=case.pk)


@transaction.atomic
def transfer_case_cancel(*, case: TransferCase, cancelled_by: User) -> TransferCase:
    """Cancel a case that has not been dispatched (a dispatched one is undone by reversing its
    issue document)."""
    require(cancelled_by, Action.MANAGE_OVERSIGHT, case.depot_id)
    case = _locked_case(case)
    if case.status != CaseStatus.DRAFT:
        raise InvalidState(_("Only a case awaiting dispatch can be cancelled."))
    case.status = CaseStatus.CANCELLED
    case._history_user = cancelled_by
    case.save(update_fields=["status"])
    return case


@transaction.atomic
def transfer_case_dispatch(
    *, case: TransferCase, occurred_on: date, dispatched_by: User
) -> Document:
    """Dispatch a case: post an issue of its lines to the consignee's recipient.

    Refused, having written nothing, unless an approved risk assessment of this case is unexpired
    today (409 no_risk_assessment), no party of the case is suspended or denied (409
    party_not_permitted; the parties are share-locked so a status change waits for the dispatch)
    and the end-user certificate is valid on the dispatch date and not found inauthentic (409
    end_user_certificate_invalid); then the posting service's own checks apply (stock on hand,
    issuable lots, dates). Schedules the pre- and post-delivery verifications."""
    require(dispatched_by, Action.RECORD_MOVEMENT, case.depot_id)
    case = _locked_case(case)
    if case.status != CaseStatus.DRAFT:
        raise InvalidState(
            _("Case %(number)s is %(status)s.")
            % {"number": case.number, "status": case.get_status_display()}
        )
    today = timezone.localdate()
    approved = selectors.assessment_in_force(case=case, on=today)
    if approved is None:
        raise NoRiskAssessment(
            _("No approved, unexpired pre-transfer risk assessment covers case %(number)s.")
            % {"number": case.number}
        )
    party_ids = {case.consignee_id, case.end_user_id}
    party_ids.update(case.chain.values_list("party_id", flat=True))
    parties = _share_locked(party_ids)
    _refuse_barred(parties)
    certificate = PartyDocument.objects.get(pk=case.end_user_certificate_id)
    if not certificate.valid_on(occurred_on):
        raise EndUserCertificateInvalid(
            _("End-user certificate %(number)s is valid from %(start)s to %(end)s.")
            % {
                "number": certificate.number,
                "start": certificate.valid_from,
                "end": certificate.valid_until,
            }
        )
    if certificate.authentication_result == AuthenticationResult.NOT_AUTHENTIC:
        raise EndUserCertificateInvalid(
            _("End-user certificate %(number)s was found not authentic.")
            % {"number": certificate.number}
        )
    consignee = next(party for party in parties if party.pk == case.consignee_id)
    document = posting.issue_post(
        depot=Depot.objects.get(pk=case.depot_id),
        lines=[
            posting.Movement(line.lot_id, line.storehouse_id, line.quantity)
            for line in case.lines.all()
        ],
        recipient=Recipient.objects.get(pk=case.recipient_id),
        occurred_on=occurred_on,
        posted_by=dispatched_by,
        purpose=_("Transfer case %(number)s") % {"number": case.number},
        counterparty=consignee.name[:200],
        reference=case.number,
    )
    case.status = CaseStatus.DISPATCHED
    case.dispatch_document = document
    case.dispatched_by = dispatched_by
    case.dispatched_at = timezone.now()
    case._history_user = dispatched_by
    case.save(update_fields=["status", "dispatch_document", "dispatched_by", "dispatched_at"])
    values = policy_values()
    Verification.objects.bulk_create(
        Verification(
            case=case,
            kind=kind,
            due_on=occurred_on
            + timedelta(days=_policy_days(values, f"verification_{kind}_days", days)),
        )
        for kind, days in DEFAULT_VERIFICATION_DAYS.items()
    )
    return document


# --- Pre-transfer risk assessments ---------------------------------------------------------------


@transaction.atomic
def risk_assessment_create(*, case: TransferCase, author: User) -> RiskAssessment:
    """Start an assessment of a case against the checklist in force today."""
    require(author, Action.MANAGE_OVERSIGHT, case.depot_id)
    case = _locked_case(case)
    if case.status != CaseStatus.DRAFT:
        raise InvalidState(_("Only a case awaiting dispatch is assessed."))
    checklist = (
        ChecklistVersion.objects.filter(effective_from__lte=timezone.localdate())
        .order_by("-version")
        .first()
    )
    if checklist is None:
        raise InvalidState(_("No risk assessment checklist is in force."))
    assessment = RiskAssessment(case=case, checklist=checklist, author=author)
    assessment._history_user = author
    assessment.save()
    return assessment


def _locked_assessment(assessment: RiskAssessment) -> RiskAssessment:
    return RiskAssessment.objects.select_for_update().get(pk=assessment.pk)


def _require_draft(assessment: RiskAssessment) -> None:
    if assessment.status != AssessmentStatus.DRAFT:
        raise InvalidState(
            _("Assessment %(number)s is %(status)s.")
            % {"number": assessment.number, "status": assessment.get_status_display()}
        )


@transaction.atomic
def risk_answer_set(
    *,
    assessment: RiskAssessment,
    item: ChecklistItem,
    risk: str,
    evidence: str,
    answered_by: User,
    sources: str = "",
) -> RiskAnswer:
    """Answer one checklist item with a risk level, the evidence and its sources (the author of
    a draft assessment). Changing an answer clears an override recorded before it."""
    require(answered_by, Action.MANAGE_OVERSIGHT)
    assessment = _locked_assessment(assessment)
    _require_draft(assessment)
    if answered_by.pk != assessment.author_id:
        raise PermissionDenied(_("Only the author answers the assessment."))
    if item.checklist_id != assessment.checklist_id:
        raise ValidationError({"item": [_("Not an item of this assessment's checklist.")]})
    if risk not in RiskLevel.values:
        raise ValidationError({"risk": [_("Low, medium or high.")]})
    if not evidence.strip():
        raise ValidationError({"evidence": [_("Give the evidence for the risk level.")]})
    answer, _created = RiskAnswer.objects.update_or_create(
        assessment=assessment,
        item=item,
        defaults={
            "risk": risk,
            "evidence": evidence.strip(),
            "sources": sources.strip(),
            "answered_by": answered_by,
            "answered_at": timezone.now(),
        },
    )
    if assessment.override_by_id is not None:
        assessment.override_by = None
        assessment.override_at = None
        assessment.override_reason = ""
        assessment._history_user = answered_by
        assessment.save(update_fields=["override_by", "override_at", "override_reason"])
    return answer


@transaction.atomic
def risk_assessment_conclude(
    *, assessment: RiskAssessment, conclusion: str, user: User
) -> RiskAssessment:
    require(user, Action.MANAGE_OVERSIGHT)
    assessment = _locked_assessment(assessment)
    _require_draft(assessment)
    if user.pk != assessment.author_id:
        raise PermissionDenied(_("Only the author writes the conclusion."))
    assessment.conclusion = conclusion.strip()
    assessment._history_user = user
    assessment.save(update_fields=["conclusion"])
    return assessment


def _answers(assessment: RiskAssessment) -> tuple[list[str], int]:
    """The risk levels answered and the number of items left unanswered."""
    levels = list(assessment.answers.values_list("risk", flat=True))
    items = ChecklistItem.objects.filter(checklist_id=assessment.checklist_id).count()
    return levels, items - len(levels)


@transaction.atomic
def risk_assessment_override(
    *, assessment: RiskAssessment, reason: str, override_by: User
) -> RiskAssessment:
    """Record that a second officer (not the author) accepts the items rated high, with the
    reason (mitigation measures, a higher authority's decision). Approval still follows."""
    require(override_by, Action.MANAGE_OVERSIGHT, assessment.case.depot_id)
    assessment = _locked_assessment(assessment)
    _require_draft(assessment)
    if override_by.pk == assessment.author_id:
        raise SelfApproval(_("The override is recorded by an officer other than the author."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the override.")]})
    levels, _missing = _answers(assessment)
    if RiskLevel.HIGH not in levels:
        raise InvalidState(_("No item is rated high: there is nothing to override."))
    assessment.override_by = override_by
    assessment.override_at = timezone.now()
    assessment.override_reason = reason.strip()
    assessment._history_user = override_by
    assessment.save(update_fields=["override_by", "override_at", "override_reason"])
    return assessment


@transaction.atomic
def risk_assessment_approve(*, assessment: RiskAssessment, approved_by: User) -> RiskAssessment:
    """Approve an assessment (an officer other than its author, 409 self_approval). Every item is
    answered (409 assessment_incomplete); an item rated high needs a second officer's override
    first (409 high_risk_not_overridden). The approval expires after the policy's
    `risk_assessment_valid_days` (default 180)."""
    require(approved_by, Action.MANAGE_OVERSIGHT, assessment.case.depot_id)
    assessment = _locked_assessment(assessment)
    _require_draft(assessment)
    if approved_by.pk == assessment.author_id:
        raise SelfApproval(_("An assessment is approved by an officer other than its author."))
    case = _locked_case(assessment.case)
    if case.status != CaseStatus.DRAFT:
        raise InvalidState(_("Only a case awaiting dispatch is assessed."))
    levels, missing = _answers(assessment)
    if missing:
        raise AssessmentIncomplete(
            _("%(count)d items of the checklist are not answered.") % {"count": missing}
        )
    if rules.overall_risk(levels) == RiskLevel.HIGH and assessment.override_by_id is None:
        raise HighRiskNotOverridden(
            _("An item is rated high: a second officer records an override before approval.")
        )
    today = timezone.localdate()
    days = _policy_days(
        policy_values(), "risk_assessment_valid_days", DEFAULT_ASSESSMENT_VALID_DAYS
    )
    assessment.status = AssessmentStatus.APPROVED
    assessment.approved_by = approved_by
    assessment.approved_at = timezone.now()
    assessment.expires_on = today + timedelta(days=days)
    assessment._history_user = approved_by
    assessment.save(update_fields=["status", "approved_by", "approved_at", "expires_on"])
    return assessment


@transaction.atomic
def risk_assessment_withdraw(*, assessment: RiskAssessment, user: User) -> RiskAssessment:
    """Withdraw an assessment (draft or approved): it no longer covers its case."""
    require(user, Action.MANAGE_OVERSIGHT, assessment.case.depot_id)
    assessment = _locked_assessment(assessment)
    if assessment.status == AssessmentStatus.WITHDRAWN:
        raise InvalidState(_("The assessment is already withdrawn."))
    assessment.status = AssessmentStatus.WITHDRAWN
    assessment._history_user = user
    assessment.save(update_fields=["status"])
    return assessment


# --- Verifications -------------------------------------------------------------------------------


@transaction.atomic
def verification_schedule(
    *, case: TransferCase, kind: str, due_on: date, scheduled_by: User
) -> Verification:
    """Schedule one more check of a case (dispatch schedules the standard ones)."""
    require(scheduled_by, Action.MANAGE_OVERSIGHT, case.depot_id)
    if kind not in VerificationKind.values:
        raise ValidationError({"kind": [_("Not a kind of verification.")]})
    if case.status != CaseStatus.DISPATCHED:
        raise InvalidState(_("Checks are scheduled for a dispatched case."))
    if Document.objects.filter(reverses_id=case.dispatch_document_id).exists():
        raise InvalidState(_("The dispatch of this case was reversed: nothing to check."))
    verification = Verification(case=case, kind=kind, due_on=due_on)
    verification._history_user = scheduled_by
    verification.save()
    return verification


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
    if performed_on > timezone.localdate():
        raise ValidationError({"performed_on": [_("The date cannot be in the future.")]})
    if not evidence.strip():
        raise ValidationError({"evidence": [_("Give the evidence of the check.")]})
    verification.result = result
    verification.performed_on = performed_on
    verification.evidence = evidence.strip()
    verification.recorded_by = recorded_by
    verification.recorded_at = timezone.now()
    if result == VerificationResult.FAILED:
        verification.incident = _incident_for_failed(verification, recorded_by)
    verification._history_user = recorded_by
    verification.save()
    return verification


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
        verification._history_user = user
        verification.save()
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


# --- Tracing requests ----------------------------------------------------------------------------


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
    if found_on > timezone.localdate():
        raise ValidationError({"found_on": [_("The date cannot be in the future.")]})
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
    request._history_user = recorded_by
    request.save()
    return request


@transaction.atomic
def tracing_request_answer(
    *, tracing_request: TracingRequest, answer: str, answered_by: User
) -> TracingRequest:
    """Record (or amend) the answer sent to the requesting authority."""
    require(answered_by, Action.MANAGE_OVERSIGHT)
    if not answer.strip():
        raise ValidationError({"answer": [_("Write the answer.")]})
    tracing_request = TracingRequest.objects.select_for_update().get(pk=tracing_request.pk)
    tracing_request.answer = answer.strip()
    tracing_request.answered_by = answered_by
    tracing_request.answered_at = timezone.now()
    tracing_request._history_user = answered_by
    tracing_request.save()
    return tracing_request


# --- Training allocations ------------------------------------------------------------------------

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
