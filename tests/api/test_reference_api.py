"""Reference-data endpoints under the role and scope matrix (DESIGN.md §1, §11).

storehouses/, licences/ and waivers/ are depot-scoped: 404 for another depot's object by URL, and
its id in a request body gets the same 400 as an id that does not exist. ammunition-types/ and
recipients/ are national: every signed-in user reads them. Creation: 403 for a role that may not,
with nothing written; 400 with field errors for bad input, with nothing written; 201 with exactly
the contract's fields.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from inventory import models, reference_data
from inventory.models import (
    AmmunitionType,
    Licence,
    LicenceLimit,
    Recipient,
    Storehouse,
    Waiver,
)
from tests.factories import (
    AmmunitionTypeFactory,
    LicenceFactory,
    RecipientFactory,
    StorehouseFactory,
    WaiverFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference_policy(db):
    """The legal hazard codes and other policy tables: the data migration loads them, but a
    transactional test's flush empties every table; loading again is idempotent."""
    reference_data.load(
        HazardCode=models.HazardCode,
        ConditionCode=models.ConditionCode,
        MixingMatrixVersion=models.MixingMatrixVersion,
        MixingCell=models.MixingCell,
        PolicySetting=models.PolicySetting,
    )


ROLES = ["clerk", "inspector", "officer", "auditor", "admin_user"]
MISSING_ID = 987654321


@pytest.fixture
def storehouse_a(depot_a):
    return StorehouseFactory(depot=depot_a, code="SH1", name="Magazine A1")


@pytest.fixture
def storehouse_b(depot_b):
    return StorehouseFactory(depot=depot_b, code="SH1", name="Magazine B1")


@pytest.fixture
def licence_a(storehouse_a):
    return LicenceFactory(storehouse=storehouse_a, number="EL-A", limits={"1.4": None})


@pytest.fixture
def licence_b(storehouse_b):
    return LicenceFactory(storehouse=storehouse_b, number="EL-B", limits={"1.1": Decimal(100)})


@pytest.fixture
def waiver_a(storehouse_a, admin_user):
    return WaiverFactory(storehouse=storehouse_a, recorded_by=admin_user)


@pytest.fixture
def waiver_b(storehouse_b, admin_user):
    return WaiverFactory(storehouse=storehouse_b, recorded_by=admin_user)


@pytest.fixture
def everything(licence_a, licence_b, waiver_a, waiver_b):
    """Two of each depot-scoped object (one per depot), one type and one recipient."""
    return {
        "storehouses": (licence_a.storehouse, licence_b.storehouse),
        "licences": (licence_a, licence_b),
        "waivers": (waiver_a, waiver_b),
        "type": AmmunitionTypeFactory(code="CTG-1"),
        "recipient": RecipientFactory(code="U-1", depot=licence_b.storehouse.depot),
    }


def depot_of(row, kind, everything):
    """The depot code of a listed row of a depot-scoped endpoint."""
    objects = {obj.pk: obj for obj in everything[kind]}
    obj = objects[row["id"]]
    storehouse = obj if kind == "storehouses" else obj.storehouse
    return storehouse.depot.code


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# Reading


@pytest.mark.parametrize(
    "path", ["storehouses", "licences", "ammunition-types", "recipients", "waivers"]
)
def test_anonymous_gets_401(api_client, path):
    assert api_client.get(f"/api/v1/{path}/").status_code == 401
    assert api_client.post(f"/api/v1/{path}/", {}, format="json").status_code == 401


SCOPE = [
    ("clerk", ["DA"]),
    ("inspector", ["DA"]),
    ("clerk_b", ["DB"]),
    ("national_inspector", ["DA", "DB"]),
    ("officer", ["DA", "DB"]),
    ("auditor", ["DA", "DB"]),
    ("admin_user", ["DA", "DB"]),
]


@pytest.mark.parametrize("kind", ["storehouses", "licences", "waivers"])
@pytest.mark.parametrize(("who", "expected"), SCOPE)
def test_scoped_list_shows_exactly_the_scope(request, api_as, everything, kind, who, expected):
    response = api_as(request.getfixturevalue(who)).get(f"/api/v1/{kind}/")
    rows = results(response)
    assert sorted(depot_of(row, kind, everything) for row in rows) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize("kind", ["storehouses", "licences", "waivers"])
