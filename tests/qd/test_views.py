"""The QD pages: the calculator for any signed-in user, a storehouse's QD page with its sketch
(scoped), and the admin's buttons."""

from decimal import Decimal

import pytest

from inventory.models import LicenceLimit
from qd.services import exposed_site_create

pytestmark = pytest.mark.django_db


def test_calculator_one_division(client, clerk):
    client.force_login(clerk)
    response = client.get("/qd/", {"division_1": "1.1", "neq_1": "10000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<td>IBD</td><td>480</td>" in html
    assert "<td>VBD</td><td>960</td>" in html


def test_calculator_mix_and_errors(client, clerk):
    client.force_login(clerk)
    html = client.get(
        "/qd/", {"division_1": "1.1", "neq_1": "1000", "division_2": "1.3", "neq_2": "5000"}
    ).content.decode()
    assert "HD 1.1</strong> 6,000 kg" in html
    bad = client.get("/qd/", {"division_1": "1.1", "neq_1": "-4"}).content.decode()
    assert "error-summary" in bad
    assert "qd-distances" not in bad


def _setup(admin_user, depot_a, sh1, distance):
    exposed_site_create(
        depot=depot_a,
        name="Village",
        kind="inhabited_building",
        distances=[{"storehouse": sh1, "distance_m": Decimal(distance)}],
        created_by=admin_user,
    )


def test_storehouse_page_sketch_marks_a_site_inside_its_ring(
    client, admin_user, depot_a, sh1, licence
):
    _setup(admin_user, depot_a, sh1, "480")
    client.force_login(admin_user)
    html = client.get(f"/qd/storehouses/{sh1.pk}/").content.decode()
    assert 'id="qd-sketch"' in html
    assert 'class="inside"' in html  # 20,000 kg of 1.1 needs 610 m; the village is at 480 m
    assert "Inhabited building, Public traffic route (high density): 610 m" in html
    assert 'id="beyond-qd"' in html
    assert "10,107" in html


def test_storehouse_page_is_scoped(client, clerk_b, sh1):
    client.force_login(clerk_b)
    assert client.get(f"/qd/storehouses/{sh1.pk}/").status_code == 404


def test_generate_from_the_page(client, admin_user, depot_a, sh1, licence):
    _setup(admin_user, depot_a, sh1, "480")
    client.force_login(admin_user)
    response = client.post(f"/qd/storehouses/{sh1.pk}/from-qd/")
    assert response.status_code == 302
    assert LicenceLimit.objects.get(licence=licence, hazard_division="1.1").max_neq_kg == 10107
    html = client.get(f"/qd/storehouses/{sh1.pk}/").content.decode()
    assert 'class="inside"' not in html


def test_clerk_cannot_generate(client, clerk, sh1, licence):
    client.force_login(clerk)
    assert client.post(f"/qd/storehouses/{sh1.pk}/from-qd/").status_code == 403
    assert LicenceLimit.objects.get(licence=licence, hazard_division="1.1").max_neq_kg == 20000
