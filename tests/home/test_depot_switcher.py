"""The depot switcher of the top bar (issue 17): a user of several depots narrows the web pages to
one of them; a choice never widens the scope, an out-of-scope one is refused or forgotten, the API
is not narrowed, and a user of one depot sees no switcher."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import DepotMembership
from core.roles import Action, Role
from core.scoping import action_depot_ids, read_depot_ids
from home.depots import FOCUS_KEY
from tests.factories import DepotFactory, UserFactory

SWITCHER = re.compile(r'<form class="depot-switch[^"]*" method="post" action="/depot/"')


@pytest.fixture
def two_depot_clerk(world):
    return UserFactory(
        username="clerk_ab", roles=[Role.CLERK], depots=[world.depot_a, world.depot_b]
    )


@pytest.fixture
def stock(world, two_depot_clerk):
    """One lot in each depot: SW-A in depot A, SW-B in depot B."""
    in_a = world.lot(world.ball, number="SW-A")
    world.stock(two_depot_clerk, in_a, world.sh1, 10)
    in_b = world.lot(world.tnt, number="SW-B")
    world.stock(two_depot_clerk, in_b, world.sh3, 20)
    return in_a, in_b


def _choose(client, depot, next_url="/stock/"):
    return client.post(reverse("depot_focus"), {"depot": depot, "next": next_url})


def test_a_user_of_one_depot_sees_no_switcher(client, clerk, inspector):
    for user in (clerk, inspector):
        client.force_login(user)
        for name in ("home", "inventory:stock_list"):
            html = client.get(reverse(name)).content.decode()
            assert not SWITCHER.search(html), (user, name)
            assert "All my depots" not in html


@pytest.mark.parametrize("who", ["officer", "auditor", "admin_user", "national_inspector"])
def test_national_readers_choose_among_every_depot(request, client, depot_a, depot_b, who):
    client.force_login(request.getfixturevalue(who))
    html = client.get(reverse("home")).content.decode()
    assert SWITCHER.search(html)
    options = re.findall(r'<option value="(\d*)"( selected)?>([^<]+)</option>', html)
    switcher = [(value, label) for value, _sel, label in options if label != "As the browser asks"]
    assert switcher[:3] == [
        ("", "All my depots"),
        (str(depot_a.pk), "DA Depot A"),
        (str(depot_b.pk), "DB Depot B"),
    ]


def test_choosing_a_depot_narrows_the_stock_list_until_all_is_chosen(
    client, two_depot_clerk, stock, world
):
    client.force_login(two_depot_clerk)
    url = reverse("inventory:stock_list")
    html = client.get(url).content.decode()
    assert "SW-A" in html
    assert "SW-B" in html
    response = _choose(client, str(world.depot_a.pk))
    assert response.status_code == 302
    assert response["Location"] == "/stock/"
    html = client.get(url).content.decode()
    assert "SW-A" in html
    assert "SW-B" not in html
    assert re.search(rf'<option value="{world.depot_a.pk}" selected>DA Depot A</option>', html)
    assert 'class="depot-switch narrowed"' in html  # the top bar shows the narrowing
    # The depot's own pages: the lot of the other depot is not found any more.
    assert client.get(reverse("inventory:lot_card", args=[stock[1].pk])).status_code == 404
    _choose(client, "")
    html = client.get(url).content.decode()
    assert "SW-A" in html
    assert "SW-B" in html
    assert FOCUS_KEY not in client.session


def test_narrowing_also_narrows_what_the_user_may_do(rf, two_depot_clerk, world):
    user = two_depot_clerk
    assert action_depot_ids(user, Action.RECORD_MOVEMENT) == {world.depot_a.pk, world.depot_b.pk}
    user.depot_focus = world.depot_b.pk
    assert read_depot_ids(user) == {world.depot_b.pk}
    assert action_depot_ids(user, Action.RECORD_MOVEMENT) == {world.depot_b.pk}
    assert action_depot_ids(user, Action.APPROVE) == frozenset()  # a clerk approves nowhere


def test_narrowing_never_widens(db, clerk, depot_b, officer, depot_a):
    clerk.depot_focus = depot_b.pk  # not one of the clerk's depots
    assert read_depot_ids(clerk) == frozenset()
    officer.depot_focus = depot_a.pk
    assert read_depot_ids(officer) == {depot_a.pk}


def test_a_depot_outside_the_scope_is_refused_and_nothing_changes(
    client, two_depot_clerk, stock, world
):
    outside = DepotFactory(code="DC", name="Depot C")
    client.force_login(two_depot_clerk)
    _choose(client, str(world.depot_a.pk))
    response = _choose(client, str(outside.pk))
    assert response.status_code == 403
    assert client.session[FOCUS_KEY] == world.depot_a.pk
    for value in ("x", "-1", "1.5", "٣", "9" * 40):
        assert _choose(client, value).status_code == 400, value
        assert client.session[FOCUS_KEY] == world.depot_a.pk
    # Only a page of this site to go back to.
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = _choose(client, str(world.depot_b.pk), next_url=target)
        assert response.status_code == 400, target
        assert client.session[FOCUS_KEY] == world.depot_a.pk
    assert client.get(reverse("depot_focus")).status_code == 405


def test_a_single_depot_user_cannot_narrow_at_all(client, clerk, depot_a):
    client.force_login(clerk)
    assert _choose(client, str(depot_a.pk)).status_code == 403
    assert FOCUS_KEY not in client.session


def test_the_choice_needs_the_csrf_token(two_depot_clerk, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(two_depot_clerk)
    assert _choose(client, str(world.depot_a.pk)).status_code == 403
    assert FOCUS_KEY not in client.session


def test_a_choice_that_left_the_scope_is_forgotten(client, two_depot_clerk, stock, world):
    client.force_login(two_depot_clerk)
    _choose(client, str(world.depot_b.pk))
    assert "SW-A" not in client.get(reverse("inventory:stock_list")).content.decode()
    DepotMembership.objects.filter(user=two_depot_clerk, depot=world.depot_b).delete()
    html = client.get(reverse("inventory:stock_list")).content.decode()
    assert FOCUS_KEY not in client.session
    assert "SW-A" in html
    assert "SW-B" not in html
    assert not SWITCHER.search(html)


def test_the_api_is_not_narrowed(client, two_depot_clerk, stock, world):
    """Session-authenticated API calls of a narrowed user still read every depot in scope."""
    client.force_login(two_depot_clerk)
    _choose(client, str(world.depot_a.pk))
    assert client.session[FOCUS_KEY] == world.depot_a.pk
    rows = client.get(reverse("stock-list")).json()["results"]
    assert {row["depot"] for row in rows} == {world.depot_a.pk, world.depot_b.pk}


def test_a_narrowed_report_request_names_the_depot(client, two_depot_clerk, stock, world):
    client.force_login(two_depot_clerk)
    _choose(client, str(world.depot_b.pk))
    html = client.get(reverse("reports:report_new"), {"kind": "accounting_statement"})
    html = html.content.decode()
    assert re.search(rf'<option value="{world.depot_b.pk}" selected>', html)
    form = html.split("<main", 1)[1]
    assert not re.search(rf'<option value="{world.depot_a.pk}"', form)


def test_not_found_while_narrowed_says_so(client, two_depot_clerk, stock, world):
    client.force_login(two_depot_clerk)
    _choose(client, str(world.depot_a.pk))
    response = client.get(reverse("inventory:lot_card", args=[stock[1].pk]))
    html = response.content.decode()
    assert response.status_code == 404
    assert "Your pages show depot DA Depot A only" in html
    assert "Show all my depots" in html


def test_a_narrowed_report_for_every_depot_covers_the_chosen_one(
    client, two_depot_clerk, stock, world
):
    """The report is rendered later for the requester's whole scope: a request made while
    narrowed names the chosen depot, even with the depot field left empty."""
    from reports.models import ReportRun

    client.force_login(two_depot_clerk)
    _choose(client, str(world.depot_b.pk))
    today = timezone.localdate().isoformat()
    answer = client.post(
        reverse("reports:report_new"),
        {"kind": "accounting_statement", "depot": "", "period_start": today, "period_end": today},
    )
    assert answer.status_code == 302
    assert ReportRun.objects.get().parameters["depot"] == world.depot_b.pk


def test_signed_out_the_choice_leads_to_the_sign_in_page(client, depot_a):
    response = _choose(client, str(depot_a.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert FOCUS_KEY not in client.session