@pytest.mark.parametrize(("who", "expected"), SCOPE)
def test_scoped_detail_is_404_outside_the_scope(request, api_as, everything, kind, who, expected):
    client = api_as(request.getfixturevalue(who))
    for obj, code in zip(everything[kind], ["DA", "DB"], strict=True):
        response = client.get(f"/api/v1/{kind}/{obj.pk}/")
        assert response.status_code == (200 if code in expected else 404)
        if code in expected:
            assert response.json()["id"] == obj.pk


@pytest.mark.parametrize("who", [*ROLES, "clerk_b"])
def test_national_reference_data_is_read_by_every_role(request, api_as, everything, who):
    client = api_as(request.getfixturevalue(who))
    assert [row["code"] for row in results(client.get("/api/v1/ammunition-types/"))] == ["CTG-1"]
    assert [row["code"] for row in results(client.get("/api/v1/recipients/"))] == ["U-1"]
    type_pk, recipient_pk = everything["type"].pk, everything["recipient"].pk
    assert client.get(f"/api/v1/ammunition-types/{type_pk}/").status_code == 200
    assert client.get(f"/api/v1/recipients/{recipient_pk}/").status_code == 200


@pytest.mark.parametrize(
    "path", ["storehouses", "licences", "ammunition-types", "recipients", "waivers"]
)
def test_missing_object_is_404(api_as, admin_user, path):
    assert api_as(admin_user).get(f"/api/v1/{path}/{MISSING_ID}/").status_code == 404


def test_read_fields_are_the_contract(api_as, auditor, everything, admin_user):
    client = api_as(auditor)
    storehouse = everything["storehouses"][0]
    assert client.get(f"/api/v1/storehouses/{storehouse.pk}/").json() == {
        "id": storehouse.pk,
        "depot": storehouse.depot_id,
        "code": "SH1",
        "name": "Magazine A1",
        "kind": "earth_covered_magazine",
        "is_active": True,
    }
    licence = everything["licences"][1]
    assert client.get(f"/api/v1/licences/{licence.pk}/").json() == {
        "id": licence.pk,
        "storehouse": licence.storehouse_id,
        "number": "EL-B",
        "issuing_authority": "National Explosives Inspectorate",
        "valid_from": "2020-01-01",
        "valid_until": "2099-12-31",
        "limits": {"1.1": "100.000"},
    }
    waiver = everything["waivers"][0]
    body = client.get(f"/api/v1/waivers/{waiver.pk}/").json()
    assert parse_datetime(body.pop("recorded_at")) == waiver.recorded_at
    assert body == {
        "id": waiver.pk,
        "storehouse": waiver.storehouse_id,
        "rule": "n2",
        "reason": waiver.reason,
        "authority_reference": waiver.authority_reference,
        "expires_on": "2099-12-31",
        "recorded_by": admin_user.pk,
    }
    ammunition_type = everything["type"]
    assert client.get(f"/api/v1/ammunition-types/{ammunition_type.pk}/").json() == {
        "id": ammunition_type.pk,
        "code": "CTG-1",
        "name": ammunition_type.name,
        "category": "small_arms",
        "calibre": "7.62 x 39 mm",
        "hazard_division": "1.4",
        "compatibility_group": "S",
        "neq_per_unit_kg": "0.001600",
        "unit": "round",
        "shelf_life_months": 240,
        "contains_propellant": True,
        "packaging": "",
        "shaped_charge": False,
        "high_energy_propellant": False,
        "obsolete": False,
        "hazard_code": "1.4S",
        "assembles_to": [],
        "un_hazard_code": "1.4S",
        "storage_sub_division": "",
        "items_per_unit": 1,
    }
    recipient = everything["recipient"]
    assert client.get(f"/api/v1/recipients/{recipient.pk}/").json() == {
        "id": recipient.pk,
        "code": "U-1",
        "name": recipient.name,
        "kind": "unit",
        "depot": recipient.depot_id,
        "permitted_restricted": False,
        "is_active": True,
    }


def test_licence_limits_list_every_division_in_order(api_as, admin_user, storehouse_a):
    licence = LicenceFactory(
        storehouse=storehouse_a,
        limits={"1.4": None, "1.3": Decimal("7.5"), "1.1": Decimal(0), "1.2.1": Decimal(1)},
    )
    limits = api_as(admin_user).get(f"/api/v1/licences/{licence.pk}/").json()["limits"]
    assert list(limits.items()) == [
        ("1.1", "0.000"),
        ("1.2.1", "1.000"),
        ("1.3", "7.500"),
        ("1.4", None),
    ]


