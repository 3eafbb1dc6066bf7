"""Sign-in, throttling, sign-out, password change, session expiry and API tokens."""

import pytest
from django.conf import settings
from django.urls import reverse
from knox.models import AuthToken

from accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_is_public_and_labelled(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert settings.CLASSIFICATION_MARKING in html


def test_sign_in_lands_on_home(client, clerk):
    response = sign_in(client, "clerk_a")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert 'data-role="clerk"' in home.content.decode()


def test_wrong_password_is_refused_and_keeps_username(client, clerk):
    response = sign_in(client, "clerk_a", "wrong-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please enter a correct username and password" in html
    assert 'value="clerk_a"' in html
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, clerk):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "clerk_a", "wrong-password")
    response = sign_in(client, "clerk_a")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_other_users_are_not_locked_by_someone_elses_failures(client, clerk, officer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "clerk_a", "wrong-password")
    assert sign_in(client, "officer").status_code == 302


def test_sign_out_needs_post_and_ends_the_session(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_session_is_an_idle_timeout(client, clerk):
    client.force_login(clerk)
    client.get(reverse("home"))
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert client.session.get_expire_at_browser_close()


def test_password_change(client, clerk):
    client.force_login(clerk)
    new = "a-much-better-passphrase-42"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(new)


def test_password_change_refuses_weak_password(client, clerk):
    client.force_login(clerk)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)


def test_api_token_round_trip(api_client, clerk, depot_a):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "clerk_a", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201
    token = response.json()["token"]
    assert AuthToken.objects.filter(user=clerk).count() == 1
    # Knox stores a digest, never the token itself.
    assert not AuthToken.objects.filter(digest=token).exists()

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/depots/").json()["results"][0]["code"] == "DA"
    assert api_client.post("/api/v1/auth/logout/").status_code == 204
    assert AuthToken.objects.filter(user=clerk).count() == 0
    assert api_client.get("/api/v1/depots/").status_code == 401


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "clerk_a", "password": "wrong"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "clerk_a"},
        {},
    ],
)
def test_api_token_refused_with_400_and_no_token(api_client, clerk, payload):
    response = api_client.post("/api/v1/auth/token/", payload, format="json")
    assert response.status_code == 400
    assert AuthToken.objects.count() == 0


def test_api_token_refused_for_inactive_user(api_client, clerk):
    User.objects.filter(pk=clerk.pk).update(is_active=False)
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "clerk_a", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert AuthToken.objects.count() == 0


def test_api_token_locked_after_repeated_failures(api_client, clerk):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api_client.post(
            "/api/v1/auth/token/", {"username": "clerk_a", "password": "bad"}, format="json"
        )
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "clerk_a", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.json()["detail"]
    assert AuthToken.objects.count() == 0
