"""The language choice (issue 17): saved on the user, it wins over the browser's; empty, the
browser's Accept-Language applies; signed out, the cookie carries it to the sign-in page. A
language that is not offered, or a foreign `next`, is refused or ignored."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

CHOOSE = reverse("language")


def _lang(response) -> tuple[str, str]:
    html = response.content.decode()
    head = html[html.index("<html") : html.index(">", html.index("<html"))]
    return head.split('lang="')[1].split('"')[0], head.split('dir="')[1].split('"')[0]


def test_a_saved_language_wins_over_the_browser(client, clerk):
    client.force_login(clerk)
    response = client.post(CHOOSE, {"language": "fr", "next": "/stock/"})
    assert response.status_code == 302
    assert response["Location"] == "/stock/"
    clerk.refresh_from_db()
    assert clerk.language == "fr"
    page = client.get("/stock/", HTTP_ACCEPT_LANGUAGE="es")
    assert _lang(page) == ("fr", "ltr")
    assert page["Content-Language"] == "fr"
    # The form shows the choice.
    assert '<option value="fr" lang="fr" selected>' in page.content.decode()


def test_empty_follows_the_browser(client, clerk):
    clerk.language = "ru"
    clerk.save()
    client.force_login(clerk)
    assert _lang(client.get("/", HTTP_ACCEPT_LANGUAGE="es"))[0] == "ru"
    client.post(CHOOSE, {"language": "", "next": "/"})
    clerk.refresh_from_db()
    assert clerk.language == ""
    assert _lang(client.get("/", HTTP_ACCEPT_LANGUAGE="es"))[0] == "es"
    assert _lang(client.get("/", HTTP_ACCEPT_LANGUAGE="ar"))[0:2] == ("ar", "rtl")


def test_signed_out_the_cookie_carries_the_choice(client):
    response = client.post(CHOOSE, {"language": "ar", "next": reverse("login")})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    assert _lang(client.get(reverse("login"))) == ("ar", "rtl")


@pytest.mark.parametrize("language", ["xx", "de", "en-GB<script>", "f" * 50])
def test_a_language_not_offered_is_refused_and_nothing_changes(client, clerk, language):
    client.force_login(clerk)
    response = client.post(CHOOSE, {"language": language, "next": "/"})
    assert response.status_code == 400
    clerk.refresh_from_db()
    assert clerk.language == ""
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_a_foreign_next_goes_home(client, clerk, target):
    client.force_login(clerk)
    response = client.post(CHOOSE, {"language": "es", "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_only_post(client, clerk):
    client.force_login(clerk)
    assert client.get(CHOOSE, {"language": "fr"}).status_code == 405
    clerk.refresh_from_db()
    assert clerk.language == ""


def test_an_administrator_sets_a_users_language(client, admin_user, clerk):
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[clerk.pk])
    page = client.get(url).content.decode()
    assert '<option value="ar">العربية</option>' in page
    assert 'name="language"' in page
