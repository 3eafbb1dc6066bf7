"""Delivery verifications: overdue checks raise an alert through the sweep; a failed check opens
an incident."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertKind
from alerts.sweep import SweepContext, run_detectors
from diversion import services
from diversion.models import Verification
from inventory.errors import InvalidState
from inventory.models import Incident, IncidentDocument

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
    return list(Alert.objects.filter(kind="verification_overdue", resolved_at__isnull=True))


def test_an_overdue_post_delivery_verification_raises_an_alert(dispatched, officer):
    assert _sweep(7)["verification_overdue.raised"] == 0  # the pre-delivery check is due today+7
    _sweep(31)
    (alert,) = _open_alerts()
    assert alert.depot_id == dispatched.depot_id
    assert alert.document_id == dispatched.dispatch_document_id
    assert alert.severity == "warning"
    assert [c["kind"] for c in alert.details["checks"]] == ["pre_delivery", "delivery_certificate"]
    assert f"Transfer case {dispatched.number}" in alert.message

    # Recording both results resolves it at the next sweep.
    for verification in Verification.objects.filter(
        case=dispatched, kind__in=["pre_delivery", "delivery_certificate"]
    ):
        services.verification_record(
            verification=verification, result="passed", performed_on=timezone.localdate(),
            evidence="Certificate DVC-9 received", recorded_by=officer,
        )  # fmt: skip
    assert _sweep(31)["verification_overdue.resolved"] == 1
    assert _open_alerts() == []


def test_a_failed_verification_opens_an_incident(dispatched, officer):
    check = Verification.objects.get(case=dispatched, kind="end_use_check")
    recorded = services.verification_record(
        verification=check, result="failed", performed_on=timezone.localdate(),
        evidence="Lots seen at a private gun shop", recorded_by=officer,
    )  # fmt: skip
    incident = Incident.objects.get()
    assert recorded.incident == incident
    assert incident.depot_id == dispatched.depot_id
    assert incident.status == "open"
    assert incident.units_lost == 40
    assert dispatched.number in incident.title
    assert "private gun shop" in incident.description
    assert IncidentDocument.objects.get(incident=incident).document_id == (
        dispatched.dispatch_document_id
    )
    with pytest.raises(InvalidState):
        services.verification_record(
            verification=check, result="passed", performed_on=timezone.localdate(),
            evidence="Again", recorded_by=officer,
        )  # fmt: skip
    assert Incident.objects.count() == 1


def test_a_passed_verification_opens_nothing(dispatched, officer):
    check = Verification.objects.get(case=dispatched, kind="physical_inspection")
    services.verification_record(
        verification=check, result="passed", performed_on=timezone.localdate(),
        evidence="All 40 rounds counted", recorded_by=officer,
    )  # fmt: skip
    assert not Incident.objects.exists()