# Filters


def codes(response):
    return [row["code"] for row in results(response)]


def test_storehouse_filters(api_as, officer, storehouse_a, storehouse_b, depot_b):
    StorehouseFactory(depot=depot_b, code="C1", kind="container", is_active=False)
    client = api_as(officer)
    response = client.get(f"/api/v1/storehouses/?depot={depot_b.pk}")
    assert sorted(codes(response)) == ["C1", "SH1"]
    assert codes(client.get("/api/v1/storehouses/?kind=container")) == ["C1"]
    assert codes(client.get("/api/v1/storehouses/?is_active=false")) == ["C1"]


def test_filter_by_a_depot_outside_the_scope_is_400_like_a_missing_one(
    api_as, clerk, storehouse_a, storehouse_b, depot_b
):
    client = api_as(clerk)
    other = client.get(f"/api/v1/storehouses/?depot={depot_b.pk}")
    missing = client.get(f"/api/v1/storehouses/?depot={MISSING_ID}")
    assert other.status_code == missing.status_code == 400
    assert other.json().keys() == missing.json().keys() == {"depot"}


def test_ammunition_type_filters(api_as, clerk):
    AmmunitionTypeFactory(code="CTG-1")
    AmmunitionTypeFactory(
        code="HE-155", category="artillery", hazard_division="1.1", compatibility_group="D"
    )
    AmmunitionTypeFactory(
        code="SMK-81", category="mortar", hazard_division="1.2.2", compatibility_group="G"
    )
    client = api_as(clerk)
    assert codes(client.get("/api/v1/ammunition-types/?hazard_division=1.1")) == ["HE-155"]
    assert codes(client.get("/api/v1/ammunition-types/?compatibility_group=G")) == ["SMK-81"]
    assert codes(client.get("/api/v1/ammunition-types/?category=small_arms")) == ["CTG-1"]
    assert codes(client.get("/api/v1/ammunition-types/?code=he-155")) == ["HE-155"]
    assert client.get("/api/v1/ammunition-types/?hazard_division=1.7").status_code == 400


def test_recipient_filters(api_as, clerk, depot_a, depot_b):
    RecipientFactory(code="U-1", kind="unit", depot=depot_a)
    RecipientFactory(code="P-1", kind="police", depot=depot_b)
    RecipientFactory(code="R-1", kind="range")
    client = api_as(clerk)
    assert codes(client.get("/api/v1/recipients/?kind=police")) == ["P-1"]
    assert codes(client.get(f"/api/v1/recipients/?depot={depot_b.pk}")) == ["P-1"]


def test_licence_and_waiver_filters(api_as, officer, everything, depot_b):
    client = api_as(officer)
    licence_b = everything["licences"][1]
    rows = results(client.get(f"/api/v1/licences/?depot={depot_b.pk}"))
    assert [row["id"] for row in rows] == [licence_b.pk]
    rows = results(client.get(f"/api/v1/licences/?storehouse={licence_b.storehouse_id}"))
    assert [row["id"] for row in rows] == [licence_b.pk]
    assert results(client.get("/api/v1/licences/?valid_on=2100-01-01")) == []
    rows = results(client.get(f"/api/v1/waivers/?depot={depot_b.pk}"))
    assert [row["id"] for row in rows] == [everything["waivers"][1].pk]
    assert results(client.get("/api/v1/waivers/?rule=isolation")) == []


# Reads cost a fixed number of queries, whatever the number of rows


# Creating: who may


def storehouse_payload(depot, /):
    return {"depot": depot.pk, "code": "ECM-9", "name": "Magazine 9", "kind": "container"}


def licence_payload(storehouse, /, **overrides):
    return {
        "storehouse": storehouse.pk,
        "number": "EL-2026-1",
        "issuing_authority": "NEI",
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "limits": {"1.1": "5000", "1.2.2": "250.5", "1.4": None},
    } | overrides


def type_payload(**overrides):
    return {
        "code": "CTG-762x39",
        "name": "Cartridge 7.62 x 39 mm ball",
        "category": "small_arms",
        "calibre": "7.62 x 39 mm",
        "hazard_division": "1.4",
        "compatibility_group": "S",
        "neq_per_unit_kg": "0.0016",
        "unit": "round",
        "shelf_life_months": 240,
        "contains_propellant": True,
    } | overrides


