"""Exposed sites from CSV: all or nothing, every problem named by line; through the API and the
management command."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from qd.models import ExposedSite, ExposedSiteDistance

pytestmark = pytest.mark.django_db

GOOD = (
    "name,kind,storehouse,distance_m\n"
    "Village,inhabited_building,ESH1,480\n"
    "Village,inhabited_building,ESH2,510.5\n"
    "Road,ptr_medium,ESH1,300\n"
)


def test_import_registers_sites_and_distances(api_as, admin_user, depot_a, sh1, sh2, licence):
    response = api_as(admin_user).post(
        "/api/v1/exposed-sites/import/", {"depot": depot_a.pk, "csv": GOOD}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json() == {"created": 2, "updated": 0, "distances": 3}
    village = ExposedSite.objects.get(name="Village")
    assert {d.storehouse.code: d.distance_m for d in village.distances.all()} == {
        "ESH1": Decimal("480.0"),
        "ESH2": Decimal("510.5"),
    }
    # a second import updates and keeps what it does not name
    again = "name,kind,storehouse,distance_m\nVillage,inhabited_building,ESH1,700\n"
    response = api_as(admin_user).post(
        "/api/v1/exposed-sites/import/", {"depot": depot_a.pk, "csv": again}, format="json"
    )
    assert response.json() == {"created": 0, "updated": 1, "distances": 1}
    assert {d.storehouse.code: d.distance_m for d in village.distances.all()} == {
        "ESH1": Decimal("700.0"),
        "ESH2": Decimal("510.5"),
    }


def test_a_bad_file_writes_nothing_and_names_each_line(api_as, admin_user, depot_a, sh1, sh_b):
    bad = (
        "name,kind,storehouse,distance_m\n"
        "Village,inhabited_building,ESH1,480\n"
        "School,school,ESH1,300\n"
        "Road,ptr_medium,BSH1,300\n"
        "Farm,inhabited_building,ESH1,-4\n"
    )
    response = api_as(admin_user).post(
        "/api/v1/exposed-sites/import/", {"depot": depot_a.pk, "csv": bad}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["csv"]
    assert [e.split(":")[0] for e in errors] == ["Line 3", "Line 4", "Line 5"]
    assert not ExposedSite.objects.exists()


def test_import_is_for_admins(api_as, clerk, depot_a, sh1):
    response = api_as(clerk).post(
        "/api/v1/exposed-sites/import/", {"depot": depot_a.pk, "csv": GOOD}, format="json"
    )
    assert response.status_code == 403


def test_management_command(tmp_path, admin_user, depot_a, sh1, sh2):
    path = tmp_path / "sites.csv"
    path.write_text(GOOD)
    call_command("import_exposed_sites", str(path), depot="DA", user="admin")
    assert ExposedSiteDistance.objects.count() == 3
    path.write_text("name,kind\nX,storehouse\n")
    with pytest.raises(CommandError, match="missing: storehouse, distance_m"):
        call_command("import_exposed_sites", str(path), depot="DA", user="admin")
