"""The quantity-distance API (docs/api.md): calculator, exposed sites, a storehouse's QD, a
licence generated from QD; 400 with the field named, nothing written."""

from decimal import Decimal

import pytest

from alerts.models import Alert, AlertKind
from inventory.models import LicenceLimit
from qd.models import ExposedSite, ExposedSiteDistance

pytestmark = pytest.mark.django_db


def test_distances_for_one_division(api_as, clerk):
    response = api_as(clerk).get("/api/v1/qd/distances/?hazard_division=1.1&neq_kg=10000")
    assert response.status_code == 200
    assert response.json() == {
        "hazard_division": "1.1",
        "neq_kg": "10000.000",
        "distances": {
            "ibd": 480,
            "ptr_high": 480,
            "ptr_medium": 320,
            "ptr_low": 240,
            "vbd": 960,
            "pbd": 175,
            "imd": 78,
        },
    }


def test_distances_null_where_none_applies(api_as, clerk):
    body = api_as(clerk).get("/api/v1/qd/distances/?hazard_division=1.2.1&neq_kg=1000").json()
    assert body["distances"]["ibd"] == 260
    assert body["distances"]["imd"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("hazard_division=1.7&neq_kg=10", "hazard_division"),
        ("hazard_division=1.1&neq_kg=-5", "neq_kg"),
        ("hazard_division=1.1&neq_kg=0", "neq_kg"),
        ("hazard_division=1.1&neq_kg=abc", "neq_kg"),
        ("hazard_division=1.1&neq_kg=300000", "neq_kg"),
        ("hazard_division=1.1", "neq_kg"),
    ],
)
def test_distances_bad_input_names_the_field(api_as, clerk, query, field):
    response = api_as(clerk).get(f"/api/v1/qd/distances/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_distances_need_a_signed_in_user(api_client):
    assert api_client.get("/api/v1/qd/distances/?hazard_division=1.1&neq_kg=1").status_code in {
        401,
        403,
    }


def test_assess_mixed_contents(api_as, clerk):
    response = api_as(clerk).post(
        "/api/v1/qd/assess/", {"contents": {"1.1": "1000", "1.3": "5000"}}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert [(a["as"], a["neq_kg"]) for a in body["assessed"]] == [("1.1", "6000.000")]
    assert body["distances"]["ibd"] == 405  # 22.2 x 6000^(1/3) = 403.4
    assert body["distances"]["imd"] == 66  # 3.6 x 6000^(1/3) = 65.4


@pytest.mark.parametrize(
    "contents",
    [{"1.7": "10"}, {"1.1": "-1"}, {}, {"1.1": "200000", "1.3": "100000"}, {"1.1": "x"}],
)
def test_assess_bad_contents(api_as, clerk, contents):
    response = api_as(clerk).post("/api/v1/qd/assess/", {"contents": contents}, format="json")
    assert response.status_code == 400
    assert "contents" in response.json()


def _site_payload(depot, storehouse, distance="480.0", **extra):
    return {
        "depot": depot.pk,
        "name": "Village",
        "kind": "inhabited_building",
        "distances": [{"storehouse": storehouse.pk, "distance_m": distance}],
        **extra,
    }


def test_admin_registers_a_site_and_the_storehouse_qd_follows(api_as, admin_user, depot_a, sh1):
    client = api_as(admin_user)
    response = client.post("/api/v1/exposed-sites/", _site_payload(depot_a, sh1), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Village"
    assert body["distances"] == [{"storehouse": sh1.pk, "distance_m": "480.0"}]

    qd = client.get(f"/api/v1/storehouses/{sh1.pk}/qd/").json()
    assert qd["permitted_neq_kg"]["1.1"] == 10_107
    assert qd["permitted_neq_kg"]["1.4"] is None
    assert qd["governing"]["1.1"] == {
        "exposed_site": body["id"],
        "name": "Village",
        "kind": "inhabited_building",
        "distance_m": "480.0",
    }
    assert qd["licence_within_qd"] is True  # no licence in force


def test_clerk_may_not_register_a_site(api_as, clerk, depot_a, sh1):
    response = api_as(clerk).post(
        "/api/v1/exposed-sites/", _site_payload(depot_a, sh1), format="json"
    )
    assert response.status_code == 403
    assert not ExposedSite.objects.exists()


def test_a_distance_to_a_storehouse_of_another_depot_is_refused(api_as, admin_user, depot_a, sh_b):
    response = api_as(admin_user).post(
        "/api/v1/exposed-sites/", _site_payload(depot_a, sh_b), format="json"
    )
    assert response.status_code == 400
    assert "distances" in response.json()
    assert not ExposedSite.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"kind": "school"}, "kind"), ({"name": ""}, "name"), ({"distances": "x"}, "distances")],
)
def test_bad_site_input_names_the_field(api_as, admin_user, depot_a, sh1, change, field):
    payload = {**_site_payload(depot_a, sh1), **change}
    response = api_as(admin_user).post("/api/v1/exposed-sites/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ExposedSite.objects.exists()


def test_a_second_site_of_the_same_name_is_refused(api_as, admin_user, depot_a, sh1):
    client = api_as(admin_user)
    client.post("/api/v1/exposed-sites/", _site_payload(depot_a, sh1), format="json")
    response = client.post("/api/v1/exposed-sites/", _site_payload(depot_a, sh1), format="json")
    assert response.status_code == 400
    assert "name" in response.json()
    assert ExposedSite.objects.count() == 1


def test_negative_distance_is_refused(api_as, admin_user, depot_a, sh1):
    response = api_as(admin_user).post(
        "/api/v1/exposed-sites/", _site_payload(depot_a, sh1, distance="-3.0"), format="json"
    )
    assert response.status_code == 400
    assert "distances" in response.json()


def test_licence_beyond_qd_alert_opens_and_resolves_at_once(
    api_as, admin_user, depot_a, sh1, licence
):
    client = api_as(admin_user)
    # 20,000 kg of 1.1 needs IBD 610 m: a village at 480 m permits 10,107 kg.
    site = client.post("/api/v1/exposed-sites/", _site_payload(depot_a, sh1), format="json")
    alert = Alert.objects.get(kind=AlertKind.LICENCE_BEYOND_QD, resolved_at__isnull=True)
    assert alert.storehouse_id == sh1.pk
    assert alert.severity == "critical"
    assert "10,107 kg" in alert.message
    qd = client.get(f"/api/v1/storehouses/{sh1.pk}/qd/").json()
    assert qd["licence_within_qd"] is False
    assert qd["beyond"] == ["1.1"]

    # The village is measured again, farther: the alert resolves at once.
    response = client.patch(
        f"/api/v1/exposed-sites/{site.json()['id']}/",
        {"distances": [{"storehouse": sh1.pk, "distance_m": "700.0"}]},
        format="json",
    )
    assert response.status_code == 200
    assert not Alert.objects.filter(
        kind=AlertKind.LICENCE_BEYOND_QD, resolved_at__isnull=True
    ).exists()
    assert ExposedSiteDistance.objects.get().distance_m == Decimal("700.0")
    assert ExposedSiteDistance.history.count() == 2


def test_licence_from_qd(api_as, admin_user, depot_a, sh1, licence):
    client = api_as(admin_user)
    client.post("/api/v1/exposed-sites/", _site_payload(depot_a, sh1), format="json")
    response = client.post(f"/api/v1/licences/{licence.pk}/from-qd/")
    assert response.status_code == 200, response.json()
    limits = response.json()["limits"]
    assert limits["1.1"] == "10107.000"
    assert limits["1.4"] is None
    assert set(limits) == {"1.1", "1.2.1", "1.2.2", "1.3", "1.4"}
    assert response.json()["number"] == licence.number
    assert LicenceLimit.objects.get(licence=licence, hazard_division="1.1").max_neq_kg == 10107
    # the old limit stays in the history; the alert is gone
    assert LicenceLimit.history.filter(hazard_division="1.1", max_neq_kg=20000).exists()
    assert not Alert.objects.filter(
        kind=AlertKind.LICENCE_BEYOND_QD, resolved_at__isnull=True
    ).exists()
    assert client.get(f"/api/v1/storehouses/{sh1.pk}/qd/").json()["licence_within_qd"] is True


def test_licence_from_qd_without_sites_is_refused(api_as, admin_user, licence):
    response = api_as(admin_user).post(f"/api/v1/licences/{licence.pk}/from-qd/")
    assert response.status_code == 409
    assert response.json()["code"] == "no_exposed_sites"
    assert LicenceLimit.objects.get(licence=licence, hazard_division="1.1").max_neq_kg == 20000


def test_licence_from_qd_is_for_admins(api_as, clerk, licence):
    assert api_as(clerk).post(f"/api/v1/licences/{licence.pk}/from-qd/").status_code == 403


def test_outside_scope_reads_as_not_found(api_as, clerk_b, sh1, licence):
    client = api_as(clerk_b)
    assert client.get(f"/api/v1/storehouses/{sh1.pk}/qd/").status_code == 404
    assert client.post(f"/api/v1/licences/{licence.pk}/from-qd/").status_code == 404


def test_site_list_is_scoped(api_as, admin_user, clerk_b, depot_a, sh1):
    api_as(admin_user).post("/api/v1/exposed-sites/", _site_payload(depot_a, sh1), format="json")
    assert api_as(clerk_b).get("/api/v1/exposed-sites/").json()["results"] == []
