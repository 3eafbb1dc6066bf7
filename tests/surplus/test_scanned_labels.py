"""A disposal plan's lot box reads a scanned lot label (`lot|type`, inventory.labels)."""

import pytest

from inventory.labels import label_payload
from surplus.forms import PlanLineForm


@pytest.fixture
def twins(world, clerk):
    """Two lots numbered TW-1 in SH1 of depot A: ball and TNT."""
    ball, tnt = world.lot(world.ball, "TW-1"), world.lot(world.tnt, "TW-1")
    world.stock(clerk, ball, world.sh1, 10)
    world.stock(clerk, tnt, world.sh1, 10)
    return ball, tnt


def line(world, lot_number):
    data = {"lot_number": lot_number, "storehouse": world.sh1.pk, "quantity": "5"}
    form = PlanLineForm(data, depot=world.depot_a)
    form.is_valid()
    return form


def test_plan_line_lot_is_named_by_a_scanned_label(world, twins):
    ball, tnt = twins
    typed = line(world, "tw-1")
    assert "Several lots with this number are held there." in typed.non_field_errors()
    assert line(world, label_payload("tw-1", world.tnt.code)).cleaned_data["lot"] == tnt
    assert line(world, label_payload("TW-1", world.ball.code)).cleaned_data["lot"] == ball
    wrong = line(world, "TW-1|DET-8")
    assert "No lot with this number is held in that storehouse." in wrong.non_field_errors()
