"""The Django administration is no way around the services: an administrator cannot vet
themselves, widen their own roles or scope, record a waiver without the waiver service, or make a
condition code issuable."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from inventory.models import ConditionCode, Waiver
from tests.factories import StorehouseFactory, UserFactory


@pytest.fixture
def lapsed_admin(db):
    from core.roles import Role

    return UserFactory(
        username="admin_lapsed",
        roles=[Role.ADMIN],
        vetting_expires_on=timezone.localdate() - timedelta(days=1),
        is_staff=True,
        is_superuser=True,
    )


def change_form(user: User) -> dict:
    return {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "roles": user.roles,
        "vetting_level": "top_secret",
        "vetting_expires_on": (timezone.localdate() + timedelta(days=3650)).isoformat(),
        "vetting_reference": "self-approved",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }


def test_an_administrator_cannot_renew_their_own_vetting(client, lapsed_admin):
    client.force_login(lapsed_admin)
    url = reverse("admin:accounts_user_change", args=[lapsed_admin.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="vetting_expires_on"' not in page.content  # shown, not editable
    before = User.objects.values().get(pk=lapsed_admin.pk)
    response = client.post(url, {**change_form(lapsed_admin), "national": "on"})
    assert response.status_code == 302  # the form was valid and saved: only those fields held
    after = User.objects.values().get(pk=lapsed_admin.pk)
    for field in ("vetting_level", "vetting_expires_on", "vetting_reference", "roles", "national"):
        assert after[field] == before[field], field


def test_another_administrator_can(client, lapsed_admin, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[lapsed_admin.pk])
    page = client.get(url)
    assert b'name="vetting_expires_on"' in page.content


def test_waivers_are_not_recorded_or_changed_in_the_admin(client, admin_user, depot_a):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    storehouse = StorehouseFactory(depot=depot_a)
    response = client.post(
        reverse("admin:inventory_waiver_add"),
        {
            "storehouse": storehouse.pk,
            "rule": "mixing",
            "reason": "bypass",
            "authority_reference": "X",
            "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 403
    assert not Waiver.objects.exists()
    assert client.get(reverse("admin:inventory_waiver_changelist")).status_code == 200


def test_condition_codes_are_read_only_in_the_admin(client, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    condemned = ConditionCode.objects.get(code="H")
    response = client.post(
        reverse("admin:inventory_conditioncode_change", args=["H"]),
        {"code": "H", "availability": "issuable", "meaning": condemned.meaning},
    )
    assert response.status_code == 403
    condemned.refresh_from_db()
    assert condemned.availability != "issuable"