def recipient_payload(depot, /, **overrides):
    return {"code": "U-2BDE", "name": "2nd Brigade", "kind": "unit", "depot": depot.pk} | overrides


def waiver_payload(storehouse, /, **overrides):
    return {
        "storehouse": storehouse.pk,
        "rule": "isolation",
        "reason": "Suspect lot awaiting move",
        "authority_reference": "ATO 2026/7",
        "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
    } | overrides


def post_case(kind, storehouse, depot):
    """(path, payload, model) of a valid creation for the endpoint `kind`."""
    return {
        "storehouses": ("storehouses", storehouse_payload(depot), Storehouse),
        "licences": ("licences", licence_payload(storehouse), Licence),
        "ammunition-types": ("ammunition-types", type_payload(), AmmunitionType),
        "recipients": ("recipients", recipient_payload(depot), Recipient),
        "waivers": ("waivers", waiver_payload(storehouse), Waiver),
    }[kind]


# endpoint -> roles allowed to create in their own depot
CREATORS = {
    "storehouses": {"admin_user"},
    "licences": {"admin_user"},
    "ammunition-types": {"admin_user"},
    "recipients": {"admin_user", "officer"},
    "waivers": {"admin_user", "inspector"},
}


@pytest.mark.parametrize("kind", list(CREATORS))
@pytest.mark.parametrize("who", ROLES)
def test_create_permission_matrix(request, api_as, storehouse_a, depot_a, kind, who):
    path, payload, model = post_case(kind, storehouse_a, depot_a)
    before = model.objects.count()
    response = api_as(request.getfixturevalue(who)).post(f"/api/v1/{path}/", payload, format="json")
    if who in CREATORS[kind]:
        assert response.status_code == 201, response.content
        assert model.objects.count() == before + 1
    else:
        assert response.status_code == 403
        assert model.objects.count() == before


def test_national_inspector_records_waivers_anywhere(api_as, national_inspector, storehouse_b):
    response = api_as(national_inspector).post(
        "/api/v1/waivers/", waiver_payload(storehouse_b), format="json"
    )
    assert response.status_code == 201
    assert Waiver.objects.get().recorded_by == national_inspector


# Creating: 201 with exactly the contract


def test_create_storehouse_contract(api_as, admin_user, depot_a):
    response = api_as(admin_user).post(
        "/api/v1/storehouses/", storehouse_payload(depot_a), format="json"
    )
    assert response.status_code == 201
    storehouse = Storehouse.objects.get()
    assert response.json() == {
        "id": storehouse.pk,
        "depot": depot_a.pk,
        "code": "ECM-9",
        "name": "Magazine 9",
        "kind": "container",
        "is_active": True,
    }
    assert storehouse.history.get().history_user == admin_user


def test_create_licence_contract(api_as, admin_user, storehouse_a):
    response = api_as(admin_user).post(
        "/api/v1/licences/", licence_payload(storehouse_a), format="json"
    )
    assert response.status_code == 201
    licence = Licence.objects.get()
    assert response.json() == {
        "id": licence.pk,
        "storehouse": storehouse_a.pk,
        "number": "EL-2026-1",
        "issuing_authority": "NEI",
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "limits": {"1.1": "5000.000", "1.2.2": "250.500", "1.4": None},
    }
    assert licence.limits_dict() == {
        "1.1": Decimal("5000.000"),
        "1.2.2": Decimal("250.500"),
        "1.4": None,
    }
    assert licence.history.count() == 1
    assert LicenceLimit.history.count() == 3


def test_create_ammunition_type_contract(api_as, admin_user):
    response = api_as(admin_user).post(
        "/api/v1/ammunition-types/", type_payload(shaped_charge=True), format="json"
    )
    assert response.status_code == 201
    created = AmmunitionType.objects.get()
    assert response.json() == {
        "id": created.pk,
        "code": "CTG-762x39",
        "name": "Cartridge 7.62 x 39 mm ball",
        "category": "small_arms",
        "calibre": "7.62 x 39 mm",
        "hazard_division": "1.4",
        "compatibility_group": "S",
        "neq_per_unit_kg": "0.001600",
        "unit": "round",
        "shelf_life_months": 240,
        "contains_propellant": True,
        "packaging": "",
        "shaped_charge": True,
        "high_energy_propellant": False,
        "obsolete": False,
        "hazard_code": "1.4S",
        "assembles_to": [],
        "un_hazard_code": "1.4S",
        "storage_sub_division": "",
        "items_per_unit": 1,
    }
    assert AmmunitionType.history.count() == 1
    assert created.history.get().history_user == admin_user
    assert created.items_per_unit == 1


