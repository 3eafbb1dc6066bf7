"""Per-user limits on expensive requests (issue 15, part B; DESIGN.md §11): 429 `rate_limited`
with Retry-After on the API, a clear message on the pages; counted per user in Redis."""

import pytest
from django.core.cache import cache

from core.ratelimit import RateLimited, RateScope, rate_limit
from tests.reports.conftest import history, media  # noqa: F401 (the reports' fixtures)

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/"


@pytest.fixture
def limits(settings):
    settings.STOCKPILE_RATE_LIMITS = {
        "report_request": "2/10m",
        "verification": "2/10m",
        "export": "2/1h",
        "recomputation": "1/1h",
    }
    return settings.STOCKPILE_RATE_LIMITS


def assert_limited(response, scope):
    assert response.status_code == 429, response.content
    body = response.json()
    assert body["code"] == "rate_limited"
    assert body["scope"] == scope
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 3600
    assert body["retry_after"] == retry_after


def test_the_defaults_are_the_designs():
    from django.conf import settings

    assert settings.STOCKPILE_RATE_LIMITS == {
        "report_request": "20/10m",
        "verification": "30/10m",
        "export": "60/1h",
        "recomputation": "10/1h",
        # Imports (issue 19): limited like exports.
        "import": "60/1h",
    }


def test_report_requests_per_user(limits, history, api_as, auditor, officer):  # noqa: F811
    body = {"kind": "accounting_statement", "parameters": history.parameters()}
    client = api_as(auditor)
    for _ in range(2):
        assert client.post(REPORTS, body, format="json").status_code == 202
    assert_limited(client.post(REPORTS, body, format="json"), "report_request")
    # Another user has a count of their own.
    assert api_as(officer).post(REPORTS, body, format="json").status_code == 202


def test_the_count_is_in_redis(limits, auditor):
    rate_limit(auditor, RateScope.REPORT_REQUEST)
    client = cache._cache.get_client(write=True)
    assert list(client.scan_iter("*ratelimit:*"))


def test_administrators_are_limited_too(limits, admin_user):
    rate_limit(admin_user, RateScope.RECOMPUTATION)
    with pytest.raises(RateLimited) as refused:
        rate_limit(admin_user, RateScope.RECOMPUTATION)
    assert refused.value.status == 429


def test_an_empty_limit_is_off(settings, auditor):
    settings.STOCKPILE_RATE_LIMITS = {"verification": ""}
    for _ in range(50):
        rate_limit(auditor, RateScope.VERIFICATION)


def test_ledger_and_report_verifications_share_a_limit(limits, api_as, auditor, world):
    client = api_as(auditor)
    assert client.post("/api/v1/ledger-verification/").status_code == 200
    answer = client.post("/api/v1/reports/verify/", {"number": "RPT-2026-000001"}, format="json")
    assert answer.status_code == 400  # counted: no such report
    assert_limited(client.post("/api/v1/ledger-verification/"), "verification")
    assert_limited(
        client.post("/api/v1/reports/verify/", {"number": "RPT-2026-000001"}, format="json"),
        "verification",
    )


def test_exports(limits, api_as, auditor, world):
    client = api_as(auditor)
    for _ in range(2):
        assert client.get("/api/v1/audit-log/export/").status_code == 200
    assert_limited(client.get("/api/v1/audit-log/export/"), "export")


def test_surplus_recomputation(limits, api_as, officer, world):
    client = api_as(officer)
    assert client.post("/api/v1/surplus-snapshots/", {}, format="json").status_code == 202
    assert_limited(client.post("/api/v1/surplus-snapshots/", {}, format="json"), "recomputation")


def test_pages_say_so_clearly(limits, client, auditor, world):
    client.force_login(auditor)
    for _ in range(2):
        assert client.post("/audit/ledger/verify/").status_code == 302
    refused = client.post("/audit/ledger/verify/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    page = refused.content.decode()
    assert "Too many report and ledger verifications in a short time" in page
    assert "Try again in" in page
    for _ in range(2):
        assert client.get("/audit/ledger/checkpoints.json").status_code == 200
    refused = client.get("/audit/ledger/checkpoints.json")
    assert refused.status_code == 429
    assert "Too many exports" in refused.content.decode()


def test_report_request_page(limits, history, client, auditor):  # noqa: F811
    client.force_login(auditor)
    data = {"kind": "accounting_statement", **history.parameters()}
    answers = [client.post("/reports/new/", data) for _ in range(3)]
    assert [a.status_code for a in answers[:2]] == [302, 302], answers[0].content.decode()[:3000]
    assert "Too many report requests" in answers[2].content.decode()
