"""The lot split page: part of a lot becomes a child lot with its own condition (DESIGN.md §5)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.models import Balance, ClosedPeriod, Document, LedgerLine, Lot
from inventory.models.ledger import DocumentKind

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def url(name, *args):
    return reverse(f"inventory:{name}", args=args)


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def lot(world, clerk):
    """BALL-1: 500 in depot A's SH1 and 100 in its SH2."""
    ball = world.lot(world.ball, "BALL-1")
    world.stock(clerk, ball, world.sh1, 500)
    world.stock(clerk, ball, world.sh2, 100)
    return ball


def counts():
    return (
        Document.objects.count(),
        LedgerLine.objects.count(),
        Lot.objects.count(),
        sorted(Balance.objects.values_list("quantity", flat=True)),
    )


def split_data(world, **overrides):
    data = {
        f"quantity_{world.sh1.pk}": "40",
        f"quantity_{world.sh2.pk}": "",
        "suffix": "-C",
        "condition": "H",
        "reason": "Inspection 17: 2 boxes corroded",
        "occurred_on": TODAY().isoformat(),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ["clerk", "inspector"])
def test_clerk_or_inspector_splits_part_of_a_lot(request, world, lot, as_user, role):
    client = as_user(request.getfixturevalue(role))
    page = client.get(url("lot_split", lot.pk))
    assert page.status_code == 200
    assert [b.storehouse for b in page.context["holdings"]] == [world.sh1, world.sh2]

    response = client.post(
        url("lot_split", lot.pk), split_data(world, **{f"quantity_{world.sh2.pk}": "5"})
    )
    child = Lot.objects.get(lot_number="BALL-1-C")
    assert response.status_code == 302
    assert response["Location"] == url("lot_card", child.pk)
    assert child.parent == lot
    assert child.condition_id == "H"
    document = Document.objects.get(kind=DocumentKind.LOT_SPLIT)
    assert document.note == "Inspection 17: 2 boxes corroded"
    quantities = {
        (b.lot.lot_number, b.storehouse.code): b.quantity
        for b in Balance.objects.select_related("lot", "storehouse")
    }
    assert quantities == {
        ("BALL-1", "SH1"): 460,
        ("BALL-1", "SH2"): 95,
        ("BALL-1-C", "SH1"): 40,
        ("BALL-1-C", "SH2"): 5,
    }
    card = client.get(response["Location"])
    assert f"Lot split {document.number} posted: 45 units of BALL-1 are now lot BALL-1-C." in (
        card.content.decode()
    )
    assert lot.lot_number in card.content.decode()  # "Split from"


def test_lot_card_offers_the_split_to_those_who_may(world, lot, clerk, auditor, as_user):
    assert url("lot_split", lot.pk) in as_user(clerk).get(url("lot_card", lot.pk)).content.decode()
    html = as_user(auditor).get(url("lot_card", lot.pk)).content.decode()
    assert url("lot_split", lot.pk) not in html


def test_more_than_on_hand_is_refused_and_nothing_is_written(world, lot, clerk, as_user):
    before = counts()
    response = as_user(clerk).post(
        url("lot_split", lot.pk), split_data(world, **{f"quantity_{world.sh1.pk}": "501"})
    )
    assert response.status_code == 200
    assert "Lot BALL-1 in storehouse SH1: 500 on hand, 501 requested." in (
        response.content.decode()
    )
    assert "Nothing was saved" in response.content.decode()
    assert counts() == before


def test_existing_child_number_is_refused_on_the_suffix(world, lot, clerk, as_user):
    world.lot(world.ball, "BALL-1-c")  # same type and maker, any letter case
    before = counts()
    response = as_user(clerk).post(url("lot_split", lot.pk), split_data(world))
    assert response.context["form"].errors["suffix"] == ["Lot BALL-1-C already exists."]
    assert counts() == before


def test_closed_period_is_refused(world, lot, clerk, admin_user, as_user):
    ClosedPeriod.objects.create(
        depot=world.depot_a,
        starts_on=TODAY() - timedelta(days=10),
        ends_on=TODAY() - timedelta(days=1),
        closed_by=admin_user,
    )
    before = counts()
    data = split_data(world, occurred_on=(TODAY() - timedelta(days=2)).isoformat())
    response = as_user(clerk).post(url("lot_split", lot.pk), data)
    assert "accounts for" in response.content.decode()
    assert "are closed" in response.content.decode()
    assert counts() == before