def test_items_per_unit_is_optional_and_shown(api_as, admin_user, clerk):
    """Issue 14: a client that does not send it gets 1; one that does is heard."""
    response = api_as(admin_user).post(
        "/api/v1/ammunition-types/",
        type_payload(code="CTG-BOX", neq_per_unit_kg="0.032", items_per_unit=20),
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["items_per_unit"] == 20
    assert AmmunitionType.objects.get(code="CTG-BOX").items_per_unit == 20
    listed = api_as(clerk).get("/api/v1/ammunition-types/", {"code": "CTG-BOX"}).json()
    [row] = [row for row in listed["results"] if row["code"] == "CTG-BOX"]
    assert row["items_per_unit"] == 20


@pytest.mark.parametrize(
    ("division", "neq", "items", "message"),
    [
        (
            "1.2.1",
            "0.1",
            None,
            "HE per item is 0.1 kg (NEQ per unit 0.1 kg / 1 items per unit), at or below the "
            "policy threshold of 0.136 kg: the storage sub-division is 1.2.2, not 1.2.1.",
        ),
        (
            "1.2.1",
            "2",
            20,
            "HE per item is 0.1 kg (NEQ per unit 2 kg / 20 items per unit), at or below the "
            "policy threshold of 0.136 kg: the storage sub-division is 1.2.2, not 1.2.1.",
        ),
        (
            "1.2.2",
            "0.5",
            2,
            "HE per item is 0.25 kg (NEQ per unit 0.5 kg / 2 items per unit), above the policy "
            "threshold of 0.136 kg: the storage sub-division is 1.2.1, not 1.2.2.",
        ),
    ],
)
def test_a_1_2_sub_division_that_contradicts_he_per_item_is_400(
    api_as, admin_user, division, neq, items, message
):
    overrides = {
        "category": "mortar",
        "hazard_division": division,
        "compatibility_group": "E",
        "neq_per_unit_kg": neq,
    }
    if items is not None:
        overrides["items_per_unit"] = items
    response = api_as(admin_user).post(
        "/api/v1/ammunition-types/", type_payload(**overrides), format="json"
    )
    assert_400(response, "hazard_division", AmmunitionType, 0)
    assert response.json()["hazard_division"] == [message]
    assert AmmunitionType.history.count() == 0


def test_hazard_code_is_read_only(api_as, admin_user):
    response = api_as(admin_user).post(
        "/api/v1/ammunition-types/", type_payload(hazard_code="1.1A"), format="json"
    )
    assert response.status_code == 201
    assert response.json()["hazard_code"] == "1.4S"


def test_create_recipient_contract(api_as, officer, depot_b):
    response = api_as(officer).post(
        "/api/v1/recipients/", recipient_payload(depot_b, permitted_restricted=True), format="json"
    )
    assert response.status_code == 201
    recipient = Recipient.objects.get()
    assert response.json() == {
        "id": recipient.pk,
        "code": "U-2BDE",
        "name": "2nd Brigade",
        "kind": "unit",
        "depot": depot_b.pk,
        "permitted_restricted": True,
        "is_active": True,
    }
    assert recipient.history.get().history_user == officer


def test_recipient_depot_is_optional(api_as, officer):
    payload = {"code": "POL", "name": "National Police", "kind": "police"}
    response = api_as(officer).post("/api/v1/recipients/", payload, format="json")
    assert response.status_code == 201
    assert response.json()["depot"] is None


def test_create_waiver_contract(api_as, inspector, storehouse_a):
    payload = waiver_payload(storehouse_a)
    response = api_as(inspector).post("/api/v1/waivers/", payload, format="json")
    assert response.status_code == 201
    waiver = Waiver.objects.get()
    body = response.json()
    assert parse_datetime(body.pop("recorded_at")) == waiver.recorded_at
    assert body == {
        "id": waiver.pk,
        "storehouse": storehouse_a.pk,
        "rule": "isolation",
        "reason": "Suspect lot awaiting move",
        "authority_reference": "ATO 2026/7",
        "expires_on": payload["expires_on"],
        "recorded_by": inspector.pk,
    }
    assert waiver.history.get().history_user == inspector


def test_waiver_ignores_a_recorded_by_in_the_body(api_as, inspector, admin_user, storehouse_a):
    payload = waiver_payload(storehouse_a, recorded_by=admin_user.pk)
    response = api_as(inspector).post("/api/v1/waivers/", payload, format="json")
    assert response.status_code == 201
    assert Waiver.objects.get().recorded_by == inspector


# Creating: bad input is 400 with field errors, and nothing is written


def assert_400(response, field, model, before):
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert model.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"hazard_division": "1.4", "compatibility_group": "A"}, "__all__", "1.4A is not a legal"),
        ({"hazard_division": "1.3", "compatibility_group": "D"}, "__all__", "1.3D is not a legal"),
        (
            {"hazard_division": "1.2.1", "compatibility_group": "A"},
            "__all__",
            "1.2.1A is not a legal",
        ),
        ({"hazard_division": "1.2", "compatibility_group": "A"}, "hazard_division", ""),
        ({"hazard_division": "1.7"}, "hazard_division", ""),
        ({"compatibility_group": "I"}, "compatibility_group", ""),
        ({"neq_per_unit_kg": "-0.5"}, "neq_per_unit_kg", ""),
        ({"neq_per_unit_kg": "0.0000001"}, "neq_per_unit_kg", ""),
        ({"neq_per_unit_kg": "lots"}, "neq_per_unit_kg", ""),
        ({"items_per_unit": 0}, "items_per_unit", ""),
        ({"items_per_unit": -3}, "items_per_unit", ""),
        ({"items_per_unit": "box"}, "items_per_unit", ""),
        ({"items_per_unit": None}, "items_per_unit", ""),
        ({"shelf_life_months": -1}, "shelf_life_months", ""),
        ({"category": "spear"}, "category", ""),
        ({"code": ""}, "code", ""),
        ({"code": "TAKEN"}, "code", ""),
    ],
)
def test_bad_ammunition_type_is_400(api_as, admin_user, overrides, field, message):
    AmmunitionTypeFactory(code="TAKEN")
    response = api_as(admin_user).post(
        "/api/v1/ammunition-types/", type_payload(**overrides), format="json"
    )
    assert_400(response, field, AmmunitionType, 1)
    assert message in response.json()[field][0]
    assert AmmunitionType.history.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"limits": {"1.7": "10"}}, "limits"),
        ({"limits": {"1.5": "10"}}, "limits"),
        ({"limits": {"1.1": "-1"}}, "limits"),
        ({"limits": {"1.1": "1.0001"}}, "limits"),
        ({"limits": {"1.1": "123456789012"}}, "limits"),
        ({"limits": {"1.1": 5000}}, "limits"),
        ({"limits": {"1.1": "5e3"}}, "limits"),
        ({"limits": {"1.1": "NaN"}}, "limits"),
        ({"limits": ["1.1", "5000"]}, "limits"),
        ({"limits": None}, "limits"),
        ({"valid_from": "2026-02-01", "valid_until": "2026-01-31"}, "valid_until"),
        ({"valid_from": "2026-02-30"}, "valid_from"),
        ({"number": ""}, "number"),
        ({"storehouse": MISSING_ID}, "storehouse"),
        ({"storehouse": "SH1"}, "storehouse"),
    ],
)
def test_bad_licence_is_400(api_as, admin_user, storehouse_a, overrides, field):
    response = api_as(admin_user).post(
        "/api/v1/licences/", licence_payload(storehouse_a, **overrides), format="json"
    )
    assert_400(response, field, Licence, 0)
    assert LicenceLimit.objects.count() == 0


