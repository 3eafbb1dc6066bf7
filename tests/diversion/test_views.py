"""The diversion pages: who sees what, and the forms driving the services."""

import pytest
from django.urls import reverse
from django.utils import timezone

from diversion import services
from diversion.models import ChecklistItem, Party, RiskAssessment, TransferCase, Verification

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatched(transfer, clerk, officer, officer2):
    case = transfer.case(officer)
    transfer.approved(case, officer, officer2)
    services.transfer_case_dispatch(
        case=case, occurred_on=timezone.localdate(), dispatched_by=clerk
    )
    services.tracing_request_record(
        reference="R1", requesting_authority="Police", context="seizure", lot_marking="ball",
        quantity=3, place="Market", found_on=timezone.localdate(), recorded_by=officer,
    )  # fmt: skip
    return case


def _pages(case, transfer):
    assessment = RiskAssessment.objects.filter(case=case).first()
    from diversion.models import TracingRequest

    return [
        reverse("diversion:party_list"),
        reverse("diversion:party_new"),
        reverse("diversion:party_detail", args=[transfer.end_user.pk]),
        reverse("diversion:assessment_detail", args=[assessment.pk]),
        reverse("diversion:verification_list"),
        reverse("diversion:trace") + "?lot_number=ball-7",
        reverse("diversion:tracing_request_list"),
        reverse("diversion:tracing_request_new"),
        reverse("diversion:tracing_request_detail", args=[TracingRequest.objects.get().pk]),
    ]


def test_every_page_renders_for_an_officer(client, dispatched, transfer, officer):
    client.force_login(officer)
    for url in [
        reverse("diversion:case_list"),
        reverse("diversion:case_new"),
        reverse("diversion:case_detail", args=[dispatched.pk]),
        *_pages(dispatched, transfer),
    ]:
        answer = client.get(url)
        assert answer.status_code == 200, url
    trace = client.get(reverse("diversion:trace"), {"lot_number": "BALL-7"}).content.decode()
    assert dispatched.number in trace
    assert "Ministry of Defence of Kenya" in trace


def test_clerks_see_their_cases_but_not_the_register(client, dispatched, transfer, clerk):
    client.force_login(clerk)
    for url in _pages(dispatched, transfer):
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("diversion:case_new")).status_code == 403
    listed = client.get(reverse("diversion:case_list")).content.decode()
    assert dispatched.number in listed
    detail = client.get(reverse("diversion:case_detail", args=[dispatched.pk])).content.decode()
    assert "Pre-transfer risk assessments" not in detail
    assert "Register of parties" not in detail


def test_auditors_read_pages_but_get_no_forms(client, dispatched, transfer, auditor):
    client.force_login(auditor)
    for url in _pages(dispatched, transfer):
        if url.endswith("/new/"):
            assert client.get(url).status_code == 403, url
        else:
            assert client.get(url).status_code == 200, url
    answer = client.post(
        reverse("diversion:party_detail", args=[transfer.broker.pk]),
        {"form": "status", "status": "denied", "status_reason": "x"},
    )
    assert answer.status_code == 403
    assert Party.objects.get(pk=transfer.broker.pk).status == "pending"
    check = Verification.objects.filter(case=dispatched).first()
    answer = client.post(
        reverse("diversion:verification_record", args=[check.pk]),
        {"result": "failed", "performed_on": timezone.localdate().isoformat(), "evidence": "x"},
    )
    assert answer.status_code == 403
    check.refresh_from_db()
    assert check.result == "pending"


def test_an_officer_opens_a_case_from_the_form(client, transfer, officer):
    client.force_login(officer)
    w = transfer.world
    data = {
        "depot": w.depot_a.pk, "purpose": "sale", "consignee": transfer.end_user.pk,
        "end_user": transfer.end_user.pk, "end_user_certificate": transfer.certificate.pk,
        "destination_country": "ke", "transit_states": "tz, ug", "route": "", "transport": "",
        "port_of_exit": "Mombasa", "reference": "", "disposal_plan_reference": "",
        "chain": [transfer.broker.pk, transfer.carrier.pk],
        "lines-TOTAL_FORMS": "5", "lines-INITIAL_FORMS": "0",
        "lines-0-lot_number": "ball-7", "lines-0-storehouse": w.sh2.pk, "lines-0-quantity": "12",
    }  # fmt: skip
    answer = client.post(reverse("diversion:case_new"), data)
    case = TransferCase.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("diversion:case_detail", args=[case.pk])
    assert (case.destination_country, case.transit_states) == ("KE", ["TZ", "UG"])
    assert [(line.lot_id, line.quantity) for line in case.lines.all()] == [(transfer.lot.pk, 12)]
    assert sorted(case.chain.values_list("role", flat=True)) == ["broker", "vessel"]

    # A lot not held there: the form keeps what was typed and says why.
    data["lines-0-lot_number"] = "NOPE-1"
    answer = client.post(reverse("diversion:case_new"), data)
    assert answer.status_code == 200
    assert "No single lot NOPE-1 is held in SH2." in answer.content.decode()
    assert TransferCase.objects.count() == 1


