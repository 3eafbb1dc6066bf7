"""The home page's figures of today's work (issue 17): for a clerk and for an inspector, counts of
what waits in their depots, each a link to the list that shows those items; a constant number of
queries whatever the data."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from inventory.models import AmmunitionType
from inventory.models.incidents import IncidentKind
from inventory.models.ledger import AdjustmentReason
from inventory.services import posting
from inventory.services.reversals import document_reverse
from stockchecks.models import StockCheckKind
from stockchecks.services import incident_report, stock_check_plan, stock_check_start
from surveillance.selectors import work_list
from tests.factories import UserFactory

FIGURE = re.compile(
    r'<a class="figure[^"]*" href="([^"]+)" data-figure="(\w+)">'
    r'<span class="figure-count">(\d+)</span>'
)
HOME_QUERIES = 16  # of which 6 for the figures of a clerk who is also an inspector


def figures(client) -> dict[str, tuple[int, str]]:
    html = client.get(reverse("home")).content.decode()
    return {
        key: (int(count), url.replace("&amp;", "&")) for url, key, count in FIGURE.findall(html)
    }


def _charges():
    """Propelling charges, 1.3C: their propellant is due for a stability test 5 years after
    manufacture, so a lot made in 2020 is overdue."""
    return AmmunitionType.objects.get_or_create(
        code="CHG-122",
        defaults={
            "name": "122 mm propelling charge",
            "category": "other",
            "hazard_division": "1.3",
            "compatibility_group": "C",
            "neq_per_unit_kg": Decimal("2"),
            "shelf_life_months": 240,
            "contains_propellant": True,
        },
    )[0]


def _round(world, user, storehouse, depot, other_depot, n):
    """One of each kind of waiting work in `depot`, posted by `user` (a clerk of it); returns the
    numbers the lists show."""
    today = timezone.localdate()
    lot = world.lot(_charges(), number=f"W{depot.code}-{n}")
    receipt = world.stock(user, lot, storehouse, 100)
    # Reversing a receipt takes stock off the books: a proposal for a second person.
    proposal = document_reverse(document=receipt, reason="Keyed twice.", posted_by=user)
    transfer = posting.transfer_dispatch(
        depot=depot,
        destination_depot=other_depot,
        lines=[posting.Movement(lot.pk, storehouse.pk, 5)],
        occurred_on=today,
        posted_by=user,
    )
    adjustment = posting.adjustment_create(
        depot=depot,
        lines=[posting.Movement(lot.pk, storehouse.pk, -1)],
        reason=AdjustmentReason.COUNT_VARIANCE,
        occurred_on=today,
        posted_by=user,
        note="Short by one.",
    )
    incident = incident_report(
        depot=depot,
        reported_by=user,
        kind=IncidentKind.OTHER,
        title=f"Broken seal {n}",
        occurred_on=today,
    )
    stock_check_plan(depot=depot, planned_by=user, kind=StockCheckKind.FULL, note="only planned")
    counting = stock_check_plan(depot=depot, planned_by=user, kind=StockCheckKind.FULL)
    stock_check_start(stock_check=counting, started_by=user)
    return {
        "transfer": transfer.number,
        "adjustment": adjustment.number,
        "reversal": proposal.document.number,
        "incident": incident.number,
        "check": counting.pk,
    }


@pytest.fixture
def waiting(world, clerk, clerk_b, surveillance_policy):
    """Work waiting in depot A (dispatched to B) and in depot B (dispatched to A)."""
    a = _round(world, clerk, world.sh1, world.depot_a, world.depot_b, 1)
    b = _round(world, clerk_b, world.sh3, world.depot_b, world.depot_a, 1)
    return a, b


def test_a_clerk_sees_the_work_of_their_depots(client, clerk, waiting):
    a, b = waiting
    client.force_login(clerk)
    shown = figures(client)
    assert {key: count for key, (count, _url) in shown.items()} == {
        "transfers_to_receive": 1,  # B's transfer to A
        "checks_counting": 1,  # the planned one is not being counted yet
        "adjustments_pending": 1,
    }
    inbox = client.get(shown["transfers_to_receive"][1]).content.decode()
    assert b["transfer"] in inbox
    assert a["transfer"] not in inbox
    checks = client.get(shown["checks_counting"][1]).content.decode()
    assert reverse("stockchecks:check_detail", args=[a["check"]]) in checks
    assert reverse("stockchecks:check_detail", args=[a["check"] - 1]) not in checks  # planned
    assert reverse("stockchecks:check_detail", args=[b["check"]]) not in checks
    documents = client.get(shown["adjustments_pending"][1]).content.decode()
    assert a["adjustment"] in documents
    assert a["transfer"] not in documents
    assert b["adjustment"] not in documents
    assert shown["adjustments_pending"][1].endswith("?kind=adjustment&status=pending_approval")


def test_an_inspector_sees_what_to_approve_and_inspect(client, inspector, waiting):
    a, b = waiting
    client.force_login(inspector)
    shown = figures(client)
    today = timezone.localdate()
    items = work_list(inspector, today=today, horizon_days=30)
    overdue = sum(1 for item in items if item.due_on < today)
    assert items  # a propellant lot made in 2020: its stability test is overdue
    assert {key: count for key, (count, _url) in shown.items()} == {
        "surveillance_overdue": overdue,
        "surveillance_due": len(items),
        "adjustments_pending": 1,
        "reversals_pending": 1,
        "incidents_unresolved": 1,
    }
    work = client.get(shown["surveillance_due"][1]).content.decode()
    assert "WDA-1" in work
    assert "WDB-1" not in work
    assert shown["surveillance_overdue"][1] == shown["surveillance_due"][1]
    adjustments = client.get(shown["adjustments_pending"][1]).content.decode()
    assert a["adjustment"] in adjustments
    assert b["adjustment"] not in adjustments
    reversals = client.get(shown["reversals_pending"][1]).content.decode()
    assert a["reversal"] in reversals
    assert b["reversal"] not in reversals
    incidents = client.get(shown["incidents_unresolved"][1]).content.decode()
    assert a["incident"] in incidents
    assert b["incident"] not in incidents
    assert shown["incidents_unresolved"][1].endswith("?unresolved=true")


def test_the_surveillance_figures_count_the_work_list(
    client, world, clerk, clerk_b, inspector, surveillance_policy
):
    """Overdue and due soon, as the work list counts them, over lots in stock in the depot."""
    today = timezone.localdate()
    old = world.lot(_charges(), number="SURV-OLD")  # made 2020: its stability test is overdue
    world.stock(clerk, old, world.sh1, 10)
    soon = world.lot(world.ball, number="SURV-SOON")
    soon.manufactured_on, soon.expires_on = today - timedelta(days=20), today + timedelta(days=9)
    soon.save(update_fields=["manufactured_on", "expires_on"])
    world.stock(clerk, soon, world.sh2, 10)
    elsewhere = world.lot(_charges(), number="SURV-B")
    world.stock(clerk_b, elsewhere, world.sh3, 10)
    client.force_login(inspector)
    shown = figures(client)
    items = work_list(inspector, today=today, horizon_days=30)
    overdue = [item for item in items if item.due_on < today]
    assert {item.lot.lot_number for item in items} == {"SURV-OLD", "SURV-SOON"}
    assert 0 < len(overdue) < len(items)
    assert shown["surveillance_due"][0] == len(items)
    assert shown["surveillance_overdue"][0] == len(overdue)
    page = client.get(shown["surveillance_due"][1]).content.decode()
    assert f"{len(items)} items due within 30 days" in page
    assert f"{len(overdue)} overdue" in page


@pytest.mark.parametrize("role", [Role.OFFICER, Role.AUDITOR, Role.ADMIN])
def test_other_roles_have_no_figures(client, users_by_role, waiting, role):
    client.force_login(users_by_role[role])
    assert figures(client) == {}


def test_the_home_page_runs_few_queries_whatever_the_work(
    client, world, depot_a, clerk, clerk_b, surveillance_policy, django_assert_max_num_queries
):
    both = UserFactory(username="both_a", roles=[Role.CLERK, Role.INSPECTOR], depots=[depot_a])
    client.force_login(both)
    client.get(reverse("home"))  # the session and per-user caches, as on a second visit

    def measured() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        return len(captured)

    empty = measured()
    _round(world, clerk, world.sh1, world.depot_a, world.depot_b, 1)
    _round(world, clerk_b, world.sh3, world.depot_b, world.depot_a, 1)
    one = measured()
    for n in (2, 3):
        _round(world, clerk, world.sh1, world.depot_a, world.depot_b, n)
        _round(world, clerk_b, world.sh3, world.depot_b, world.depot_a, n)
    with django_assert_max_num_queries(HOME_QUERIES):
        assert client.get(reverse("home")).status_code == 200
    assert measured() == one == empty
    shown = {key: count for key, (count, _url) in figures(client).items()}
    today = timezone.localdate()
    items = work_list(both, today=today, horizon_days=30)
    assert {item.lot.lot_number for item in items} == {"WDA-1", "WDA-2", "WDA-3"}
    assert shown == {
        "transfers_to_receive": 3,
        "checks_counting": 3,
        "adjustments_pending": 3,
        "surveillance_overdue": sum(1 for item in items if item.due_on < today),
        "surveillance_due": len(items),
        "reversals_pending": 3,
        "incidents_unresolved": 3,
    }
