"""Issue 14, part A (3): a lot split off another inherits its ancestors' surveillance (DESIGN.md
§5): stability tests, inspections, bans and constraints recorded on an ancestor count for it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.sweep import surveillance_sweep
from inventory.errors import LotBanned
from inventory.models import Lot
from inventory.services.lots import add_months
from inventory.services.posting import Movement, issue_post, lot_split
from surveillance import services
from surveillance.models import LotDue
from surveillance.selectors import lot_due

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def old_charges(world, charges, clerk):
    """A 7-year-old propellant lot (its first test fell due 2 years ago), 50 in SH1."""
    made = add_months(TODAY().replace(day=1), -84)
    lot = Lot.objects.create(
        ammunition_type=charges,
        manufacturer="Arsenal",
        lot_number="CHG-OLD",
        manufactured_on=made,
        condition_id="A",
    )
    world.stock(clerk, lot, world.sh1, 50)
    return lot


def stable_test(lot, depot, inspector, days_ago=10):
    return services.stability_test_record(
        lot=lot,
        depot=depot,
        sampled_on=TODAY() - timedelta(days=days_ago),
        laboratory="National Propellant Laboratory",
        method="hplc",
        initial_content_pct=Decimal("1.00"),
        measured_content_pct=Decimal("0.90"),
        tested_by=inspector,
    )


def split(lot, world, user, suffix, quantity=5, condition="A"):
    return lot_split(
        lot=lot,
        quantities={world.sh1.pk: quantity},
        suffix=suffix,
        condition=condition,
        occurred_on=TODAY(),
        posted_by=user,
    )


def test_a_child_of_a_freshly_tested_old_lot_is_not_suspended_by_the_sweep(
    old_charges, world, depot_a, clerk, inspector
):
    """The incident: the child started with no test history and the next sweep made it J."""
    test = stable_test(old_charges, depot_a, inspector)
    child = split(old_charges, world, clerk, "/1")
    due = LotDue.objects.get(lot=child)
    assert (due.stability_due, due.never_stability_tested) == (test.next_test_due, False)
    assert due.last_stability_test_on == test.sampled_on
    surveillance_sweep()
    child.refresh_from_db()
    old_charges.refresh_from_db()
    assert (child.condition_id, old_charges.condition_id) == ("A", "A")


def test_an_untested_old_lot_and_its_child_are_both_suspended(old_charges, world, clerk):
    child = split(old_charges, world, clerk, "/1")
    surveillance_sweep()
    child.refresh_from_db()
    assert child.condition_id == "J"


def test_the_latest_test_in_the_lineage_counts_at_any_depth(
    old_charges, world, depot_a, clerk, inspector
):
    stable_test(old_charges, depot_a, inspector, days_ago=400)
    child = split(old_charges, world, clerk, "/1", quantity=20)
    grandchild = split(child, world, clerk, "/A", quantity=10)
    own = stable_test(child, depot_a, inspector, days_ago=5)
    assert LotDue.objects.get(lot=grandchild).stability_due == own.next_test_due
    # The grandchild's own older record does not hide a newer one of its ancestors.
    assert LotDue.objects.get(lot=old_charges).stability_due == add_months(
        TODAY() - timedelta(days=400), 60
    )


def test_reading_a_childs_due_dates_costs_the_same_whatever_the_depth(
    old_charges, world, depot_a, clerk, inspector
):
    stable_test(old_charges, depot_a, inspector)
    lot = old_charges
    counts = []
    for depth in range(1, 5):
        lot = split(lot, world, clerk, f"/{depth}", quantity=50 - 5 * depth)
        with CaptureQueriesContext(connection) as queries:
            assert lot_due(lot).never_stability_tested is False
        counts.append(len(queries))
    assert counts == [1, 1, 1, 1]


def test_inspections_are_inherited_and_a_never_inspected_child_keeps_its_roots_clock(
    old_charges, world, depot_a, clerk, inspector
):
    inspected = TODAY() - timedelta(days=30)
    inspection = services.inspection_record(
        lot=old_charges,
        depot=depot_a,
        kind="periodic",
        inspected_on=inspected,
        sample_size=5,
        findings="Sound",
        condition="A",
        inspector=inspector,
    )
    child = split(old_charges, world, clerk, "/1")
    due = LotDue.objects.get(lot=child)
    assert (due.inspection_due, due.last_inspected_on) == (inspection.next_due_on, inspected)


def test_an_unstable_result_on_the_parent_condemns_its_held_children(
    old_charges, world, depot_a, clerk, inspector
):
    child = split(old_charges, world, clerk, "/1")
    services.stability_test_record(
        lot=old_charges,
        depot=depot_a,
        sampled_on=TODAY(),
        laboratory="Lab",
        method="heat_flow_calorimetry",
        passed=False,
        tested_by=inspector,
    )
    child.refresh_from_db()
    assert child.condition_id == "H"


def test_a_ban_on_a_grandparent_binds_the_grandchild_at_issue(
    old_charges, world, depot_a, clerk, inspector
):
    stable_test(old_charges, depot_a, inspector)
    child = split(old_charges, world, clerk, "/1", quantity=20)
    grandchild = split(child, world, clerk, "/A", quantity=10)
    services.ban_impose(
        kind="ban", reason="Recall", reference="R-9", imposed_by=inspector, lot=old_charges
    )
    with pytest.raises(LotBanned):
        issue_post(
            depot=world.depot_a,
            lines=[Movement(grandchild.pk, world.sh1.pk, 1)],
            recipient=world.unit,
            occurred_on=TODAY(),
            posted_by=clerk,
        )


def test_through_the_api(old_charges, world, depot_a, clerk, inspector, api_as):
    """The lot's surveillance as the API shows it: the child's due date and last test are its
    parent's."""
    body = {
        "lot": old_charges.pk,
        "depot": depot_a.pk,
        "sampled_on": (TODAY() - timedelta(days=3)).isoformat(),
        "laboratory": "National Propellant Laboratory",
        "method": "hplc",
        "initial_content_pct": "1.000",
        "measured_content_pct": "0.900",
    }
    created = api_as(inspector).post("/api/v1/stability-tests/", body, format="json")
    assert created.status_code == 201, created.json()
    response = api_as(clerk).post(
        f"/api/v1/lots/{old_charges.pk}/split/",
        {
            "quantity": [{"storehouse": world.sh1.pk, "quantity": 5}],
            "suffix": "/1",
            "condition": "A",
            "occurred_on": TODAY().isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    child = response.json()["id"]
    surveillance_sweep()
    shown = api_as(clerk).get(f"/api/v1/lots/{child}/surveillance/").json()
    assert shown["condition"] == "A"
    assert shown["never_stability_tested"] is False
    assert shown["stability_test_due"] == created.json()["next_test_due"]
    assert shown["last_stability_test_on"] == body["sampled_on"]
    assert date.fromisoformat(shown["stability_test_due"]) > TODAY()


def test_a_shelf_life_extension_counts_for_the_lots_split_from_it(
    old_charges, world, depot_a, clerk, inspector
):
    Lot.objects.filter(pk=old_charges.pk).update(expires_on=TODAY() + timedelta(days=30))
    old_charges.refresh_from_db()
    child = split(old_charges, world, clerk, "/1")
    test = stable_test(old_charges, depot_a, inspector)
    later = TODAY() + timedelta(days=700)
    services.shelf_life_extend(
        lot=old_charges,
        new_expires_on=later,
        reason="Stable propellant",
        decided_by=inspector,
        stability_test=test,
    )
    child.refresh_from_db()
    assert (child.expires_on, child.expiry_overridden) == (later, True)