def test_the_assessment_page_drives_answers_override_and_approval(
    client, transfer, officer, officer2
):
    case = transfer.case(officer)
    client.force_login(officer)
    answer = client.post(reverse("diversion:case_action", args=[case.pk, "assess"]))
    assessment = RiskAssessment.objects.get()
    url = reverse("diversion:assessment_detail", args=[assessment.pk])
    assert answer["Location"] == url
    for item in ChecklistItem.objects.filter(checklist=assessment.checklist):
        prefix = f"item-{item.pk}"
        client.post(url, {
            "action": "answer", "item": item.pk, f"{prefix}-risk": "high" if item.position == 6
            else "low", f"{prefix}-evidence": "Seen", f"{prefix}-sources": "",
        })  # fmt: skip
    assert assessment.answers.count() == 10
    refused = client.post(url, {"action": "approve"})
    assert refused.status_code == 200  # shown, with the reason, nothing approved
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    client.force_login(officer2)
    page = client.post(url, {"action": "approve"}, follow=True).content.decode()
    assert "a second officer records an override" in page
    client.post(url, {"action": "override", "reason": "Escort"})
    client.post(url, {"action": "approve"})
    assessment.refresh_from_db()
    assert (assessment.status, assessment.approved_by, assessment.override_by) == (
        "approved", officer2, officer2,
    )  # fmt: skip


def test_administrators_add_a_checklist_version_but_cannot_change_one_in_use(
    client, transfer, officer, admin_user
):
    from diversion.models import ChecklistVersion

    version = ChecklistVersion.objects.get(version=1)
    client.force_login(admin_user)
    change = reverse("admin:diversion_checklistversion_change", args=[version.pk])
    assert client.get(change).status_code == 200
    assert 'name="items-0-question"' in client.get(change).content.decode()  # editable
    services.risk_assessment_create(case=transfer.case(officer), author=officer)
    page = client.get(change).content.decode()
    assert 'name="items-0-question"' not in page  # answered by an assessment: view only
    assert client.get(reverse("admin:diversion_checklistversion_add")).status_code == 200


def test_an_officer_keeps_a_party_up_to_date_with_history(client, transfer, officer):
    client.force_login(officer)
    url = reverse("diversion:party_detail", args=[transfer.carrier.pk])
    details = {
        "form": "details",
        "name": "MV Example II",
        "country": "pa",
        "identifiers": "IMO: 9074729\ncall sign: HO1234",
        "address": "",
    }
    client.post(url, details)
    suspend = {"form": "status", "status": "suspended", "status_reason": "", "status_source": ""}
    refused = client.post(url, suspend)
    assert "Say why the party has this status." in refused.content.decode()
    client.post(
        url, {**suspend, "status_reason": "Flag state query", "status_source": "Port authority"}
    )
    party = Party.objects.get(pk=transfer.carrier.pk)
    assert (party.name, party.country, party.status) == ("MV Example II", "PA", "suspended")
    assert party.identifiers == {"IMO": "9074729", "call sign": "HO1234"}
    page = client.get(url).content.decode()
    assert "status: pending → suspended" in page
    assert "name: MV Example → MV Example II" in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_recording_a_check_refuses_an_off_site_return_and_records_nothing(
    client, dispatched, officer, target
):
    client.force_login(officer)
    check = Verification.objects.filter(case=dispatched).first()
    answer = client.post(
        reverse("diversion:verification_record", args=[check.pk]),
        {
            "result": "passed",
            "performed_on": timezone.localdate().isoformat(),
            "evidence": "Seen",
            "next": target,
        },
    )
    assert answer.status_code == 400
    check.refresh_from_db()
    assert check.result == "pending"


def test_recording_a_check_returns_to_a_page_of_this_site(client, dispatched, officer):
    client.force_login(officer)
    check = Verification.objects.filter(case=dispatched).first()
    back = reverse("diversion:case_detail", args=[dispatched.pk])
    answer = client.post(
        reverse("diversion:verification_record", args=[check.pk]),
        {
            "result": "passed",
            "performed_on": timezone.localdate().isoformat(),
            "evidence": "Seen",
            "next": back,
        },
    )
    assert answer.status_code == 302
    assert answer["Location"] == back
    check.refresh_from_db()
    assert check.result == "passed"
