"""Diversion-risk profiles: the figures per depot and recipient, the ranking, fixed queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from diversion import profiling, services
from diversion.models import Verification
from inventory.models import Incident
from inventory.models.ledger import AdjustmentReason
from inventory.services.posting import Movement, adjustment_approve, adjustment_create, issue_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(transfer, clerk, inspector, officer, officer2):
    """Depot A: a lost-stock adjustment (an incident), an issue to 1st Brigade, an export whose
    end-use check failed (another incident) and whose certificate check is overdue."""
    w = transfer.world
    today = timezone.localdate()
    lost = adjustment_create(
        depot=w.depot_a, lines=[Movement(transfer.lot.pk, w.sh2.pk, -3)],
        reason=AdjustmentReason.LOST, occurred_on=today, posted_by=clerk, note="Box missing",
    )  # fmt: skip
    adjustment_approve(document=lost, approved_by=inspector)
    issue_post(
        depot=w.depot_a, lines=[Movement(transfer.lot.pk, w.sh2.pk, 7)], recipient=w.unit,
        occurred_on=today, posted_by=clerk,
    )  # fmt: skip
    case = transfer.case(officer, quantity=20)
    transfer.approved(case, officer, officer2)
    services.transfer_case_dispatch(case=case, occurred_on=today, dispatched_by=clerk)
    services.verification_record(
        verification=Verification.objects.get(case=case, kind="end_use_check"),
        result="failed", performed_on=today, evidence="Seen on sale", recorded_by=officer,
    )  # fmt: skip
    Verification.objects.filter(case=case, kind="delivery_certificate").update(
        due_on=today - timedelta(days=1)
    )
    return case


def test_depot_profile_figures_and_ranking(history, transfer, auditor):
    today = timezone.localdate()
    depots, months = profiling.depot_profiles(
        user=auditor, start=today - timedelta(days=30), end=today
    )
    assert [p.depot.code for p in depots] == ["DA", "DB"]
    a = depots[0]
    assert (a.loss_incidents, a.units_lost) == (1, 3)
    assert (a.adjustments, a.units_adjusted_out) == (1, 3)
    assert a.overdue_verifications == 1
    assert a.open_incidents == Incident.objects.filter(depot=transfer.world.depot_a).count() == 2
    assert a.accuracy_pct is None
    assert a.score == 3 * 1 + 1 * 1 + 2 * 1 + 3 * 2
    assert a.trend[-1] == 2  # this month: the loss incident and the adjustment
    assert len(months) == len(a.trend) == 6
    assert depots[1].score == 0


def test_recipient_profile_ranks_failed_verifications_first(history, transfer, auditor):
    today = timezone.localdate()
    rows = profiling.recipient_profiles(user=auditor, start=today - timedelta(days=30), end=today)
    assert [(r.recipient.name, r.issues, r.consumed, r.failed_verifications) for r in rows] == [
        ("Ministry of Defence of Kenya", 1, 20, 1),
        ("1st Brigade", 1, 7, 0),
    ]


def test_profiles_cost_a_fixed_number_of_queries(
    history, transfer, auditor, django_assert_num_queries
):
    today = timezone.localdate()
    with django_assert_num_queries(10):
        profiling.depot_profiles(user=auditor, start=today - timedelta(days=30), end=today)
    with django_assert_num_queries(5):  # with consumption per type and training allocations
        profiling.recipient_profiles(user=auditor, start=today - timedelta(days=30), end=today)


def test_profile_pages(client, history, transfer, officer, clerk):
    client.force_login(officer)
    page = client.get(reverse("diversion:profile"))
    assert page.status_code == 200
    assert "1st Brigade" in page.content.decode()
    drill = client.get(reverse("diversion:recipient_profile", args=[transfer.world.unit.pk]))
    assert drill.status_code == 200
    assert "DA-" in drill.content.decode()
    client.force_login(clerk)
    assert client.get(reverse("diversion:profile")).status_code == 403
