"""Reference-data services and selectors: roles, rules, nothing written on refusal, history kept."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ImproperlyConfigured,
    PermissionDenied,
    ValidationError,
)
from django.db import connection, connections, transaction
from django.utils import timezone

from accounts.models import User
from core.roles import Role
from inventory.models import (
    AmmunitionType,
    HazardCode,
    Licence,
    LicenceLimit,
    MixingMatrixVersion,
    PolicySetting,
    Recipient,
    Storehouse,
    Waiver,
)
from inventory.policy import storage_policy
from inventory.selectors.reference import (
    ammunition_type_list,
    licence_list,
    policy_legal_hazard_codes,
    recipient_list,
    storehouse_list,
    waiver_list,
)
from inventory.services.reference import (
    ammunition_type_create,
    licence_create,
    recipient_create,
    storehouse_create,
    waiver_create,
)
from tests.factories import (
    AmmunitionTypeFactory,
    DepotFactory,
    LicenceFactory,
    RecipientFactory,
    StorehouseFactory,
    UserFactory,
    WaiverFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_policy")]

NOT_ADMIN = ["clerk", "inspector", "officer", "auditor"]


@pytest.fixture
def storehouse_a(depot_a):
    return StorehouseFactory(depot=depot_a, code="SH1")


@pytest.fixture
def storehouse_b(depot_b):
    return StorehouseFactory(depot=depot_b, code="SH1")


def type_kwargs(**overrides):
    values = {
        "code": "CTG-762",
        "name": "Cartridge 7.62 x 39 mm ball",
        "category": "small_arms",
        "hazard_division": "1.4",
        "compatibility_group": "S",
        "neq_per_unit_kg": Decimal("0.0016"),
    }
    return values | overrides


# Storehouses


def test_admin_creates_a_storehouse_with_history(admin_user, depot_a):
    storehouse = storehouse_create(
        depot=depot_a, code="ECM-1", name="Magazine 1", kind="container", created_by=admin_user
    )
    storehouse.refresh_from_db()
    assert (storehouse.depot, storehouse.code, storehouse.kind) == (depot_a, "ECM-1", "container")
    assert storehouse.is_active is True
    record = storehouse.history.get()
    assert record.history_type == "+"
    assert record.history_user == admin_user


@pytest.mark.parametrize("who", NOT_ADMIN)
def test_only_admin_creates_storehouses(request, depot_a, who):
    with pytest.raises(PermissionDenied):
        storehouse_create(
            depot=depot_a,
            code="ECM-1",
            name="Magazine 1",
            kind="container",
            created_by=request.getfixturevalue(who),
        )
    assert Storehouse.objects.count() == 0


def test_storehouse_code_is_unique_per_depot(admin_user, storehouse_a, depot_b):
    with pytest.raises(ValidationError) as excinfo:
        storehouse_create(
            depot=storehouse_a.depot,
            code="SH1",
            name="Again",
            kind="container",
            created_by=admin_user,
        )
    assert NON_FIELD_ERRORS in excinfo.value.message_dict
    assert Storehouse.objects.count() == 1
    other = storehouse_create(
        depot=depot_b,
        code="SH1",
        name="Same code, other depot",
        kind="container",
        created_by=admin_user,
    )
    assert other.depot == depot_b


def test_storehouse_kind_must_be_known(admin_user, depot_a):
    with pytest.raises(ValidationError) as excinfo:
        storehouse_create(depot=depot_a, code="X1", name="Shed", kind="shed", created_by=admin_user)
    assert "kind" in excinfo.value.message_dict
    assert Storehouse.objects.count() == 0


# Licences


def make_licence(storehouse, user, **overrides):
    values = {
        "storehouse": storehouse,
        "number": "EL-1",
        "valid_from": date(2026, 1, 1),
        "valid_until": date(2026, 12, 31),
        "limits": {"1.1": Decimal("5000"), "1.4": None},
        "created_by": user,
    }
    return licence_create(**values | overrides)


def test_admin_records_a_licence_with_limits(admin_user, storehouse_a):
    licence = make_licence(
        storehouse_a,
        admin_user,
        issuing_authority="NEI",
        limits={"1.1": Decimal("5000"), "1.2.2": Decimal("0"), "1.4": None},
    )
    licence = Licence.objects.get(pk=licence.pk)
    assert licence.limits_dict() == {
        "1.1": Decimal("5000.000"),
        "1.2.2": Decimal("0.000"),
        "1.4": None,
    }
    assert (licence.number, licence.issuing_authority) == ("EL-1", "NEI")
    assert licence.history.get().history_user == admin_user
    assert LicenceLimit.history.filter(licence_id=licence.pk).count() == 3
    assert {h.history_user for h in LicenceLimit.history.all()} == {admin_user}


@pytest.mark.parametrize("who", NOT_ADMIN)
def test_only_admin_records_licences(request, storehouse_a, who):
    with pytest.raises(PermissionDenied):
        make_licence(storehouse_a, request.getfixturevalue(who))
    assert Licence.objects.count() == 0


@pytest.mark.parametrize(
    "limits",
    [
        {"1.7": Decimal("10")},
        {"1.5": Decimal("10")},
        {"1.2": Decimal("10")},
        {"1.1": Decimal("-1")},
        {"1.1": Decimal("1.0001")},
        {"1.1": Decimal("123456789012")},
        {"1.1": Decimal("100"), "1.6": None},
    ],
)
def test_bad_limits_are_refused_and_nothing_is_written(admin_user, storehouse_a, limits):
    with pytest.raises(ValidationError) as excinfo:
        make_licence(storehouse_a, admin_user, limits=limits)
    assert list(excinfo.value.message_dict) == ["limits"]
    assert Licence.objects.count() == 0
    assert LicenceLimit.objects.count() == 0


def test_unknown_division_is_named(admin_user, storehouse_a):
    with pytest.raises(ValidationError) as excinfo:
        make_licence(storehouse_a, admin_user, limits={"1.7": Decimal("10")})
    assert "'1.7' is not a licensable hazard division" in excinfo.value.message_dict["limits"][0]


def test_licence_cannot_end_before_it_starts(admin_user, storehouse_a):
    with pytest.raises(ValidationError) as excinfo:
        make_licence(
            storehouse_a, admin_user, valid_from=date(2026, 2, 1), valid_until=date(2026, 1, 31)
        )
    assert "valid_until" in excinfo.value.message_dict
    assert Licence.objects.count() == 0


@pytest.mark.parametrize(
    ("valid_from", "valid_until"),
    [
        (date(2026, 3, 1), date(2026, 3, 31)),  # inside
        (date(2025, 6, 1), date(2026, 1, 1)),  # ends on the first day
        (date(2026, 12, 31), date(2027, 12, 31)),  # starts on the last day
        (date(2025, 1, 1), date(2027, 12, 31)),  # encloses
        (date(2026, 1, 1), date(2026, 12, 31)),  # the same period
    ],
)
def test_overlapping_licence_is_refused(admin_user, storehouse_a, valid_from, valid_until):
    make_licence(storehouse_a, admin_user, number="EL-OLD")
    with pytest.raises(ValidationError) as excinfo:
        make_licence(
            storehouse_a,
            admin_user,
            number="EL-NEW",
            valid_from=valid_from,
            valid_until=valid_until,
        )
    message = excinfo.value.message_dict[NON_FIELD_ERRORS][0]
    assert "already has licence EL-OLD valid from 2026-01-01 to 2026-12-31" in message
    assert "DA/SH1" in message
    assert list(Licence.objects.values_list("number", flat=True)) == ["EL-OLD"]
    assert LicenceLimit.objects.count() == 2


def test_consecutive_licences_and_other_storehouses_are_allowed(
    admin_user, storehouse_a, storehouse_b
):
    make_licence(storehouse_a, admin_user, number="EL-2026")
    make_licence(
        storehouse_a,
        admin_user,
        number="EL-2027",
        valid_from=date(2027, 1, 1),
        valid_until=date(2027, 12, 31),
    )
    make_licence(storehouse_b, admin_user, number="EL-B")
    assert Licence.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_licences_cannot_both_pass():
    """The first creation holds the storehouse lock; the second waits, then sees it and refuses."""
    depot = DepotFactory(code="DC")
    admin = UserFactory(roles=[Role.ADMIN])
    storehouse = StorehouseFactory(depot=depot, code="SH1")
    outcome = {}

    def second():
        try:
            make_licence(storehouse, User.objects.get(pk=admin.pk), number="EL-SECOND")
            outcome["second"] = "created"
        except ValidationError as exc:
            outcome["second"] = exc.message_dict
        except Exception as exc:  # anything else (IntegrityError) is the failure we test for
            outcome["second"] = exc
        finally:
            connections.close_all()

    with transaction.atomic():
        make_licence(storehouse, admin, number="EL-FIRST")
        thread = threading.Thread(target=second)
        thread.start()
        # Commit only once the second creation is blocked on the storehouse row lock.
        deadline = timezone.now() + timedelta(seconds=20)
        waiting = False
        while not waiting and timezone.now() < deadline:
            with connection.cursor() as cursor:
                # Statistics are a snapshot per transaction unless cleared.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
                waiting = cursor.fetchone()[0] > 0
        assert waiting
    thread.join(timeout=20)
    assert isinstance(outcome["second"], dict), outcome["second"]
    assert "EL-FIRST" in outcome["second"][NON_FIELD_ERRORS][0]
    assert list(Licence.objects.values_list("number", flat=True)) == ["EL-FIRST"]


# Ammunition types


@pytest.mark.parametrize(
    ("division", "group", "neq"),
    [
        ("1.4", "S", "0.0016"),
        ("1.1", "A", "0.0016"),
        ("1.2.1", "D", "0.5"),  # HE per item above the 0.136 kg threshold
        ("1.2.2", "E", "0.0016"),
        ("1.3", "C", "0.0016"),
        ("1.5", "D", "0.0016"),
        ("1.6", "N", "0.0016"),
    ],
)
def test_admin_creates_types_with_legal_hazard_codes(admin_user, division, group, neq):
    created = ammunition_type_create(
        **type_kwargs(
            hazard_division=division, compatibility_group=group, neq_per_unit_kg=Decimal(neq)
        ),
        contains_propellant=True,
        shelf_life_months=120,
        created_by=admin_user,
    )
    stored = AmmunitionType.objects.get(pk=created.pk)
    assert stored.hazard_code == f"{division}{group}"
    assert stored.neq_per_unit_kg == Decimal(neq)
    assert stored.items_per_unit == 1
    assert (stored.shelf_life_months, stored.contains_propellant) == (120, True)
    assert stored.history.get().history_user == admin_user


@pytest.mark.parametrize(
    ("division", "group"),
    [
        ("1.4", "A"),
        ("1.3", "D"),
        ("1.2.1", "A"),
        ("1.2.2", "S"),
        ("1.5", "S"),
        ("1.6", "D"),
        ("1.1", "S"),
        ("1.4", "H"),
    ],
)
def test_illegal_hazard_code_is_refused_and_named(admin_user, division, group):
    with pytest.raises(ValidationError) as excinfo:
        ammunition_type_create(
            **type_kwargs(hazard_division=division, compatibility_group=group),
            created_by=admin_user,
        )
    message = excinfo.value.message_dict[NON_FIELD_ERRORS][0]
    assert message.startswith(f"{division}{group} is not a legal UN hazard code")
    assert AmmunitionType.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hazard_division": "1.7"}, "hazard_division"),
        ({"hazard_division": "1.2"}, "hazard_division"),
        ({"compatibility_group": "I"}, "compatibility_group"),
        ({"neq_per_unit_kg": Decimal("-0.1")}, "neq_per_unit_kg"),
        ({"neq_per_unit_kg": Decimal("0.0000001")}, "neq_per_unit_kg"),
        ({"category": "spears"}, "category"),
        ({"code": ""}, "code"),
        ({"items_per_unit": 0}, "items_per_unit"),
    ],
)
def test_bad_type_input_is_refused(admin_user, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        ammunition_type_create(**type_kwargs(**overrides), created_by=admin_user)
    assert field in excinfo.value.message_dict
    assert AmmunitionType.objects.count() == 0


@pytest.mark.parametrize(
    ("division", "neq", "items", "suggested", "he"),
    [
        # 1.2.1 needs HE per item above the policy threshold (0.136 kg, IATG 2021)...
        ("1.2.1", "0.136", 1, "1.2.2", "0.136"),
        # ... per item, not per unit of issue: a box of 20 rounds of 0.05 kg is 1.2.2.
        ("1.2.1", "1", 20, "1.2.2", "0.05"),
        ("1.2.2", "0.137", 1, "1.2.1", "0.137"),
        ("1.2.2", "2.8", 10, "1.2.1", "0.28"),
    ],
)
def test_a_new_type_whose_1_2_sub_division_contradicts_he_per_item_is_refused(
    admin_user, division, neq, items, suggested, he
):
    with pytest.raises(ValidationError) as excinfo:
        ammunition_type_create(
            **type_kwargs(
                hazard_division=division,
                compatibility_group="E",
                neq_per_unit_kg=Decimal(neq),
                items_per_unit=items,
            ),
            created_by=admin_user,
        )
    [message] = excinfo.value.message_dict["hazard_division"]
    assert f"HE per item is {he} kg" in message
    assert f"the storage sub-division is {suggested}, not {division}" in message
    assert "threshold of 0.136 kg" in message
    assert AmmunitionType.objects.count() == 0
    assert AmmunitionType.history.count() == 0


@pytest.mark.parametrize(
    ("division", "neq", "items"),
    [("1.2.1", "0.137", 1), ("1.2.1", "2.8", 10), ("1.2.2", "0.136", 1), ("1.2.2", "2.72", 20)],
)
def test_a_new_type_whose_1_2_sub_division_agrees_with_he_per_item_is_created(
    admin_user, division, neq, items
):
    created = ammunition_type_create(
        **type_kwargs(
            hazard_division=division,
            compatibility_group="E",
            neq_per_unit_kg=Decimal(neq),
            items_per_unit=items,
        ),
        created_by=admin_user,
    )
    created.refresh_from_db()
    assert (created.hazard_division, created.items_per_unit) == (division, items)


def test_the_1_2_threshold_is_policy(admin_user):
    PolicySetting.objects.filter(key="hd_1_2_threshold_kg").update(value="0.71")  # AASTP-1 2006
    with pytest.raises(ValidationError) as excinfo:
        ammunition_type_create(
            **type_kwargs(
                hazard_division="1.2.1", compatibility_group="E", neq_per_unit_kg=Decimal("0.5")
            ),
            created_by=admin_user,
        )
    assert "threshold of 0.71 kg" in excinfo.value.message_dict["hazard_division"][0]
    created = ammunition_type_create(
        **type_kwargs(
            hazard_division="1.2.2", compatibility_group="E", neq_per_unit_kg=Decimal("0.5")
        ),
        created_by=admin_user,
    )
    assert created.hazard_division == "1.2.2"


def test_existing_types_that_contradict_the_threshold_still_load_and_change(admin_client):
    """Only new types are checked: a type recorded before keeps its sub-division, and its other
    fields still change in the admin."""
    kind = AmmunitionTypeFactory(
        code="OLD-121",
        category="mortar",
        hazard_division="1.2.1",
        compatibility_group="E",
        neq_per_unit_kg=Decimal("0.01"),
    )
    assert AmmunitionType.objects.get(pk=kind.pk).hazard_division == "1.2.1"
    form = admin_type_form(
        code="OLD-121",
        name="Renamed",
        category="mortar",
        hazard_division="1.2.1",
        compatibility_group="E",
        neq_per_unit_kg="0.01",
    )
    response = admin_client.post(f"/admin/inventory/ammunitiontype/{kind.pk}/change/", form)
    assert response.status_code == 302
    kind.refresh_from_db()
    assert (kind.name, kind.hazard_division) == ("Renamed", "1.2.1")


def test_type_code_is_unique(admin_user):
    AmmunitionTypeFactory(code="CTG-762")
    with pytest.raises(ValidationError) as excinfo:
        ammunition_type_create(**type_kwargs(), created_by=admin_user)
    assert "code" in excinfo.value.message_dict
    assert AmmunitionType.objects.count() == 1


def test_legal_codes_are_policy_data(admin_user):
    assert len(policy_legal_hazard_codes()) == 35
    HazardCode.objects.filter(code="1.4S").delete()
    with pytest.raises(ValidationError):
        ammunition_type_create(**type_kwargs(), created_by=admin_user)
    assert AmmunitionType.objects.count() == 0


@pytest.mark.parametrize("who", NOT_ADMIN)
def test_only_admin_creates_types(request, who):
    with pytest.raises(PermissionDenied):
        ammunition_type_create(**type_kwargs(), created_by=request.getfixturevalue(who))
    assert AmmunitionType.objects.count() == 0


def test_changing_a_type_keeps_history(admin_user):
    created = ammunition_type_create(**type_kwargs(), created_by=admin_user)
    created.obsolete = True
    created.save()
    assert created.history.count() == 2
    assert created.history.earliest().obsolete is False


# Recipients


@pytest.mark.parametrize("who", ["officer", "admin_user"])
def test_officer_and_admin_add_recipients(request, depot_a, who):
    user = request.getfixturevalue(who)
    recipient = recipient_create(
        code="U-1", name="1st Brigade", kind="unit", depot=depot_a, created_by=user
    )
    recipient.refresh_from_db()
    assert (recipient.code, recipient.kind, recipient.depot) == ("U-1", "unit", depot_a)
    assert (recipient.permitted_restricted, recipient.is_active) == (False, True)
    assert recipient.history.get().history_user == user


@pytest.mark.parametrize("who", ["clerk", "inspector", "auditor"])
def test_other_roles_may_not_add_recipients(request, who):
    with pytest.raises(PermissionDenied):
        recipient_create(
            code="U-1", name="1st Brigade", kind="unit", created_by=request.getfixturevalue(who)
        )
    assert Recipient.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"), [({"kind": "militia"}, "kind"), ({"code": "U-0"}, "code")]
)
def test_bad_recipient_is_refused(officer, overrides, field):
    RecipientFactory(code="U-0")
    with pytest.raises(ValidationError) as excinfo:
        recipient_create(
            **{"code": "U-1", "name": "Unit", "kind": "unit"} | overrides, created_by=officer
        )
    assert field in excinfo.value.message_dict
    assert Recipient.objects.count() == 1


# Waivers


def make_waiver(storehouse, user, **overrides):
    values = {
        "storehouse": storehouse,
        "rule": "n2",
        "reason": "Traverse between stacks",
        "authority_reference": "NEI 2026/1",
        "expires_on": timezone.localdate() + timedelta(days=90),
        "recorded_by": user,
    }
    return waiver_create(**values | overrides)


@pytest.mark.parametrize("who", ["inspector", "national_inspector", "admin_user"])
def test_inspectors_and_admin_record_waivers(request, storehouse_a, who):
    user = request.getfixturevalue(who)
    waiver = make_waiver(storehouse_a, user, expires_on=timezone.localdate())
    waiver.refresh_from_db()
    assert (waiver.storehouse, waiver.rule, waiver.recorded_by) == (storehouse_a, "n2", user)
    assert waiver.recorded_at is not None
    assert waiver.history.get().history_user == user


@pytest.mark.parametrize("who", ["clerk", "officer", "auditor"])
def test_other_roles_may_not_record_waivers(request, storehouse_a, who):
    with pytest.raises(PermissionDenied):
        make_waiver(storehouse_a, request.getfixturevalue(who))
    assert Waiver.objects.count() == 0


def test_inspector_may_not_record_a_waiver_for_another_depot(inspector, storehouse_b):
    with pytest.raises(PermissionDenied):
        make_waiver(storehouse_b, inspector)
    assert Waiver.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"expires_on": date(2020, 1, 1)}, "expires_on"),
        ({"rule": "n1"}, "rule"),
        ({"reason": ""}, "reason"),
        ({"authority_reference": ""}, "authority_reference"),
    ],
)
def test_bad_waiver_is_refused(admin_user, storehouse_a, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        make_waiver(storehouse_a, admin_user, **overrides)
    assert field in excinfo.value.message_dict
    assert Waiver.objects.count() == 0


def test_waiver_expiring_yesterday_is_refused(admin_user, storehouse_a):
    with pytest.raises(ValidationError):
        make_waiver(storehouse_a, admin_user, expires_on=timezone.localdate() - timedelta(days=1))
    assert Waiver.objects.count() == 0


# Selectors


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
def test_scoped_selectors(request, storehouse_a, storehouse_b, who, expected):
    user = request.getfixturevalue(who)
    for storehouse in (storehouse_a, storehouse_b):
        LicenceFactory(storehouse=storehouse)
        WaiverFactory(storehouse=storehouse)
    assert [s.depot.code for s in storehouse_list(user=user)] == expected
    assert [lic.storehouse.depot.code for lic in licence_list(user=user)] == expected
    assert sorted(w.storehouse.depot.code for w in waiver_list(user=user)) == expected


@pytest.mark.parametrize("who", ["clerk", "inspector", "officer", "auditor", "admin_user"])
def test_national_reference_data_is_read_by_everyone(request, depot_b, who):
    user = request.getfixturevalue(who)
    AmmunitionTypeFactory(code="B")
    AmmunitionTypeFactory(code="A")
    RecipientFactory(code="U-B", depot=depot_b)
    assert [t.code for t in ammunition_type_list(user=user)] == ["A", "B"]
    assert [r.code for r in recipient_list(user=user)] == ["U-B"]


def test_inactive_user_reads_no_reference_data(clerk):
    AmmunitionTypeFactory()
    RecipientFactory()
    clerk.is_active = False
    assert not ammunition_type_list(user=clerk).exists()
    assert not recipient_list(user=clerk).exists()


# The admin screens: reference data with history; the ledger read-only


ADMIN_MODELS = [
    "storehouse",
    "licence",
    "ammunitiontype",
    "recipient",
    "supplier",
    "waiver",
    "conditioncode",
    "hazardcode",
    "policysetting",
    "mixingmatrixversion",
    "lot",
    "document",
    "ledgerline",
    "balance",
]
READ_ONLY_MODELS = ["mixingmatrixversion", "lot", "document", "ledgerline", "balance"]


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_lists_every_reference_and_ledger_model(admin_client, model):
    assert admin_client.get(f"/admin/inventory/{model}/").status_code == 200


@pytest.mark.parametrize("model", READ_ONLY_MODELS)
def test_admin_cannot_add_to_the_ledger_or_the_matrix(admin_client, model):
    assert admin_client.get(f"/admin/inventory/{model}/add/").status_code == 403


def test_admin_shows_the_mixing_matrix_read_only(admin_client):
    version = MixingMatrixVersion.objects.get()
    response = admin_client.get(f"/admin/inventory/mixingmatrixversion/{version.pk}/change/")
    assert response.status_code == 200
    assert b"AASTP-1" in response.content
    assert b'name="_save"' not in response.content


def test_admin_shows_reference_history(admin_client, admin_user):
    created = ammunition_type_create(**type_kwargs(), created_by=admin_user)
    response = admin_client.get(f"/admin/inventory/ammunitiontype/{created.pk}/history/")
    assert response.status_code == 200
    assert b"CTG-762" in response.content


def admin_type_form(**overrides):
    return {
        "code": "CTG-9",
        "name": "Cartridge 9 mm",
        "category": "small_arms",
        "calibre": "9 mm",
        "unit": "round",
        "packaging": "",
        "hazard_division": "1.4",
        "compatibility_group": "S",
        "neq_per_unit_kg": "0.0004",
        "shelf_life_months": "",
    } | overrides


def test_admin_creates_a_type_with_history(admin_client, admin_user):
    response = admin_client.post("/admin/inventory/ammunitiontype/add/", admin_type_form())
    assert response.status_code == 302
    created = AmmunitionType.objects.get()
    assert created.hazard_code == "1.4S"
    assert created.history.get().history_user == admin_user


def test_admin_refuses_an_illegal_hazard_code(admin_client):
    response = admin_client.post(
        "/admin/inventory/ammunitiontype/add/", admin_type_form(compatibility_group="A")
    )
    assert response.status_code == 200
    assert "1.4A is not a legal UN hazard code." in response.content.decode()
    assert AmmunitionType.objects.count() == 0


def test_admin_creates_a_type_with_items_per_unit_defaulting_to_1(admin_client):
    add = "/admin/inventory/ammunitiontype/add/"
    assert admin_client.post(add, admin_type_form()).status_code == 302
    response = admin_client.post(
        "/admin/inventory/ammunitiontype/add/",
        admin_type_form(code="BOX-20", neq_per_unit_kg="0.008", items_per_unit="20"),
    )
    assert response.status_code == 302
    assert dict(AmmunitionType.objects.values_list("code", "items_per_unit")) == {
        "CTG-9": 1,
        "BOX-20": 20,
    }
    box = AmmunitionType.objects.get(code="BOX-20")
    page = admin_client.get(f"/admin/inventory/ammunitiontype/{box.pk}/change/")
    assert 'name="items_per_unit"' in page.content.decode()


def test_admin_refuses_a_new_type_whose_1_2_sub_division_contradicts_he_per_item(admin_client):
    response = admin_client.post(
        "/admin/inventory/ammunitiontype/add/",
        admin_type_form(
            code="MOR-BOX",
            category="mortar",
            hazard_division="1.2.1",
            compatibility_group="E",
            neq_per_unit_kg="1.2",
            items_per_unit="12",
        ),
    )
    assert response.status_code == 200
    assert "the storage sub-division is 1.2.2, not 1.2.1" in response.content.decode()
    assert AmmunitionType.objects.count() == 0


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("hd_1_6_counts_as", '"1.6"', "HD 1.6 cannot be counted as &#x27;1.6&#x27;"),
        ("hd_1_6_counts_as", '"1.4"', "use one of 1.1, 1.2.1, 1.2.2, 1.3"),
        ("hd_1_6_counts_as", "1.1", "HD 1.6 cannot be counted as 1.1"),
        ("forcing_neq_per_item_kg", '"heavy"', "is not a mass in kg"),
        ("hd_1_2_threshold_kg", '"-1"', "is not a mass in kg"),
    ],
)
def test_admin_refuses_a_policy_setting_the_storage_rules_cannot_read(
    admin_client, key, value, message
):
    setting = PolicySetting.objects.get(key=key)
    before = setting.value
    response = admin_client.post(
        f"/admin/inventory/policysetting/{setting.pk}/change/",
        {"key": key, "value": value, "description": setting.description},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    setting.refresh_from_db()
    assert setting.value == before


@pytest.mark.parametrize("value", ["1.1", "1.2.1", "1.2.2", "1.3"])
def test_admin_sets_hd_1_6_counts_as_to_an_allowed_division(admin_client, value):
    setting = PolicySetting.objects.get(key="hd_1_6_counts_as")
    response = admin_client.post(
        f"/admin/inventory/policysetting/{setting.pk}/change/",
        {"key": setting.key, "value": f'"{value}"', "description": setting.description},
    )
    assert response.status_code == 302
    assert storage_policy().hd_1_6_counts_as == value


def test_a_stored_hd_1_6_counts_as_that_is_not_allowed_is_refused_when_read():
    """Written around the admin (SQL, an old row): no posting is checked under it."""
    PolicySetting.objects.filter(key="hd_1_6_counts_as").update(value="1.6")
    with pytest.raises(ImproperlyConfigured) as excinfo:
        storage_policy()
    assert "Policy setting hd_1_6_counts_as = '1.6' is not allowed" in str(excinfo.value)


def test_admin_records_what_a_b_type_assembles_to_and_only_for_b(admin_client, admin_user):
    """Note n1 (issue 14): the hosts a CG B type is fitted to are kept in the admin, with
    history; another group may not take them."""
    host = AmmunitionType.objects.create(
        code="TNT-200",
        name="TNT block",
        category="demolition",
        hazard_division="1.1",
        compatibility_group="D",
        neq_per_unit_kg="0.2",
    )
    refused = admin_client.post(
        "/admin/inventory/ammunitiontype/add/",
        admin_type_form(code="CTG-X", assembles_to=[host.pk]),
    )
    assert refused.status_code == 200
    assert "Only compatibility group B types" in refused.content.decode()
    response = admin_client.post(
        "/admin/inventory/ammunitiontype/add/",
        admin_type_form(
            code="DET-8",
            category="initiator",
            hazard_division="1.1",
            compatibility_group="B",
            assembles_to=[host.pk],
        ),
    )
    assert response.status_code == 302
    detonator = AmmunitionType.objects.get(code="DET-8")
    assert list(detonator.assembles_to.all()) == [host]
    assert detonator.history.latest().history_user == admin_user


def test_admin_refuses_an_overlapping_licence(admin_client, admin_user, storehouse_a):
    make_licence(storehouse_a, admin_user, number="EL-OLD")
    response = admin_client.post(
        "/admin/inventory/licence/add/",
        {
            "storehouse": storehouse_a.pk,
            "number": "EL-NEW",
            "issuing_authority": "",
            "valid_from": "2026-06-01",
            "valid_until": "2027-05-31",
            "limits-TOTAL_FORMS": "0",
            "limits-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert list(Licence.objects.values_list("number", flat=True)) == ["EL-OLD"]


def test_admin_waivers_are_refused_in_the_admin_and_recorded_on_the_waivers_page(
    admin_client, admin_user, storehouse_a
):
    """The admin form would bypass waiver_create's checks: it is read-only (403, nothing kept);
    administrators record waivers on the Waivers page (tests/inventory/test_waiver_views.py)."""
    response = admin_client.post(
        "/admin/inventory/waiver/add/",
        {
            "storehouse": storehouse_a.pk,
            "rule": "isolation",
            "reason": "Awaiting move",
            "authority_reference": "ATO 1",
            "expires_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 403
    assert not Waiver.objects.exists()


def test_depot_changes_are_kept_in_history(admin_user):
    from inventory.services.reference import depot_create

    depot = depot_create(code="D77", name="New depot", region="East", created_by=admin_user)
    depot.name = "Renamed depot"
    depot.save()
    assert [h.name for h in depot.history.order_by("history_id")] == ["New depot", "Renamed depot"]


def test_admin_may_not_reclassify_a_type_while_its_stock_is_held(admin_client, world, clerk):
    """Issue 14: the storage rules were checked under the type's classification; it does not
    change under stock in storehouses (the stock is moved out first)."""
    world.stock(clerk, world.lot(world.tnt, "TNT-1"), world.sh1, 10)
    form = admin_type_form(
        code="TNT-200",
        name="TNT-200",
        category="other",
        hazard_division="1.1",
        compatibility_group="D",
        neq_per_unit_kg="0.2",
        shelf_life_months="240",
    )
    change = f"/admin/inventory/ammunitiontype/{world.tnt.pk}/change/"
    refused = admin_client.post(change, form | {"hazard_division": "1.5"})
    assert refused.status_code == 200
    assert "TNT-200 is held in DA/SH1" in refused.content.decode()
    world.tnt.refresh_from_db()
    assert world.tnt.hazard_code == "1.1D"
    # Other fields still change.
    assert admin_client.post(change, form | {"name": "TNT block 200 g"}).status_code == 302
    world.tnt.refresh_from_db()
    assert (world.tnt.name, world.tnt.hazard_code) == ("TNT block 200 g", "1.1D")


@pytest.mark.parametrize(
    ("division", "group", "un_code", "label"),
    [
        ("1.2.1", "E", "1.2E", "1.2E, SsD 1.2.1"),
        ("1.2.2", "C", "1.2C", "1.2C, SsD 1.2.2"),
        ("1.1", "D", "1.1D", "1.1D"),
        ("1.4", "S", "1.4S", "1.4S"),
    ],
)
def test_the_un_hazard_code_is_division_and_group_with_the_sub_division_beside_it(
    division, group, un_code, label
):
    """DESIGN.md §3: "1.2E", with the storage sub-division beside it on pages and vouchers;
    the API's `hazard_code` keeps its old value for its clients."""
    kind = AmmunitionType(hazard_division=division, compatibility_group=group)
    assert (kind.un_hazard_code, kind.hazard_label) == (un_code, label)
    assert kind.hazard_code == f"{division}{group}"
