"""Every loss opens an incident; incidents are investigated and closed with findings."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from inventory.errors import InvalidState
from inventory.models import Incident, IncidentKind, IncidentStatus
from inventory.services import posting
from inventory.services.incidents import incident_open_for_adjustment
from stockchecks import selectors, services

pytestmark = pytest.mark.django_db


def _adjust(stocked, clerk, inspector, reason, quantity):
    w = stocked.world
    document = posting.adjustment_create(
        depot=w.depot_a,
        lines=[posting.Movement(stocked.l1.pk, w.sh2.pk, quantity)],
        reason=reason,
        occurred_on=timezone.localdate(),
        posted_by=clerk,
        note="Found during patrol",
    )
    return posting.adjustment_approve(document=document, approved_by=inspector)


@pytest.mark.parametrize(
    ("reason", "kind"), [("lost", IncidentKind.LOSS_ADJUSTMENT), ("stolen", IncidentKind.THEFT)]
)
def test_an_approved_loss_adjustment_opens_an_incident(stocked, clerk, inspector, reason, kind):
    document = _adjust(stocked, clerk, inspector, reason, -7)
    (incident,) = Incident.objects.all()
    assert incident.kind == kind
    assert incident.status == IncidentStatus.OPEN
    assert incident.units_lost == 7
    assert incident.depot == stocked.world.depot_a
    assert list(incident.documents.all()) == [document]
    assert incident.reported_by == inspector
    # Opening is idempotent per document.
    assert incident_open_for_adjustment(document=document, reported_by=inspector) is None
    assert Incident.objects.count() == 1


def test_other_adjustments_and_pending_losses_open_nothing(stocked, clerk, inspector):
    _adjust(stocked, clerk, inspector, "damaged", -2)
    _adjust(stocked, clerk, inspector, "found", 3)
    posting.adjustment_create(
        depot=stocked.world.depot_a,
        lines=[posting.Movement(stocked.l1.pk, stocked.world.sh2.pk, -1)],
        reason="stolen",
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    )
    assert Incident.objects.count() == 0


def test_a_transfer_received_short_opens_an_incident_seen_by_both_depots(
    stocked, clerk, clerk_b, depot_b
):
    w = stocked.world
    transfer = posting.transfer_dispatch(
        depot=w.depot_a,
        destination_depot=depot_b,
        lines=[
            posting.Movement(stocked.l1.pk, w.sh2.pk, 30),
            posting.Movement(stocked.l2.pk, w.sh2.pk, 10),
        ],
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    )
    receipt = posting.transfer_receive(
        transfer=transfer,
        lines=[
            posting.Movement(stocked.l1.pk, w.sh3.pk, 26),
            posting.Movement(stocked.l2.pk, w.sh3.pk, 10),
        ],
        occurred_on=timezone.localdate(),
        posted_by=clerk_b,
    )
    (incident,) = Incident.objects.all()
    assert incident.kind == IncidentKind.TRANSIT_SHORTFALL
    assert (incident.depot, incident.other_depot) == (depot_b, w.depot_a)
    assert incident.units_lost == 4
    assert set(incident.documents.all()) == {transfer, receipt}
    assert transfer.number in incident.title
    assert list(selectors.incident_list(user=clerk)) == [incident]
    assert list(selectors.incident_list(user=clerk_b)) == [incident]


def test_a_transfer_received_in_full_opens_nothing(stocked, clerk, clerk_b, depot_b):
    w = stocked.world
    transfer = posting.transfer_dispatch(
        depot=w.depot_a,
        destination_depot=depot_b,
        lines=[posting.Movement(stocked.l1.pk, w.sh2.pk, 30)],
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    )
    posting.transfer_receive(
        transfer=transfer,
        lines=[posting.Movement(stocked.l1.pk, w.sh3.pk, 30)],
        occurred_on=timezone.localdate(),
        posted_by=clerk_b,
    )
    assert Incident.objects.count() == 0


def test_a_theft_report_is_investigated_and_closed_with_findings(
    stocked, clerk, inspector, clerk_b, officer
):
    w = stocked.world
    document = _adjust(stocked, clerk, inspector, "damaged", -1)
    incident = services.incident_report(
        depot=w.depot_a,
        reported_by=clerk,
        kind=IncidentKind.THEFT,
        title="Break-in at SH2",
        occurred_on=timezone.localdate(),
        units_lost=5,
        documents=[document],
    )
    with pytest.raises(PermissionDenied):
        services.incident_report(
            depot=w.depot_a, reported_by=clerk_b, kind="theft", title="x",
            occurred_on=timezone.localdate(),
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.incident_update(incident=incident, user=clerk, status="closed", findings="x")
    with pytest.raises(PermissionDenied):
        services.incident_update(incident=incident, user=officer, status="under_investigation")
    with pytest.raises(ValidationError):
        services.incident_update(incident=incident, user=inspector, status="closed")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN
    services.incident_update(incident=incident, user=inspector, status="under_investigation")
    closed = services.incident_update(
        incident=incident,
        user=inspector,
        status="closed",
        findings="Padlock cut",
        suspected_point_of_loss="SH2 rear door",
    )
    assert closed.status == IncidentStatus.CLOSED
    assert closed.closed_by == inspector
    with pytest.raises(InvalidState):
        services.incident_update(incident=closed, user=inspector, status="open")
    reopened = services.incident_update(
        incident=closed, user=inspector, status="under_investigation"
    )
    assert reopened.closed_at is None


def test_bad_reports_write_nothing(stocked, clerk, inspector):
    w = stocked.world
    document = _adjust(stocked, clerk, inspector, "lost", -1)  # already in an incident
    cases = [
        {"kind": "count_variance"},
        {"title": "  "},
        {"units_lost": -1},
        {"occurred_on": timezone.localdate().replace(year=timezone.localdate().year + 1)},
        {"documents": [document]},
    ]
    for case in cases:
        values = {
            "kind": "theft",
            "title": "Theft",
            "occurred_on": timezone.localdate(),
            **case,
        }
        with pytest.raises(ValidationError):
            services.incident_report(depot=w.depot_a, reported_by=clerk, **values)
    assert Incident.objects.count() == 1


def test_monthly_profile_per_depot(stocked, clerk, inspector, clerk_b, depot_b, officer):
    _adjust(stocked, clerk, inspector, "stolen", -2)
    _adjust(stocked, clerk, inspector, "lost", -3)
    services.incident_report(
        depot=depot_b, reported_by=clerk_b, kind="other", title="Missing box",
        occurred_on=timezone.localdate(), units_lost=1,
    )  # fmt: skip
    rows = list(selectors.incident_monthly(user=officer))
    assert [(r["depot__code"], r["incidents"], r["thefts"], r["units_lost"]) for r in rows] == [
        ("DA", 2, 1, 5),
        ("DB", 1, 0, 1),
    ]
    assert [r["depot__code"] for r in selectors.incident_monthly(user=clerk)] == ["DA"]


def test_unresolved_incidents_show_on_the_home_page_of_their_depots_only(
    client, depot_a, clerk, clerk_b
):
    from django.urls import reverse
    from django.utils import timezone

    from stockchecks.services import incident_report

    incident = incident_report(
        depot=depot_a,
        reported_by=clerk,
        kind="theft",
        title="Crate forced open",
        occurred_on=timezone.localdate(),
    )
    client.force_login(clerk)
    page = client.get(reverse("home")).content.decode()
    assert "Crate forced open" in page
    assert reverse("stockchecks:incident_detail", args=[incident.pk]) in page
    client.force_login(clerk_b)
    assert "Crate forced open" not in client.get(reverse("home")).content.decode()
