"""Receiving a transfer with one dispatched line split across several storehouses."""

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.models import Balance, Document, LedgerLine, Storehouse
from inventory.models.ledger import DocumentKind, DocumentStatus
from inventory.services.posting import Movement, transfer_dispatch
from tests.inventory.ledger_world import licence

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
def sh4(world):
    """A second licensed storehouse in depot B."""
    storehouse = Storehouse.objects.create(
        depot=world.depot_b, code="SH4", name="Container 4", kind="container"
    )
    licence(storehouse, {"1.4": None})
    return storehouse


@pytest.fixture
def transfer(world, clerk):
    """200 of BALL-1 on their way from depot A to depot B."""
    lot = world.lot(world.ball, "BALL-1")
    world.stock(clerk, lot, world.sh1, 500)
    return transfer_dispatch(
        depot=world.depot_a,
        destination_depot=world.depot_b,
        lines=[Movement(lot.pk, world.sh1.pk, 200)],
        occurred_on=TODAY(),
        posted_by=clerk,
    )


def rows_data(transfer, rows, *, extra=None, **more):
    """POST data: `rows` are (storehouse or None, quantity) for row 0, 1, 2... of the one line."""
    sent = transfer.lines.get()
    data = {
        "occurred_on": TODAY().isoformat(),
        f"line-{sent.pk}-extra": str(len(rows) - 1 if extra is None else extra),
    }
    for index, (storehouse, quantity) in enumerate(rows):
        prefix = f"line-{sent.pk}" if index == 0 else f"line-{sent.pk}-{index}"
        data[f"{prefix}-storehouse"] = storehouse.pk if storehouse else ""
        data[f"{prefix}-quantity"] = quantity
    data.update(more)
    return data


def received(lot_number="BALL-1"):
    return {
        b.storehouse.code: b.quantity
        for b in Balance.objects.filter(
            lot__lot_number=lot_number, depot__code="DB"
        ).select_related("storehouse")
    }


def test_add_a_storehouse_row_keeps_what_was_typed_and_writes_nothing(
    world, transfer, sh4, clerk_b, as_user
):
    client = as_user(clerk_b)
    page = client.get(url("transfer_receive", transfer.pk))
    assert [g.extra_count for g in page.context["groups"]] == [0]
    data = rows_data(
        transfer, [(world.sh3, 150)], reference="WB-9", add_row=transfer.lines.get().pk
    )
    lines_before = LedgerLine.objects.count()
    response = client.post(url("transfer_receive", transfer.pk), data)
    assert response.status_code == 200
    (group,) = response.context["groups"]
    assert group.extra_count == 1
    assert response.context["errors"] == []
    first, extra = group.rows
    assert str(first["quantity"].value()) == "150"
    assert str(first["storehouse"].value()) == str(world.sh3.pk)
    assert extra["quantity"].value() is None
    assert response.context["form"]["reference"].value() == "WB-9"
    assert "Part 2" in response.content.decode()
    assert LedgerLine.objects.count() == lines_before
    assert not Document.objects.filter(kind=DocumentKind.TRANSFER_RECEIPT).exists()


def test_one_line_received_into_two_storehouses(world, transfer, sh4, clerk_b, as_user):
    data = rows_data(transfer, [(world.sh3, 120), (sh4, 80), (None, "")], extra=2)
    response = as_user(clerk_b).post(url("transfer_receive", transfer.pk), data)
    receipt = Document.objects.get(kind=DocumentKind.TRANSFER_RECEIPT)
    assert response.status_code == 302
    assert response["Location"] == url("document_detail", receipt.pk)
    transfer.refresh_from_db()
    assert transfer.status == DocumentStatus.RECEIVED
    assert received() == {"SH3": 120, "SH4": 80}
    assert receipt.lines.count() == 2


def test_less_in_total_is_a_discrepancy(world, transfer, sh4, clerk_b, as_user):
    data = rows_data(transfer, [(world.sh3, 100), (sh4, 50)])
    assert as_user(clerk_b).post(url("transfer_receive", transfer.pk), data).status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == DocumentStatus.RECEIVED_WITH_DISCREPANCY
    assert received() == {"SH3": 100, "SH4": 50}


