"""The stock check's "found" box reads a scanned lot label (`lot|type`, inventory.labels)."""

import pytest
from django.urls import reverse

from inventory.labels import label_payload
from stockchecks import services
from stockchecks.models import StockCheckLine


@pytest.fixture
def counting(stocked, clerk):
    check = services.stock_check_plan(depot=stocked.world.depot_a, planned_by=clerk, kind="full")
    return services.stock_check_start(stock_check=check, started_by=clerk)


def test_found_stock_is_named_by_a_scanned_label_that_tells_twin_lots_apart(
    client, counting, stocked, clerk
):
    w = stocked.world
    # Two lots share the number FOUND-1: typed alone it is ambiguous, the label's type decides.
    ball = w.lot(w.ball, "FOUND-1")
    w.lot(w.tnt, "FOUND-1")
    client.force_login(clerk)
    url = reverse("stockchecks:check_count", args=[counting.pk])
    before = StockCheckLine.objects.count()
    response = client.post(url, {"lot_number": "FOUND-1", "storehouse": w.sh2.pk, "quantity": 3})
    assert response.status_code == 200
    assert "Several lots have this number" in response.content.decode()
    assert StockCheckLine.objects.count() == before

    payload = label_payload("found-1", w.ball.code)
    response = client.post(url, {"lot_number": payload, "storehouse": w.sh2.pk, "quantity": 3})
    assert response.status_code == 302
    line = StockCheckLine.objects.get(stock_check=counting, lot=ball)
    assert line.extra
    assert line.counted_quantity == 3


def test_a_label_of_an_unknown_type_writes_nothing(client, counting, stocked, clerk):
    w = stocked.world
    client.force_login(clerk)
    url = reverse("stockchecks:check_count", args=[counting.pk])
    before = StockCheckLine.objects.count()
    response = client.post(
        url, {"lot_number": "BALL-1|TNT-200", "storehouse": w.sh2.pk, "quantity": 3}
    )
    assert response.status_code == 200
    assert "No lot has this number" in response.content.decode()
    assert StockCheckLine.objects.count() == before
