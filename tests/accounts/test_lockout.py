"""Login lockout holds whatever address a guesser claims or uses (issue 15, ASVS 2.2.1).

The client's address is the connection's unless settings.TRUSTED_PROXY_COUNT names proxies in
front; an account is locked after LOGIN_FAILURE_LIMIT failures from any address, and each
further round of failures doubles the lock.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse
from knox.models import AuthToken

from audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def forged(n: int) -> dict:
    return {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"}


def web_sign_in(client, password, **extra):
    return client.post(reverse("login"), {"username": "clerk_a", "password": password}, **extra)


def token_request(api_client, password, **extra):
    return api_client.post(
        TOKEN_URL, {"username": "clerk_a", "password": password}, format="json", **extra
    )


def test_forged_forwarded_for_does_not_reset_the_web_lockout(client, clerk):
    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        assert web_sign_in(client, "wrong-password", **forged(n)).status_code in (200, 429)
    response = web_sign_in(client, PASSWORD, **forged(99))
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_forged_forwarded_for_does_not_reset_the_token_lockout(api_client, clerk):
    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        token_request(api_client, "wrong-password", **forged(n))
    response = token_request(api_client, PASSWORD, **forged(99))
    assert response.status_code == 429
    assert AuthToken.objects.count() == 0


def test_the_audit_log_records_the_connection_not_the_claimed_address(client, clerk):
    web_sign_in(client, "wrong-password", REMOTE_ADDR="198.51.100.7", **forged(1))
    event = AuditEvent.objects.get(action="login_failed")
    assert event.ip_address == "198.51.100.7"


def test_the_account_is_locked_whatever_real_address_guesses(client, api_client, clerk):
    for n in range(settings.AXES_FAILURE_LIMIT):
        web_sign_in(client, "wrong-password", REMOTE_ADDR=f"198.51.100.{n + 1}")
    assert web_sign_in(client, PASSWORD, REMOTE_ADDR="192.0.2.50").status_code == 429
    assert token_request(api_client, PASSWORD, REMOTE_ADDR="192.0.2.51").status_code == 429
    assert AuthToken.objects.count() == 0


def _age_attempts(by: timedelta) -> None:
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - by)


def test_the_lock_ends_after_the_cool_off(client, clerk):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        web_sign_in(client, "wrong-password")
    assert web_sign_in(client, PASSWORD).status_code == 429
    _age_attempts(settings.LOGIN_LOCKOUT + timedelta(minutes=1))
    assert web_sign_in(client, PASSWORD).status_code == 302


def test_each_further_round_of_failures_doubles_the_lock(client, clerk):
    for _ in range(2 * settings.AXES_FAILURE_LIMIT):
        web_sign_in(client, "wrong-password")
    # One base period later: still locked (the second round doubled it).
    _age_attempts(settings.LOGIN_LOCKOUT + timedelta(minutes=1))
    assert web_sign_in(client, PASSWORD).status_code == 429
    # That refused attempt counts as a failure too and starts the lock again.
    _age_attempts(2 * settings.LOGIN_LOCKOUT + timedelta(minutes=1))
    assert web_sign_in(client, PASSWORD).status_code == 302


@override_settings(LOGIN_LOCKOUT_MAX=timedelta(minutes=20))
def test_the_lock_never_exceeds_its_ceiling(client, clerk):
    for _ in range(6 * settings.AXES_FAILURE_LIMIT):
        web_sign_in(client, "wrong-password")
    _age_attempts(timedelta(minutes=21))
    assert web_sign_in(client, PASSWORD).status_code == 302


def test_the_token_throttle_counts_the_real_client_not_the_claimed_one(api_client, db):
    for n in range(30):
        assert api_client.post(TOKEN_URL, {}, format="json", **forged(n)).status_code == 400
    response = api_client.post(TOKEN_URL, {}, format="json", **forged(200))
    assert response.status_code == 429


def _request(remote: str = "10.0.0.2", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, "10.0.0.2"),
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy configured: the header is the client's text
        (1, None, "10.0.0.2"),
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "203.0.113.9, 192.0.2.1", "192.0.2.1"),  # the forged left part is ignored
        (2, "203.0.113.9, 192.0.2.1, 10.0.0.1", "192.0.2.1"),
        (2, "192.0.2.1", "192.0.2.1"),
        (1, "not-an-address", "10.0.0.2"),
    ],
)
def test_client_ip_reads_forwarded_for_only_behind_trusted_proxies(proxies, forwarded, expected):
    from core.net import client_ip

    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(_request(forwarded=forwarded)) == expected


@override_settings(
    TRUSTED_PROXY_COUNT=1, REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
)
def test_behind_a_proxy_lockout_and_throttle_key_on_the_address_the_proxy_saw(api_client, clerk):
    for n in range(settings.AXES_FAILURE_LIMIT):
        chain = f"203.0.113.{n}, 192.0.2.1"
        token_request(api_client, "wrong-password", HTTP_X_FORWARDED_FOR=chain)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.1"}
    assert token_request(api_client, PASSWORD, **forged(7)).status_code == 429
