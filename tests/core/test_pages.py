"""Every page and endpoint requires login, except the few that must not; health; error shapes."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from core.drf import exception_handler
from core.errors import ApplicationError

pytestmark = pytest.mark.django_db

PUBLIC = {
    "/accounts/login/",  # the login page
    "/admin/login/",  # the admin's own login page
    "/healthz",  # load balancers and compose health checks
    "/api/v1/auth/token/",  # token sign-in (POST only; GET is 405)
}


def _paths(patterns=None, prefix=""):
    """Every URL the project routes, with each parameter filled with a plausible value."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _paths(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            if "format" in route:
                continue  # DRF's ".json" suffix variants of routes already listed
            path = re.sub(r"\(\?P<[^>]+>[^)]+\)", "1", route)
            path = re.sub(r"<(?:int:)?[^>]+>", "1", path)
            path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
            if not re.search(r"[()\[\]?*+|]", path):
                yield "/" + path


ROUTED = sorted(set(_paths()))


def test_the_walk_finds_the_routes():
    assert {"/", "/accounts/login/", "/api/v1/depots/", "/api/v1/depots/1/", "/admin/"} <= set(
        ROUTED
    )


@pytest.mark.parametrize("path", [p for p in ROUTED if p not in PUBLIC])
def test_anonymous_is_refused_everywhere(client, path):
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code in {401, 404}, path
    elif response.status_code == 302:
        assert "/login/" in response["Location"], path
    else:
        # Only a page that refuses GET outright (sign-out) may answer otherwise.
        assert response.status_code == 405, path


@pytest.mark.parametrize("path", sorted(PUBLIC))
def test_public_paths_answer_without_login(client, path):
    assert client.get(path).status_code in {200, 405}


def test_healthz_reports_both_services(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_names_a_broker_failure(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error:")
    assert response.json()["database"] == "ok"


def test_api_404_is_json(api_as, officer):
    response = api_as(officer).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_page_404_is_html(client, officer):
    client.force_login(officer)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_domain_error_becomes_409_with_code():
    class LotBanned(ApplicationError):
        code = "lot_banned"

    response = exception_handler(LotBanned("Lot X is banned", lot=7), {})
    assert response.status_code == 409
    assert response.data == {"code": "lot_banned", "detail": "Lot X is banned", "lot": 7}


@pytest.mark.parametrize("query", ["page=0", "page=abc", "page=", "page_size=0", "page_size=x"])
def test_bad_pagination_is_400(api_as, officer, query):
    response = api_as(officer).get(f"/api/v1/depots/?{query}")
    assert response.status_code == 400


def test_page_past_the_end_is_404(api_as, officer, depot_a):
    assert api_as(officer).get("/api/v1/depots/?page=9").status_code == 404


def test_api_docs_are_served_locally(api_as, officer):
    client = api_as(officer)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/v1/depots/" in schema.json()["paths"]


def test_signed_in_pages_are_not_cached(client, officer):
    client.force_login(officer)
    assert client.get("/")["Cache-Control"] == "private, no-store"
    assert client.get("/api/v1/depots/")["Cache-Control"] == "private, no-store"
