"""Waiver pages: the list of the user's depots, and recording one (DESIGN.md §4)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.models import Waiver
from inventory.models.reference import WaiverRule
from inventory.services.reference import waiver_create

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def url(name, *args):
    return reverse(f"inventory:{name}", args=args)


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def waiver_data(storehouse, **overrides):
    data = {
        "storehouse": storehouse.pk,
        "rule": WaiverRule.SEGREGATION_N2,
        "authority_reference": "NTA-2026-17",
        "expires_on": (TODAY() + timedelta(days=90)).isoformat(),
        "reason": "Traverse between the F and D stacks",
    }
    data.update(overrides)
    return data


@pytest.fixture
def waivers(world, inspector, admin_user):
    """An active and an expired waiver in depot A's SH1, one active in depot B's SH3."""
    active = waiver_create(
        storehouse=world.sh1,
        rule=WaiverRule.SEGREGATION_N2,
        reason="Traverse",
        authority_reference="NTA-1",
        expires_on=TODAY() + timedelta(days=30),
        recorded_by=inspector,
    )
    expired = Waiver.objects.create(
        storehouse=world.sh1,
        rule=WaiverRule.ISOLATION,
        reason="Old",
        authority_reference="NTA-0",
        expires_on=TODAY() - timedelta(days=1),
        recorded_by=inspector,
    )
    other = waiver_create(
        storehouse=world.sh3,
        rule=WaiverRule.AUTHORITY_N4,
        reason="Depot B's",
        authority_reference="NTA-B",
        expires_on=TODAY() + timedelta(days=30),
        recorded_by=admin_user,
    )
    return active, expired, other


def listed(client, **params):
    response = client.get(url("waiver_list"), params)
    assert response.status_code == 200
    return {w.authority_reference for w in response.context["page"].rows}


def test_list_shows_the_waivers_of_my_depots_active_and_expired(waivers, inspector, as_user):
    client = as_user(inspector)
    assert listed(client) == {"NTA-1", "NTA-0"}
    assert listed(client, state="active") == {"NTA-1"}
    assert listed(client, state="expired") == {"NTA-0"}
    assert listed(client, rule=WaiverRule.ISOLATION) == {"NTA-0"}
    html = client.get(url("waiver_list")).content.decode()
    assert "In force" in html
    assert "Expired" in html
    assert "Traverse" in html
    assert "Record a waiver" in html
    # Another depot's storehouse is not a choice: the filter is refused, nothing is listed.
    assert listed(client, storehouse=waivers[2].storehouse_id) == set()


def test_htmx_request_gets_only_the_results(waivers, inspector, as_user):
    response = as_user(inspector).get(url("waiver_list"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert next(t.name for t in response.templates) == "inventory/partials/waiver_results.html"


@pytest.mark.parametrize("role", ["clerk", "auditor", "officer"])
def test_other_roles_read_the_list_but_may_not_record(request, waivers, world, as_user, role):
    client = as_user(request.getfixturevalue(role))
    expected = {"NTA-1", "NTA-0"} if role == "clerk" else {"NTA-1", "NTA-0", "NTA-B"}
    assert listed(client) == expected
    assert "Record a waiver" not in client.get(url("waiver_list")).content.decode()
    assert client.get(url("waiver_new")).status_code == 403
    response = client.post(url("waiver_new"), waiver_data(world.sh1))
    assert response.status_code == 403
    assert Waiver.objects.count() == 3


def test_inspector_records_a_waiver(world, inspector, as_user):
    client = as_user(inspector)
    page = client.get(url("waiver_new"), {"storehouse": world.sh1.pk})
    assert page.status_code == 200
    assert page.context["form"]["storehouse"].value() == world.sh1.pk
    choices = set(page.context["form"].fields["storehouse"].queryset)
    assert choices == {world.sh1, world.sh2, world.unlicensed}

    response = client.post(url("waiver_new"), waiver_data(world.sh1), follow=True)
    waiver = Waiver.objects.get()
    assert response.redirect_chain[-1][0] == f"{url('waiver_list')}?storehouse={world.sh1.pk}"
    assert waiver.storehouse == world.sh1
    assert waiver.rule == WaiverRule.SEGREGATION_N2
    assert waiver.recorded_by == inspector
    assert waiver.history.get().history_user == inspector
    assert f"Waiver recorded for storehouse DA/SH1 until {waiver.expires_on}" in (
        response.content.decode()
    )


def test_waiver_expiring_in_the_past_is_refused(world, inspector, as_user):
    data = waiver_data(world.sh1, expires_on=(TODAY() - timedelta(days=1)).isoformat())
    response = as_user(inspector).post(url("waiver_new"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["expires_on"] == ["A waiver cannot expire in the past."]
    assert "Nothing was saved" in response.content.decode()
    assert not Waiver.objects.exists()


def test_missing_and_bad_fields_are_shown_and_nothing_is_written(world, inspector, as_user):
    data = waiver_data(world.sh1, rule="n3", reason="", authority_reference="", expires_on="x")
    response = as_user(inspector).post(url("waiver_new"), data)
    errors = response.context["form"].errors
    assert set(errors) == {"rule", "reason", "authority_reference", "expires_on"}
    # What was typed stays.
    assert response.context["form"]["storehouse"].value() == str(world.sh1.pk)
    assert not Waiver.objects.exists()


def test_another_depots_storehouse_is_404_by_url_and_not_a_choice(world, inspector, as_user):
    client = as_user(inspector)
    assert client.get(url("waiver_new"), {"storehouse": world.sh3.pk}).status_code == 404
    assert client.get(url("waiver_new"), {"storehouse": 999_999}).status_code == 404
    assert client.get(url("waiver_new"), {"storehouse": "x"}).status_code == 404
    response = client.post(url("waiver_new"), waiver_data(world.sh3))
    assert response.status_code == 200
    assert "storehouse" in response.context["form"].errors
    assert not Waiver.objects.exists()


def test_in_scope_storehouse_without_the_waiver_role_is_403(world, as_user):
    from core.roles import Role
    from tests.factories import UserFactory

    # An officer reads every depot, and is an inspector of depot A only.
    user = UserFactory(
        username="officer_inspector", roles=[Role.OFFICER, Role.INSPECTOR], depots=[world.depot_a]
    )
    client = as_user(user)
    assert client.get(url("waiver_new"), {"storehouse": world.sh1.pk}).status_code == 200
    assert client.get(url("waiver_new"), {"storehouse": world.sh3.pk}).status_code == 403


@pytest.mark.parametrize("role", ["admin_user", "national_inspector"])
def test_admins_and_national_inspectors_record_in_any_depot(request, world, as_user, role):
    user = request.getfixturevalue(role)
    response = as_user(user).post(url("waiver_new"), waiver_data(world.sh3))
    assert response.status_code == 302
    assert Waiver.objects.get().storehouse == world.sh3


def test_stock_page_links_to_the_waivers_of_each_storehouse(world, inspector, clerk, as_user):
    html = as_user(inspector).get(url("stock_list")).content.decode()
    assert f"{url('waiver_list')}?storehouse={world.sh1.pk}" in html
    assert f"{url('waiver_new')}?storehouse={world.sh1.pk}" in html
    html = as_user(clerk).get(url("stock_list")).content.decode()
    assert f"{url('waiver_list')}?storehouse={world.sh1.pk}" in html
    assert url("waiver_new") not in html


def test_a_recorded_waiver_lets_the_receipt_through(world, inspector, clerk, as_user):
    """The page's waiver is the one the posting service reads (an F lot next to D stock)."""
    from decimal import Decimal

    from inventory.errors import StorageIncompatible
    from inventory.models import AmmunitionType

    flare = AmmunitionType.objects.create(
        code="FLARE",
        name="Flare",
        category="other",
        hazard_division="1.1",
        compatibility_group="F",
        neq_per_unit_kg=Decimal("0.1"),
    )
    world.stock(clerk, world.lot(world.tnt, "TNT-1"), world.sh1, 10)
    with pytest.raises(StorageIncompatible):
        world.stock(clerk, world.lot(flare, "F-1"), world.sh1, 10)
    as_user(inspector).post(url("waiver_new"), waiver_data(world.sh1))
    world.stock(clerk, world.lot(flare, "F-2"), world.sh1, 10)