def test_future_date_is_refused_on_the_date(world, lot, clerk, as_user):
    before = counts()
    data = split_data(world, occurred_on=(TODAY() + timedelta(days=1)).isoformat())
    response = as_user(clerk).post(url("lot_split", lot.pk), data)
    assert response.context["form"].errors["occurred_on"] == ["The date cannot be in the future."]
    assert counts() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"condition": "Z"}, "condition"),
        ({"suffix": "  "}, "suffix"),
        ({"reason": ""}, "reason"),
        ({"quantity_SH1": "-3"}, "quantity_SH1"),
        ({"quantity_SH1": "", "quantity_SH2": "0"}, "__all__"),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_is_written(
    world, lot, clerk, as_user, overrides, field
):
    names = {"quantity_SH1": f"quantity_{world.sh1.pk}", "quantity_SH2": f"quantity_{world.sh2.pk}"}
    data = split_data(world, **{names.get(k, k): v for k, v in overrides.items()})
    before = counts()
    response = as_user(clerk).post(url("lot_split", lot.pk), data)
    assert response.status_code == 200
    assert names.get(field, field) in response.context["form"].errors
    # What was typed stays.
    assert response.context["form"]["suffix"].value() == data["suffix"]
    assert counts() == before


def test_another_depots_lot_is_404(world, lot, clerk_b, as_user):
    client = as_user(clerk_b)
    assert client.get(url("lot_split", lot.pk)).status_code == 404
    assert client.post(url("lot_split", lot.pk), split_data(world)).status_code == 404
    assert client.get(url("lot_split", 999_999)).status_code == 404
    assert not Lot.objects.filter(lot_number="BALL-1-C").exists()


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_roles_that_may_not_split_get_403(request, world, lot, as_user, role):
    client = as_user(request.getfixturevalue(role))
    before = counts()
    assert client.get(url("lot_split", lot.pk)).status_code == 403
    assert client.post(url("lot_split", lot.pk), split_data(world)).status_code == 403
    assert counts() == before


def test_storehouse_outside_the_acting_scope_is_not_offered(world, lot, clerk, as_user):
    """A storehouse of another depot named in the form is ignored: only the offered ones count."""
    data = split_data(world, **{f"quantity_{world.sh3.pk}": "10"})
    assert as_user(clerk).post(url("lot_split", lot.pk), data).status_code == 302
    assert Balance.objects.get(lot__lot_number="BALL-1-C").storehouse == world.sh1


def test_no_stock_in_my_storehouses_sends_back_to_the_card(world, clerk, as_user):
    from inventory.services.posting import Movement, issue_post

    used_up = world.lot(world.ball, "GONE")
    world.stock(clerk, used_up, world.sh1, 10)
    issue_post(
        depot=world.depot_a,
        lines=[Movement(used_up.pk, world.sh1.pk, 10)],
        recipient=world.unit,
        occurred_on=TODAY(),
        posted_by=clerk,
    )
    response = as_user(clerk).get(url("lot_split", used_up.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("lot_card", used_up.pk)
    assert "has no stock in your storehouses" in response.content.decode()


def test_split_across_two_depots_is_refused(world, lot, clerk_b, admin_user, as_user):
    world.stock(clerk_b, lot, world.sh3, 50)
    before = counts()
    data = split_data(world, **{f"quantity_{world.sh3.pk}": "10"})
    response = as_user(admin_user).post(url("lot_split", lot.pk), data)
    assert response.status_code == 200
    assert "Split in storehouses of one depot." in response.content.decode()
    assert counts() == before


def test_a_clerk_may_not_split_into_a_better_condition(world, lot, clerk, as_user):
    """Issue 14: a condemned lot is not split into a serviceable child by a clerk; the form says
    why and keeps what was typed."""
    Lot.objects.filter(pk=lot.pk).update(condition_id="H")
    before = counts()
    response = as_user(clerk).post(url("lot_split", lot.pk), split_data(world, condition="A"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "only someone who records surveillance in this depot (an inspector)" in page
    assert 'value="Inspection 17: 2 boxes corroded"' in page or "Inspection 17" in page
    assert counts() == before
