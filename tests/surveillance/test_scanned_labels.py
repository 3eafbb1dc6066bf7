"""Surveillance lot boxes and lot search read a scanned lot label (`lot|type`,
inventory.labels)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.labels import label_payload
from inventory.models import Ban
from surveillance.models import Inspection


@pytest.fixture
def twin(world, charge_lot, clerk):
    """A ball lot numbered like the charge lot, in depot A too."""
    lot = world.lot(world.ball, charge_lot.lot_number)
    world.stock(clerk, lot, world.sh2, 10)
    return lot


def inspection_data(world, lot_number):
    return {
        "lot_number": lot_number,
        "place": f"s:{world.sh1.pk}",
        "kind": "periodic",
        "inspected_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "sample_size": "12",
        "condition": "A",
        "authority_reference": "ATO-1",
        "findings": "No defects",
    }


def test_inspection_lot_is_named_by_a_scanned_label(client, world, charge_lot, twin, inspector):
    client.force_login(inspector)
    url = reverse("surveillance:inspection_new")
    # Typed alone, the number names two lots; the label's type picks the charges.
    response = client.post(url, inspection_data(world, "CHG-20-01"))
    assert response.status_code == 200
    assert "Several lots are numbered CHG-20-01" in response.content.decode()
    assert not Inspection.objects.exists()
    payload = label_payload("chg-20-01", charge_lot.ammunition_type.code)
    response = client.post(url, inspection_data(world, payload))
    assert response.status_code == 302
    assert Inspection.objects.get().lot == charge_lot


def test_ban_lot_is_named_by_a_scanned_label_and_a_wrong_type_writes_nothing(
    client, world, charge_lot, twin, inspector
):
    client.force_login(inspector)
    url = reverse("surveillance:ban_new")
    data = {"kind": "ban", "reason": "Swollen cases", "reference": "ATO-9"}
    response = client.post(url, data | {"lot_number": "CHG-20-01|NO-SUCH-TYPE"})
    assert response.status_code == 200
    assert "No lot numbered CHG-20-01" in response.content.decode()
    assert not Ban.objects.exists()
    response = client.post(url, data | {"lot_number": label_payload("CHG-20-01", "762-BALL")})
    assert response.status_code == 302
    assert Ban.objects.get().lot == twin


def test_lot_search_reads_a_scanned_label(client, world, charge_lot, twin, inspector):
    client.force_login(inspector)
    url = reverse("surveillance:lot_search")
    both = client.get(url, {"q": "CHG-20-01"}).context["rows"]
    assert {row.lot_id for row in both} == {charge_lot.pk, twin.pk}
    rows = client.get(url, {"q": label_payload("chg-20-01", "762-BALL")}).context["rows"]
    assert {row.lot_id for row in rows} == {twin.pk}
