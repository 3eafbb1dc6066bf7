"""The diversion API: the whole cycle, 409 codes with nothing written, roles and scope."""

from datetime import timedelta

import pytest
from django.utils import timezone

from diversion.models import ChecklistItem, Party, TransferCase
from inventory.models import Document

pytestmark = pytest.mark.django_db

API = "/api/v1/"


def _case_body(transfer, **extra):
    w = transfer.world
    return {
        "depot": w.depot_a.pk,
        "purpose": "export",
        "consignee": transfer.end_user.pk,
        "end_user": transfer.end_user.pk,
        "end_user_certificate": transfer.certificate.pk,
        "destination_country": "KE",
        "transit_states": ["TZ"],
        "route": "Road, then sea",
        "transport": "MV Example",
        "lines": [{"lot": transfer.lot.pk, "storehouse": w.sh2.pk, "quantity": 25}],
        "chain": [{"party": transfer.broker.pk, "role": "broker"}],
        **extra,
    }


def test_the_cycle_over_the_api(api_as, transfer, clerk, officer, officer2, auditor):
    as_officer, as_officer2, as_clerk = api_as(officer), api_as(officer2), api_as(clerk)
    created = as_officer.post(f"{API}transfer-cases/", _case_body(transfer), format="json")
    assert created.status_code == 201, created.content
    case = created.json()
    assert case["number"] == f"TC-{case['id']:05d}"
    assert case["status"] == "draft"
    assert case["lines"][0]["lot_number"] == "BALL-7"
    assert case["chain"] == [
        {"party": transfer.broker.pk, "role": "broker", "name": "Brokerage Ltd",
         "country": "GB", "status": "pending"}
    ]  # fmt: skip
    today = timezone.localdate().isoformat()
    refused = as_clerk.post(
        f"{API}transfer-cases/{case['id']}/dispatch/", {"occurred_on": today}, format="json"
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "no_risk_assessment"

    started = as_officer.post(f"{API}risk-assessments/", {"case": case["id"]}, format="json")
    assert started.status_code == 201, started.content
    assessment = started.json()
    assert len(assessment["answers"]) == 10
    assert assessment["overall_risk"] is None
    for row in assessment["answers"]:
        answered = as_officer.post(
            f"{API}risk-assessments/{assessment['id']}/answers/",
            {"item": row["item"], "risk": "medium", "evidence": "Seen", "sources": "Embassy"},
            format="json",
        )
        assert answered.status_code == 200, answered.content
    assert answered.json()["overall_risk"] == "medium"
    assert answered.json()["answered"] == 10
    self_approved = as_officer.post(f"{API}risk-assessments/{assessment['id']}/approve/")
    assert self_approved.status_code == 409
    assert self_approved.json()["code"] == "self_approval"
    approved = as_officer2.post(f"{API}risk-assessments/{assessment['id']}/approve/")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == "officer2"

    dispatched = as_clerk.post(
        f"{API}transfer-cases/{case['id']}/dispatch/", {"occurred_on": today}, format="json",
        HTTP_IDEMPOTENCY_KEY="dispatch-1",
    )  # fmt: skip
    assert dispatched.status_code == 200, dispatched.content
    assert dispatched.json()["status"] == "dispatched"
    assert dispatched.json()["dispatch_document_number"].startswith("DA-")
    again = as_clerk.post(
        f"{API}transfer-cases/{case['id']}/dispatch/", {"occurred_on": today}, format="json",
        HTTP_IDEMPOTENCY_KEY="dispatch-1",
    )  # fmt: skip
    assert again.json() == dispatched.json()

    verifications = api_as(auditor).get(f"{API}verifications/", {"case": case["id"]}).json()
    assert verifications["count"] == 5
    trace = api_as(auditor).get(f"{API}trace/", {"lot_number": "ball-7"})
    assert trace.status_code == 200
    (lot,) = trace.json()["lots"]
    assert set(lot) >= {"id", "lot_number", "ammunition_type", "balances", "events"}
    assert set(lot["events"][0]) >= {
        "document", "kind", "occurred_on", "depot", "storehouse", "quantity", "party",
    }  # fmt: skip
    assert [(e["kind"], e["quantity"]) for e in lot["events"]] == [
        ("receipt", 100),
        ("issue", -25),
    ]
    assert lot["events"][1]["transfer_case"]["number"] == case["number"]
    assert lot["balances"] == [{"depot": "DA", "storehouse": "SH2", "quantity": 75}]


def test_party_not_permitted_over_the_api_writes_nothing(api_as, transfer, officer):
    as_officer = api_as(officer)
    denied = as_officer.patch(
        f"{API}parties/{transfer.broker.pk}/",
        {"status": "denied", "status_reason": "Unlicensed broker", "status_source": "Registry"},
        format="json",
    )
    assert denied.status_code == 200, denied.content
    assert denied.json()["status"] == "denied"
    refused = as_officer.post(f"{API}transfer-cases/", _case_body(transfer), format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "party_not_permitted"
    assert not TransferCase.objects.exists()
    history = as_officer.get(f"{API}parties/{transfer.broker.pk}/history/").json()
    assert history[0]["user"] == "officer"
    assert history[0]["changes"]["status"] == ["pending", "denied"]
    assert history[0]["changes"]["status_reason"] == ["", "Unlicensed broker"]


def test_a_status_needs_its_reason(api_as, transfer, officer):
    answer = api_as(officer).patch(
        f"{API}parties/{transfer.broker.pk}/", {"status": "suspended"}, format="json"
    )
    assert answer.status_code == 400
    assert "status_reason" in answer.json()
    assert Party.objects.get(pk=transfer.broker.pk).status == "pending"


def test_expired_certificate_over_the_api(api_as, transfer, clerk, officer, officer2):
    case = transfer.case(officer)
    transfer.approved(case, officer, officer2)
    transfer.certificate.__class__.objects.filter(pk=transfer.certificate.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    before = Document.objects.count()
    refused = api_as(clerk).post(
        f"{API}transfer-cases/{case.pk}/dispatch/",
        {"occurred_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "end_user_certificate_invalid"
    assert Document.objects.count() == before


REGISTER = ["parties/", "party-documents/", "risk-assessments/", "verifications/",
            "tracing-requests/"]  # fmt: skip


def test_clerks_see_neither_the_register_nor_assessments(api_as, transfer, clerk, officer):
    case = transfer.case(officer)
    as_clerk = api_as(clerk)
    for path in REGISTER:
        assert as_clerk.get(f"{API}{path}").status_code == 403, path
    assert as_clerk.get(f"{API}trace/", {"lot_number": "BALL"}).status_code == 403
    assert as_clerk.get(f"{API}parties/{transfer.end_user.pk}/").status_code == 403
    # The case to dispatch: yes, in their depot.
    listed = as_clerk.get(f"{API}transfer-cases/").json()["results"]
    assert [row["id"] for row in listed] == [case.pk]
    created = as_clerk.post(f"{API}transfer-cases/", _case_body(transfer), format="json")
    assert created.status_code == 403


def test_a_clerk_of_another_depot_does_not_see_the_case(api_as, transfer, clerk_b, officer):
    case = transfer.case(officer)
    as_clerk_b = api_as(clerk_b)
    assert as_clerk_b.get(f"{API}transfer-cases/").json()["results"] == []
    assert as_clerk_b.get(f"{API}transfer-cases/{case.pk}/").status_code == 404
    answer = as_clerk_b.post(
        f"{API}transfer-cases/{case.pk}/dispatch/",
        {"occurred_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert answer.status_code == 404


def test_auditors_read_everything_and_change_nothing(api_as, transfer, officer, auditor):
    case = transfer.case(officer)
    assessment_id = (
        api_as(officer)
        .post(f"{API}risk-assessments/", {"case": case.pk}, format="json")
        .json()["id"]
    )
    as_auditor = api_as(auditor)
    for path in [*REGISTER, "transfer-cases/"]:
        assert as_auditor.get(f"{API}{path}").status_code == 200, path
    assert as_auditor.get(f"{API}risk-assessments/{assessment_id}/").status_code == 200
    item = ChecklistItem.objects.first()
    writes = [
        ("post", "parties/", {"kind": "broker", "name": "X", "country": "FR"}),
        ("patch", f"parties/{transfer.broker.pk}/", {"name": "Y"}),
        ("post", "party-documents/", {
            "party": transfer.broker.pk, "kind": "licence", "number": "1", "issuer": "X",
            "valid_from": "2026-01-01", "valid_until": "2026-12-31"}),
        ("post", f"party-documents/{transfer.certificate.pk}/authenticate/",
         {"result": "authentic", "method": "phone"}),
        ("post", "transfer-cases/", _case_body(transfer)),
        ("post", f"transfer-cases/{case.pk}/cancel/", {}),
        ("post", "risk-assessments/", {"case": case.pk}),
        ("post", f"risk-assessments/{assessment_id}/answers/",
         {"item": item.pk, "risk": "low", "evidence": "x"}),
        ("post", f"risk-assessments/{assessment_id}/approve/", {}),
        ("post", "tracing-requests/", {
            "reference": "R", "requesting_authority": "Police", "context": "seizure",
            "lot_marking": "BALL", "quantity": 1, "place": "X", "found_on": "2026-01-01"}),
    ]  # fmt: skip
    for method, path, body in writes:
        answer = getattr(as_auditor, method)(f"{API}{path}", body, format="json")
        assert answer.status_code == 403, (path, answer.content)
    assert Party.objects.filter(name__in=["X", "Y"]).count() == 0
    assert TransferCase.objects.get().status == "draft"


def test_the_register_is_searched_by_name_or_identifier(api_as, transfer, auditor):
    as_auditor = api_as(auditor)
    by_imo = as_auditor.get(f"{API}parties/", {"q": "9074729"}).json()
    assert [row["name"] for row in by_imo["results"]] == ["MV Example"]
    by_name = as_auditor.get(f"{API}parties/", {"q": "kenya"}).json()
    assert [row["name"] for row in by_name["results"]] == ["Ministry of Defence of Kenya"]
    vessels = as_auditor.get(f"{API}parties/", {"kind": "vessel"}).json()
    assert vessels["count"] == 1
    assert vessels["results"][0]["identifiers"] == {"IMO": "9074729"}
