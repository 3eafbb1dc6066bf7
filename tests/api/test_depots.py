"""depots/ under the role and scope matrix: 404 outside scope, 403 for a role, 400 for bad input."""

import pytest

from inventory.models import Depot

pytestmark = pytest.mark.django_db


def codes(response):
    return sorted(row["code"] for row in response.json()["results"])


def test_anonymous_gets_401(api_client, depot_a):
    response = api_client.get("/api/v1/depots/")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("clerk", ["DA"]),
        ("inspector", ["DA"]),
        ("clerk_b", ["DB"]),
        ("national_inspector", ["DA", "DB"]),
        ("officer", ["DA", "DB"]),
        ("auditor", ["DA", "DB"]),
        ("admin_user", ["DA", "DB"]),
    ],
)
def test_list_shows_exactly_the_scope(request, api_as, depot_a, depot_b, who, expected):
    response = api_as(request.getfixturevalue(who)).get("/api/v1/depots/")
    assert response.status_code == 200
    assert codes(response) == expected
    assert response.json()["count"] == len(expected)


def test_list_fields_are_the_contract(api_as, officer, depot_a):
    row = api_as(officer).get("/api/v1/depots/").json()["results"][0]
    assert row == {"id": depot_a.pk, "code": "DA", "name": "Depot A", "region": "North"}


def test_other_depot_is_404_for_clerk(api_as, clerk, depot_b):
    assert api_as(clerk).get(f"/api/v1/depots/{depot_b.pk}/").status_code == 404


def test_own_depot_is_visible_to_clerk(api_as, clerk, depot_a):
    response = api_as(clerk).get(f"/api/v1/depots/{depot_a.pk}/")
    assert response.status_code == 200
    assert response.json()["code"] == "DA"


def test_filter_by_region(api_as, officer, depot_a, depot_b):
    assert codes(api_as(officer).get("/api/v1/depots/?region=south")) == ["DB"]


@pytest.mark.parametrize("who", ["clerk", "inspector", "officer", "auditor"])
def test_only_admin_creates(request, api_as, who):
    response = api_as(request.getfixturevalue(who)).post(
        "/api/v1/depots/", {"code": "D09", "name": "New", "region": "East"}, format="json"
    )
    assert response.status_code == 403
    assert not Depot.objects.filter(code="D09").exists()


def test_admin_creates(api_as, admin_user):
    response = api_as(admin_user).post(
        "/api/v1/depots/", {"code": "D09", "name": "New depot", "region": "East"}, format="json"
    )
    assert response.status_code == 201
    depot = Depot.objects.get(code="D09")
    assert response.json() == {"id": depot.pk, "code": "D09", "name": "New depot", "region": "East"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"code": "d9", "name": "Lower", "region": "East"}, "code"),
        ({"code": "D-9", "name": "Dash", "region": "East"}, "code"),
        ({"code": "DA", "name": "Duplicate", "region": "East"}, "code"),
        ({"code": "D10", "region": "East"}, "name"),
        ({"code": "D10", "name": "", "region": "East"}, "name"),
    ],
)
def test_bad_input_is_400_and_writes_nothing(api_as, admin_user, depot_a, payload, field):
    before = Depot.objects.count()
    response = api_as(admin_user).post("/api/v1/depots/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Depot.objects.count() == before
