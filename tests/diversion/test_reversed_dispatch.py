"""A reversed dispatch: its pending checks are cancelled naming the reversal, its
verification_overdue alert is resolved, and the sweep no longer raises it."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert, AlertKind
from alerts.sweep import SweepContext, run_detectors
from diversion import services
from diversion.models import Verification
from inventory.errors import InvalidState
from inventory.services.reversals import document_reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatched(transfer, clerk, officer, officer2):
    case = transfer.case(officer)
    transfer.approved(case, officer, officer2)
    services.transfer_case_dispatch(
        case=case, occurred_on=timezone.localdate(), dispatched_by=clerk
    )
    case.refresh_from_db()
    return case


def _sweep(days_ahead):
    ctx = SweepContext(today=timezone.localdate() + timedelta(days=days_ahead), policy={})
    return run_detectors([AlertKind.VERIFICATION_OVERDUE], ctx=ctx)


def _open_alerts():
    return Alert.objects.filter(kind="verification_overdue", resolved_at__isnull=True)


def _states(case):
    return sorted(case.verifications.values_list("kind", "result"))


def test_cancelling_the_checks_of_a_reversed_dispatch_resolves_its_alert(
    dispatched, clerk, officer
):
    # A pre-delivery check passed; the others pending; one overdue (an alert).
    services.verification_record(
        verification=dispatched.verifications.get(kind="pre_delivery"), result="passed",
        performed_on=timezone.localdate(), evidence="Seen at the port", recorded_by=officer,
    )  # fmt: skip
    dispatched.verifications.filter(kind="delivery_certificate").update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    assert _sweep(0)["verification_overdue.raised"] == 1
    # Not reversed yet: refused, nothing changes.
    before = _states(dispatched)
    with pytest.raises(InvalidState):
        services.transfer_case_dispatch_reversed(case=dispatched, user=officer)
    assert _states(dispatched) == before
    reversal = document_reverse(
        document=dispatched.dispatch_document, reason="Vessel did not sail", posted_by=clerk
    )
    cancelled = services.transfer_case_dispatch_reversed(case=dispatched, user=clerk)
    assert len(cancelled) == 4
    rows = dispatched.verifications.exclude(kind="pre_delivery")
    assert {v.result for v in rows} == {"cancelled"}
    assert {v.cancelled_by_reversal_id for v in rows} == {reversal.pk}
    number = dispatched.dispatch_document.number
    assert (
        rows[0].evidence == f"Dispatch {number} reversed by {reversal.number}: Vessel did not sail"
    )
    assert dispatched.verifications.get(kind="pre_delivery").result == "passed"
    assert not _open_alerts().exists()
    # The sweep does not raise it again, even far in the future; cancelling again does nothing.
    assert _sweep(400)["verification_overdue.raised"] == 0
    assert services.transfer_case_dispatch_reversed(case=dispatched, user=officer) == []
    # A cancelled check takes no result, and no check is scheduled on a reversed dispatch.
    with pytest.raises(InvalidState, match="cancelled"):
        services.verification_record(
            verification=rows[0], result="passed", performed_on=timezone.localdate(),
            evidence="x", recorded_by=officer,
        )  # fmt: skip
    with pytest.raises(InvalidState, match="reversed"):
        services.verification_schedule(
            case=dispatched, kind="end_use_check", due_on=timezone.localdate(),
            scheduled_by=officer,
        )  # fmt: skip


def test_the_sweep_resolves_the_alert_of_a_reversed_dispatch_on_its_own(dispatched, clerk):
    dispatched.verifications.filter(kind="pre_delivery").update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    assert _sweep(0)["verification_overdue.raised"] == 1
    document_reverse(document=dispatched.dispatch_document, reason="Wrong lot", posted_by=clerk)
    assert _sweep(0)["verification_overdue.resolved"] == 1
    assert not _open_alerts().exists()


def test_others_may_not_cancel_the_checks(dispatched, clerk, clerk_b, auditor):
    document_reverse(document=dispatched.dispatch_document, reason="Wrong lot", posted_by=clerk)
    for user in (clerk_b, auditor):
        with pytest.raises(PermissionDenied):
            services.transfer_case_dispatch_reversed(case=dispatched, user=user)
    assert set(dispatched.verifications.values_list("result", flat=True)) == {"pending"}


def test_the_case_page_and_the_api_cancel_the_checks(client, api_as, dispatched, clerk, officer):
    client.force_login(officer)
    page = reverse("diversion:case_detail", args=[dispatched.pk])
    assert "dispatch-reversed" not in client.get(page).content.decode()
    api = f"/api/v1/transfer-cases/{dispatched.pk}/dispatch-reversed/"
    refused = api_as(officer).post(api, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_state"
    assert set(dispatched.verifications.values_list("result", flat=True)) == {"pending"}

    reversal = document_reverse(
        document=dispatched.dispatch_document, reason="Vessel did not sail", posted_by=clerk
    )
    html = client.get(page).content.decode()
    assert f"reversed by {reversal.number}" in html
    assert "Cancel the pending checks of the reversed dispatch" in html
    # The first check through the page; then the API finds nothing left.
    Verification.objects.filter(case=dispatched).exclude(kind="pre_delivery").update(
        result="passed", performed_on=timezone.localdate(), evidence="x", recorded_by=officer
    )
    response = client.post(reverse("diversion:case_action", args=[dispatched.pk, "reversed"]))
    assert response.status_code == 302
    assert dispatched.verifications.get(kind="pre_delivery").result == "cancelled"
    assert "Cancel the pending checks" not in client.get(page).content.decode()
    answer = api_as(officer).post(api, format="json")
    assert answer.status_code == 200
    assert answer.json() == []


def test_the_api_lists_what_it_cancelled(api_as, dispatched, clerk):
    reversal = document_reverse(
        document=dispatched.dispatch_document, reason="Vessel did not sail", posted_by=clerk
    )
    answer = api_as(clerk).post(
        f"/api/v1/transfer-cases/{dispatched.pk}/dispatch-reversed/", format="json"
    )
    assert answer.status_code == 200
    rows = [(row["kind"], row["result"], row["cancelled_by_reversal"]) for row in answer.json()]
    assert rows == [
        (kind, "cancelled", reversal.pk)
        for kind in (
            "pre_delivery", "delivery_certificate", "physical_inspection", "end_use_check",
            "stockpile_check",
        )
    ]  # fmt: skip
    rows = Verification.objects.filter(case=dispatched)
    assert {(v.result, v.cancelled_by_reversal_id) for v in rows} == {("cancelled", reversal.pk)}