def test_licence_limit_errors_name_the_division(api_as, admin_user, storehouse_a):
    response = api_as(admin_user).post(
        "/api/v1/licences/",
        licence_payload(storehouse_a, limits={"1.1": "-1", "1.7": "3", "1.4": None}),
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["limits"]
    assert set(errors) == {"1.1", "1.7"}
    assert "greater than or equal to 0" in errors["1.1"][0]
    assert "Not a licensable hazard division" in errors["1.7"][0]


def test_overlapping_licence_is_400(api_as, admin_user, licence_a, storehouse_a):
    response = api_as(admin_user).post(
        "/api/v1/licences/", licence_payload(storehouse_a), format="json"
    )
    assert_400(response, "__all__", Licence, 1)
    assert (
        "already has licence EL-A valid from 2020-01-01 to 2099-12-31"
        in (response.json()["__all__"][0])
    )
    assert LicenceLimit.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "SH1"}, "non_field_errors"),  # taken in this depot
        ({"kind": "shed"}, "kind"),
        ({"depot": MISSING_ID}, "depot"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_storehouse_is_400(api_as, admin_user, storehouse_a, depot_a, overrides, field):
    response = api_as(admin_user).post(
        "/api/v1/storehouses/", storehouse_payload(depot_a) | overrides, format="json"
    )
    assert_400(response, field, Storehouse, 1)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "militia"}, "kind"),
        ({"depot": MISSING_ID}, "depot"),
        ({"code": "U-1"}, "code"),
    ],
)
def test_bad_recipient_is_400(api_as, officer, depot_a, overrides, field):
    RecipientFactory(code="U-1")
    response = api_as(officer).post(
        "/api/v1/recipients/", recipient_payload(depot_a, **overrides), format="json"
    )
    assert_400(response, field, Recipient, 1)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"expires_on": "2020-01-01"}, "expires_on"),
        ({"rule": "n1"}, "rule"),
        ({"reason": ""}, "reason"),
        ({"authority_reference": ""}, "authority_reference"),
        ({"storehouse": MISSING_ID}, "storehouse"),
    ],
)
def test_bad_waiver_is_400(api_as, inspector, storehouse_a, overrides, field):
    response = api_as(inspector).post(
        "/api/v1/waivers/", waiver_payload(storehouse_a, **overrides), format="json"
    )
    assert_400(response, field, Waiver, 0)


