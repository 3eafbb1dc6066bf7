"""The dispatch gate: an approved, unexpired assessment, no barred party, a valid end-user
certificate; then the posting service's issue. A refusal writes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import SelfApproval
from diversion import services
from diversion.errors import (
    AssessmentIncomplete,
    EndUserCertificateInvalid,
    HighRiskNotOverridden,
    NoRiskAssessment,
    PartyNotPermitted,
)
from diversion.models import (
    CaseStatus,
    ChecklistItem,
    PartyDocument,
    RiskAssessment,
    TransferCase,
    Verification,
)
from inventory.errors import InsufficientStock, InvalidState
from inventory.models import Balance, Document, Recipient

pytestmark = pytest.mark.django_db


def _documents():
    return Document.objects.count()


def _nothing_written(case, documents_before):
    assert _documents() == documents_before
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    assert case.dispatch_document is None
    assert not Verification.objects.filter(case=case).exists()


def test_dispatch_posts_an_issue_to_the_consignee(transfer, clerk, officer, officer2):
    case = transfer.case(officer)
    transfer.approved(case, officer, officer2)
    today = timezone.localdate()
    document = services.transfer_case_dispatch(case=case, occurred_on=today, dispatched_by=clerk)
    assert document.kind == "issue"
    assert document.reference == case.number
    assert document.recipient == Recipient.objects.get(code=f"PARTY-{transfer.end_user.pk}")
    assert document.recipient.kind == "foreign_state"
    assert [(line.lot_id, line.quantity) for line in document.lines.all()] == [
        (transfer.lot.pk, -40)
    ]
    assert Balance.objects.get(lot=transfer.lot, storehouse=transfer.world.sh2).quantity == 60
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
    assert case.dispatch_document == document
    assert case.dispatched_by == clerk
    assert sorted(
        (v.kind, (v.due_on - today).days) for v in Verification.objects.filter(case=case)
    ) == [
        ("delivery_certificate", 30),
        ("end_use_check", 180),
        ("physical_inspection", 90),
        ("pre_delivery", 7),
        ("stockpile_check", 365),
    ]
    with pytest.raises(InvalidState):
        services.transfer_case_dispatch(case=case, occurred_on=today, dispatched_by=clerk)
    assert Balance.objects.get(lot=transfer.lot, storehouse=transfer.world.sh2).quantity == 60


def test_dispatch_refused_without_an_approved_assessment(transfer, clerk, officer, officer2):
    case = transfer.case(officer)
    before = _documents()
    today = timezone.localdate()
    with pytest.raises(NoRiskAssessment) as refused:
        services.transfer_case_dispatch(case=case, occurred_on=today, dispatched_by=clerk)
    assert refused.value.code == "no_risk_assessment"
    _nothing_written(case, before)

    draft = services.risk_assessment_create(case=case, author=officer)
    with pytest.raises(NoRiskAssessment):
        services.transfer_case_dispatch(case=case, occurred_on=today, dispatched_by=clerk)
    _nothing_written(case, before)

    # An approval of another case does not cover this one.
    other = transfer.case(officer, quantity=1)
    transfer.approved(other, officer, officer2)
    with pytest.raises(NoRiskAssessment):
        services.transfer_case_dispatch(case=case, occurred_on=today, dispatched_by=clerk)
    _nothing_written(case, before)
    assert draft.status == "draft"


def test_dispatch_refused_once_the_approval_expired(transfer, clerk, officer, officer2):
    case = transfer.case(officer)
    assessment = transfer.approved(case, officer, officer2)
    today = timezone.localdate()
    assert assessment.expires_on == today + timedelta(days=180)
    RiskAssessment.objects.filter(pk=assessment.pk).update(expires_on=today - timedelta(days=1))
    before = _documents()
    with pytest.raises(NoRiskAssessment):
        services.transfer_case_dispatch(case=case, occurred_on=today, dispatched_by=clerk)
    _nothing_written(case, before)

    services.risk_assessment_withdraw(assessment=assessment, user=officer)
    RiskAssessment.objects.filter(pk=assessment.pk).update(expires_on=today)
    with pytest.raises(NoRiskAssessment):  # withdrawn
        services.transfer_case_dispatch(case=case, occurred_on=today, dispatched_by=clerk)
    _nothing_written(case, before)


@pytest.mark.parametrize("status", ["denied", "suspended"])
def test_dispatch_refused_with_a_barred_party(transfer, clerk, officer, officer2, status):
    case = transfer.case(officer)
    transfer.approved(case, officer, officer2)
    services.party_update(
        party=transfer.broker, changed_by=officer, status=status,
        status_reason="Named in a UN panel report", status_source="S/2026/123",
    )  # fmt: skip
    before = _documents()
    with pytest.raises(PartyNotPermitted) as refused:
        services.transfer_case_dispatch(
            case=case, occurred_on=timezone.localdate(), dispatched_by=clerk
        )
    assert refused.value.code == "party_not_permitted"
    assert refused.value.extra == {"parties": [transfer.broker.pk]}
    _nothing_written(case, before)


def test_a_barred_party_cannot_appear_on_a_new_case(transfer, officer):
    services.party_update(
        party=transfer.carrier, changed_by=officer, status="denied",
        status_reason="False flag", status_source="Port authority",
    )  # fmt: skip
    with pytest.raises(PartyNotPermitted):
        transfer.case(officer)
    assert not TransferCase.objects.exists()


def test_dispatch_refused_with_an_expired_end_user_certificate(transfer, clerk, officer, officer2):
    case = transfer.case(officer)
    transfer.approved(case, officer, officer2)
    today = timezone.localdate()
    PartyDocument.objects.filter(pk=transfer.certificate.pk).update(
        valid_until=today - timedelta(days=1)
    )
    before = _documents()
    with pytest.raises(EndUserCertificateInvalid) as refused:
        services.transfer_case_dispatch(case=case, occurred_on=today, dispatched_by=clerk)
    assert refused.value.code == "end_user_certificate_invalid"
    _nothing_written(case, before)


def test_dispatch_refused_with_a_certificate_found_not_authentic(
    transfer, clerk, officer, officer2
):
    case = transfer.case(officer)
    transfer.approved(case, officer, officer2)
    services.party_document_authenticate(
        document=transfer.certificate, result="not_authentic",
        method="The ministry denies issuing it", authenticated_by=officer2,
    )  # fmt: skip
    before = _documents()
    with pytest.raises(EndUserCertificateInvalid):
        services.transfer_case_dispatch(
            case=case, occurred_on=timezone.localdate(), dispatched_by=clerk
        )
    _nothing_written(case, before)


def test_the_posting_services_refusals_still_apply(transfer, clerk, officer, officer2):
    case = transfer.case(officer, quantity=101)
    transfer.approved(case, officer, officer2)
    before = _documents()
    with pytest.raises(InsufficientStock):
        services.transfer_case_dispatch(
            case=case, occurred_on=timezone.localdate(), dispatched_by=clerk
        )
    _nothing_written(case, before)


def test_only_a_clerk_of_the_depot_dispatches(transfer, clerk_b, officer, officer2, auditor):
    case = transfer.case(officer)
    transfer.approved(case, officer, officer2)
    for user in (clerk_b, auditor, officer):
        with pytest.raises(PermissionDenied):
            services.transfer_case_dispatch(
                case=case, occurred_on=timezone.localdate(), dispatched_by=user
            )


# --- Assessment rules ----------------------------------------------------------------------------


def _answer_all(assessment, author, risk="low", high_code=None):
    for item in ChecklistItem.objects.filter(checklist=assessment.checklist):
        services.risk_answer_set(
            assessment=assessment, item=item,
            risk="high" if item.code == high_code else risk,
            evidence="Seen.", sources="Embassy", answered_by=author,
        )  # fmt: skip


def test_self_approval_is_refused(transfer, officer):
    case = transfer.case(officer)
    assessment = services.risk_assessment_create(case=case, author=officer)
    _answer_all(assessment, officer)
    with pytest.raises(SelfApproval):
        services.risk_assessment_approve(assessment=assessment, approved_by=officer)
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    assert assessment.approved_by is None


def test_an_incomplete_assessment_is_not_approved(transfer, officer, officer2):
    case = transfer.case(officer)
    assessment = services.risk_assessment_create(case=case, author=officer)
    item = ChecklistItem.objects.filter(checklist=assessment.checklist).first()
    services.risk_answer_set(
        assessment=assessment, item=item, risk="low", evidence="Seen.", answered_by=officer
    )
    with pytest.raises(AssessmentIncomplete):
        services.risk_assessment_approve(assessment=assessment, approved_by=officer2)


def test_a_high_item_needs_a_second_officers_override(transfer, officer, officer2):
    case = transfer.case(officer)
    assessment = services.risk_assessment_create(case=case, author=officer)
    _answer_all(assessment, officer, high_code="ammunition-nature")
    with pytest.raises(HighRiskNotOverridden):
        services.risk_assessment_approve(assessment=assessment, approved_by=officer2)
    with pytest.raises(SelfApproval):
        services.risk_assessment_override(
            assessment=assessment, reason="I accept it", override_by=officer
        )
    assessment.refresh_from_db()
    assert assessment.override_by is None
    services.risk_assessment_override(
        assessment=assessment, reason="Marking and escort agreed", override_by=officer2
    )
    # Changing an answer afterwards clears the override: it was given for other answers.
    item = ChecklistItem.objects.get(checklist=assessment.checklist, code="route-risk")
    services.risk_answer_set(
        assessment=assessment, item=item, risk="high", evidence="Piracy", answered_by=officer
    )
    assessment.refresh_from_db()
    assert assessment.override_by is None
    with pytest.raises(HighRiskNotOverridden):
        services.risk_assessment_approve(assessment=assessment, approved_by=officer2)
    services.risk_assessment_override(
        assessment=assessment, reason="Naval escort", override_by=officer2
    )
    approved = services.risk_assessment_approve(assessment=assessment, approved_by=officer2)
    assert approved.status == "approved"
    assert approved.override_by == officer2
    assert approved.override_reason == "Naval escort"


def test_only_the_author_answers(transfer, officer, officer2):
    case = transfer.case(officer)
    assessment = services.risk_assessment_create(case=case, author=officer)
    item = ChecklistItem.objects.filter(checklist=assessment.checklist).first()
    with pytest.raises(PermissionDenied):
        services.risk_answer_set(
            assessment=assessment, item=item, risk="low", evidence="x", answered_by=officer2
        )


def test_the_seed_checklist_has_the_reports_elements(checklist):
    codes = list(
        ChecklistItem.objects.filter(checklist__version=1)
        .order_by("position")
        .values_list("code", flat=True)
    )
    assert codes == [
        "party-credibility",
        "documents-authentic",
        "route-risk",
        "state-controls",
        "political-stability",
        "ammunition-nature",
        "pre-delivery-verification",
        "post-delivery-verification",
        "customs-communication",
        "mitigation",
    ]


def test_dispatch_of_an_expired_lot_is_refused_and_writes_nothing(
    transfer, clerk, officer, officer2
):
    """A transfer case posts an issue: an expired lot is not issued (409 `lot_expired`, DESIGN.md
    §6), to another state no more than to a unit."""
    from inventory.errors import LotExpired
    from inventory.models import Lot

    case = transfer.case(officer)
    transfer.approved(case, officer, officer2)
    today = timezone.localdate()
    Lot.objects.filter(pk=transfer.lot.pk).update(expires_on=today - timedelta(days=1))
    before = _documents()
    with pytest.raises(LotExpired):
        services.transfer_case_dispatch(case=case, occurred_on=today, dispatched_by=clerk)
    _nothing_written(case, before)
