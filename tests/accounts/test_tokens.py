"""API tokens end: on a password change, on deactivation, at an absolute lifetime, and never
pile up beyond a cap per user (issue 15; ASVS 3.3)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
NEW_PASSWORD = "a-much-better-passphrase-42"


def sign_in(api_client, username="clerk_a", password=PASSWORD) -> str:
    response = api_client.post(
        TOKEN_URL, {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()["token"]


def works(api_client, token) -> bool:
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    status = api_client.get("/api/v1/depots/").status_code
    api_client.credentials()
    return status == 200


def test_a_password_change_on_the_password_page_revokes_the_tokens(client, api_client, clerk):
    token = sign_in(api_client)
    client.force_login(clerk)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert AuthToken.objects.filter(user=clerk).count() == 0
    assert not works(api_client, token)


def test_a_password_set_by_an_administrator_revokes_the_tokens(
    client, api_client, clerk, admin_user
):
    token = sign_in(api_client)
    client.force_login(admin_user)
    response = client.post(
        f"/admin/accounts/user/{clerk.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not works(api_client, token)


def test_any_saved_password_change_revokes_the_tokens(api_client, clerk):
    """`manage.py changepassword` and the shell go through set_password and save."""
    token = sign_in(api_client)
    clerk.set_password(NEW_PASSWORD)
    clerk.save()
    assert not works(api_client, token)


def test_a_save_without_a_password_change_keeps_the_tokens(api_client, clerk):
    token = sign_in(api_client)
    clerk.first_name = "Renamed"
    clerk.save()
    assert works(api_client, token)


def test_deactivation_revokes_the_tokens_for_good(client, api_client, clerk, admin_user):
    token = sign_in(api_client)
    client.force_login(admin_user)
    page = client.get(f"/admin/accounts/user/{clerk.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("is_active", "password", "roles")
    }
    data.update(
        {
            "roles": clerk.roles,
            "date_joined_0": clerk.date_joined.date().isoformat(),
            "date_joined_1": "00:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(f"/admin/accounts/user/{clerk.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    clerk.refresh_from_db()
    assert not clerk.is_active
    assert AuthToken.objects.filter(user=clerk).count() == 0
    clerk.is_active = True
    clerk.save()
    assert not works(api_client, token)


def test_tokens_per_user_are_capped_by_revoking_the_oldest(api_client, clerk):
    limit = settings.REST_KNOX["TOKEN_LIMIT_PER_USER"]
    tokens = [sign_in(api_client) for _ in range(limit)]
    newest = sign_in(api_client)
    assert AuthToken.objects.filter(user=clerk).count() == limit
    assert not works(api_client, tokens[0])  # the oldest was revoked
    assert works(api_client, tokens[1])
    assert works(api_client, newest)


def test_expired_tokens_do_not_count_towards_the_cap(api_client, clerk):
    limit = settings.REST_KNOX["TOKEN_LIMIT_PER_USER"]
    for _ in range(limit):
        sign_in(api_client)
    AuthToken.objects.filter(user=clerk).update(expiry=timezone.now() - timedelta(seconds=1))
    sign_in(api_client)
    assert AuthToken.objects.filter(user=clerk).count() == 1


def test_use_never_extends_a_token_past_its_absolute_lifetime(api_client, clerk):
    token = sign_in(api_client)
    max_age = settings.REST_KNOX["AUTO_REFRESH_MAX_TTL"]
    created = timezone.now() - max_age + timedelta(minutes=10)
    AuthToken.objects.filter(user=clerk).update(
        created=created, expiry=timezone.now() + timedelta(minutes=5)
    )
    assert works(api_client, token)
    assert AuthToken.objects.get(user=clerk).expiry == created + max_age
    AuthToken.objects.filter(user=clerk).update(
        created=created - timedelta(minutes=11), expiry=created + max_age - timedelta(minutes=11)
    )
    assert not works(api_client, token)


def test_sign_out_everywhere_revokes_every_token(api_client, clerk):
    first, second = sign_in(api_client), sign_in(api_client)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert api_client.post("/api/v1/auth/logout-all/").status_code == 204
    api_client.credentials()
    assert not works(api_client, second)
    assert AuthToken.objects.filter(user=clerk).count() == 0