def test_waiver_expiring_yesterday_is_400(api_as, admin_user, storehouse_a):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = api_as(admin_user).post(
        "/api/v1/waivers/", waiver_payload(storehouse_a, expires_on=yesterday), format="json"
    )
    assert_400(response, "expires_on", Waiver, 0)


def test_out_of_scope_storehouse_in_body_is_400_like_a_missing_one(api_as, inspector, storehouse_b):
    client = api_as(inspector)
    other = client.post("/api/v1/waivers/", waiver_payload(storehouse_b), format="json")
    missing = client.post(
        "/api/v1/waivers/", waiver_payload(storehouse_b, storehouse=MISSING_ID), format="json"
    )
    assert other.status_code == missing.status_code == 400
    assert other.json() == {
        "storehouse": [f'Invalid pk "{storehouse_b.pk}" - object does not exist.']
    }
    assert missing.json() == {"storehouse": [f'Invalid pk "{MISSING_ID}" - object does not exist.']}
    assert Waiver.objects.count() == 0


# The API holds input to its schema: no silent coercion of types


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("ammunition-types", type_payload(neq_per_unit_kg=0.5), "neq_per_unit_kg"),
        ("ammunition-types", type_payload(hazard_division=1.1), "hazard_division"),
        ("ammunition-types", type_payload(contains_propellant="yes"), "contains_propellant"),
        ("ammunition-types", type_payload(shelf_life_months="240"), "shelf_life_months"),
        ("ammunition-types", type_payload(name=7), "name"),
        ("licences", {"storehouse": "1"}, "storehouse"),
        ("licences", {"valid_from": "20260101"}, "valid_from"),
        ("depots", {"code": " D9 ", "name": "Padded", "region": "East"}, "code"),
    ],
)
def test_wrong_json_types_are_400(api_as, admin_user, storehouse_a, path, payload, field):
    if path == "licences":
        payload = licence_payload(storehouse_a, **payload)
    response = api_as(admin_user).post(f"/api/v1/{path}/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "query",
    [
        "storehouses/?is_active=yes",
        "storehouses/?is_active=",
        "storehouses/?depot=",
        "storehouses/?kind=",
        "storehouses/?depot=1&depot=2",
        "licences/?valid_on=01/02/2026",
        "waivers/?in_force_on=",
        "ammunition-types/?hazard_division=",
    ],
)
def test_malformed_filters_are_400(api_as, officer, query):
    response = api_as(officer).get(f"/api/v1/{query}")
    assert response.status_code == 400
    assert query.split("?")[1].split("=")[0] in response.json()
