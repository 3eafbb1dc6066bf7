"""Pre-transfer risk assessments: a checklist answered, concluded, overridden, or approved by
another officer."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import SelfApproval
from core.history import history_save
from core.roles import Action
from core.scoping import require
from diversion import rules
from diversion.errors import AssessmentIncomplete, HighRiskNotOverridden
from diversion.models import (
    AssessmentStatus,
    CaseStatus,
    ChecklistItem,
    ChecklistVersion,
    RiskAnswer,
    RiskAssessment,
    RiskLevel,
    TransferCase,
)
from diversion.services.cases import _locked_case
from diversion.services.common import (
    DEFAULT_ASSESSMENT_VALID_DAYS,
    _check_choice,
    _check_given,
    _policy_days,
)
from inventory.errors import InvalidState
from inventory.policy import policy_values
from inventory.services.states import status_require


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
    return history_save(assessment, by=author)


def _locked_assessment(assessment: RiskAssessment) -> RiskAssessment:
    return RiskAssessment.objects.select_for_update().get(pk=assessment.pk)


def _require_draft(assessment: RiskAssessment) -> None:
    status_require(assessment, [AssessmentStatus.DRAFT], _("Assessment %(number)s is %(status)s."))


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
    _check_choice(risk, RiskLevel, "risk", _("Low, medium or high."))
    _check_given(evidence, "evidence", _("Give the evidence for the risk level."))
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
        history_save(
            assessment,
            by=answered_by,
            update_fields=["override_by", "override_at", "override_reason"],
        )
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
    return history_save(assessment, by=user, update_fields=["conclusion"])


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
    _check_given(reason, "reason", _("Give the reason for the override."))
    levels, _missing = _answers(assessment)
    if RiskLevel.HIGH not in levels:
        raise InvalidState(_("No item is rated high: there is nothing to override."))
    assessment.override_by = override_by
    assessment.override_at = timezone.now()
    assessment.override_reason = reason.strip()
    return history_save(
        assessment, by=override_by, update_fields=["override_by", "override_at", "override_reason"]
    )


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
    return history_save(
        assessment,
        by=approved_by,
        update_fields=["status", "approved_by", "approved_at", "expires_on"],
    )


@transaction.atomic
def risk_assessment_withdraw(*, assessment: RiskAssessment, user: User) -> RiskAssessment:
    """Withdraw an assessment (draft or approved): it no longer covers its case."""
    require(user, Action.MANAGE_OVERSIGHT, assessment.case.depot_id)
    assessment = _locked_assessment(assessment)
    if assessment.status == AssessmentStatus.WITHDRAWN:
        raise InvalidState(_("The assessment is already withdrawn."))
    assessment.status = AssessmentStatus.WITHDRAWN
    return history_save(assessment, by=user, update_fields=["status"])