def test_two_rows_into_one_storehouse_make_one_line(world, transfer, sh4, clerk_b, as_user):
    data = rows_data(transfer, [(world.sh3, 150), (world.sh3, 50)])
    assert as_user(clerk_b).post(url("transfer_receive", transfer.pk), data).status_code == 302
    receipt = Document.objects.get(kind=DocumentKind.TRANSFER_RECEIPT)
    assert list(receipt.lines.values_list("quantity", flat=True)) == [200]
    assert received() == {"SH3": 200}


def test_more_in_total_than_sent_is_refused(world, transfer, sh4, clerk_b, as_user):
    lines_before = LedgerLine.objects.count()
    data = rows_data(transfer, [(world.sh3, 150), (sh4, 100)])
    response = as_user(clerk_b).post(url("transfer_receive", transfer.pk), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "250 of lot BALL-1 are entered as received, but 200 were sent" in html
    assert "Nothing was saved" in html
    assert response.context["groups"][0].extra_count == 1
    assert LedgerLine.objects.count() == lines_before
    transfer.refresh_from_db()
    assert transfer.status == DocumentStatus.IN_TRANSIT


def test_extra_row_needs_a_storehouse(world, transfer, sh4, clerk_b, as_user):
    data = rows_data(transfer, [(world.sh3, 150), (None, 50)])
    response = as_user(clerk_b).post(url("transfer_receive", transfer.pk), data)
    extra = response.context["groups"][0].rows[1]
    assert extra.errors["storehouse"] == ["Choose the storehouse it goes into."]
    assert "Line 1, part 2, Into storehouse" in [e["label"] for e in response.context["errors"]]
    assert not Document.objects.filter(kind=DocumentKind.TRANSFER_RECEIPT).exists()


def test_another_depots_storehouse_is_not_a_choice(world, transfer, sh4, clerk_b, as_user):
    data = rows_data(transfer, [(world.sh3, 150), (world.sh1, 50)])
    response = as_user(clerk_b).post(url("transfer_receive", transfer.pk), data)
    assert "storehouse" in response.context["groups"][0].rows[1].errors
    assert not Document.objects.filter(kind=DocumentKind.TRANSFER_RECEIPT).exists()


def test_a_lot_sent_from_two_storehouses_is_checked_as_a_whole(world, clerk, clerk_b, as_user):
    """The lot's total counts: 150 + 50 sent on two lines may arrive as 200 on the first."""
    lot = world.lot(world.ball, "BALL-2")
    world.stock(clerk, lot, world.sh1, 150)
    world.stock(clerk, lot, world.sh2, 50)
    transfer = transfer_dispatch(
        depot=world.depot_a,
        destination_depot=world.depot_b,
        lines=[Movement(lot.pk, world.sh1.pk, 150), Movement(lot.pk, world.sh2.pk, 50)],
        occurred_on=TODAY(),
        posted_by=clerk,
    )
    first, second = transfer.lines.order_by("id")
    data = {
        "occurred_on": TODAY().isoformat(),
        f"line-{first.pk}-storehouse": world.sh3.pk,
        f"line-{first.pk}-quantity": 200,
        f"line-{second.pk}-storehouse": "",
        f"line-{second.pk}-quantity": 0,
    }
    response = as_user(clerk_b).post(url("transfer_receive", transfer.pk), data)
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == DocumentStatus.RECEIVED
    assert received("BALL-2") == {"SH3": 200}


def test_extra_rows_are_capped(world, transfer, clerk_b, as_user):
    sent = transfer.lines.get()
    data = rows_data(transfer, [(world.sh3, 1)], extra=99, add_row=sent.pk)
    response = as_user(clerk_b).post(url("transfer_receive", transfer.pk), data)
    (group,) = response.context["groups"]
    assert group.extra_count == 10
    assert not group.may_add
