"""A posting costs the same number of queries whatever its number of lines (issue 20): receipts
(lots by id and new lots inline), issues, transfers and moves, through the service layer and
through the HTTP API."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory.chain import line_hash
from inventory.models import Balance, LedgerLine, Lot
from inventory.services.lots import NewLot
from inventory.services.posting import (
    MoveLine,
    Movement,
    ReceiptLine,
    issue_post,
    move_post,
    receipt_post,
    transfer_dispatch,
)

pytestmark = pytest.mark.django_db
SIZES = (1, 50)


@pytest.fixture
def lots(world, clerk):
    lots = [world.lot(world.ball, f"Q-{index}") for index in range(50)]
    receipt_post(
        depot=world.depot_a,
        lines=[Movement(lot.pk, world.sh1.pk, 1000) for lot in lots],
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    )
    clerk.depot_ids  # noqa: B018 -- read once per request, as a view would have
    return lots


def counted(post) -> int:
    with CaptureQueriesContext(connection) as captured:
        post()
    return len(captured.captured_queries)


def new_lot(world, name):
    return NewLot(
        ammunition_type_id=world.ball.pk,
        manufacturer="Arsenal 10",
        lot_number=name,
        manufactured_on=timezone.localdate(),
    )


SERVICES = {
    "receipt": lambda world, clerk, lots: receipt_post(
        depot=world.depot_a,
        lines=[Movement(lot.pk, world.sh1.pk, 1) for lot in lots],
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    ),
    "receipt of new lots": lambda world, clerk, lots: receipt_post(
        depot=world.depot_a,
        lines=[
            ReceiptLine(new_lot(world, f"NEW-{len(lots)}-{i}"), world.sh1.pk, 1)
            for i in range(len(lots))
        ],
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    ),
    "issue": lambda world, clerk, lots: issue_post(
        depot=world.depot_a,
        lines=[Movement(lot.pk, world.sh1.pk, 1) for lot in lots],
        recipient=world.unit,
        occurred_on=timezone.localdate(),
        posted_by=clerk,
        purpose="training",
    ),
    "transfer": lambda world, clerk, lots: transfer_dispatch(
        depot=world.depot_a,
        destination_depot=world.depot_b,
        lines=[Movement(lot.pk, world.sh1.pk, 1) for lot in lots],
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    ),
    "move": lambda world, clerk, lots: move_post(
        depot=world.depot_a,
        lines=[MoveLine(lot.pk, world.sh1.pk, world.sh2.pk, 1) for lot in lots],
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    ),
}


@pytest.mark.parametrize("kind", SERVICES)
def test_a_service_posting_costs_the_same_queries_at_1_and_50_lines(world, clerk, lots, kind):
    post = SERVICES[kind]
    counts = [counted(lambda n=n: post(world, clerk, lots[:n])) for n in SIZES]
    assert counts[0] == counts[1], counts


def test_a_50_line_receipt_of_new_lots_creates_each_once_and_chains_its_lines(world, clerk):
    specs = [new_lot(world, f"BULK-{i}") for i in range(50)]
    specs.append(new_lot(world, "bulk-7"))  # the same lot as BULK-7, in other letters
    document = receipt_post(
        depot=world.depot_a,
        lines=[ReceiptLine(spec, world.sh1.pk, 2) for spec in specs],
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    )
    assert Lot.objects.filter(lot_number__istartswith="bulk-").count() == 50
    lines = list(LedgerLine.objects.filter(document=document).order_by("id"))
    assert [line.lot.lot_number for line in lines] == [f"BULK-{i}" for i in range(50)] + ["BULK-7"]
    assert Balance.objects.get(lot__lot_number="BULK-7").quantity == 4
    for previous, line in itertools.pairwise(lines):
        assert line.prev_hash == previous.hash
    for line in lines:
        assert line.hash == line_hash(
            document_number=document.number,
            kind="receipt",
            occurred_on=line.occurred_on,
            posted_at=line.posted_at,
            poster_id=clerk.pk,
            lot_id=line.lot_id,
            storehouse_id=line.storehouse_id,
            quantity=line.quantity,
            prev_hash=line.prev_hash,
        )


def body(kind, world, lots):
    today = timezone.localdate().isoformat()
    if kind == "move":
        return today, {
            "occurred_on": today,
            "lines": [
                {
                    "lot": lot.pk,
                    "from_storehouse": world.sh1.pk,
                    "to_storehouse": world.sh2.pk,
                    "quantity": 1,
                }
                for lot in lots
            ],
        }
    if kind == "receipt of new lots":
        lines = [
            {
                "lot": {
                    "ammunition_type": world.ball.pk,
                    "manufacturer": "Arsenal 10",
                    "lot_number": f"API-{len(lots)}-{i}",
                    "manufactured_on": today,
                    "condition": "A",
                },
                "storehouse": world.sh1.pk,
                "quantity": 1,
            }
            for i in range(len(lots))
        ]
    else:
        lines = [{"lot": lot.pk, "storehouse": world.sh1.pk, "quantity": 1} for lot in lots]
    values = {"occurred_on": today, "lines": lines}
    if kind.startswith("receipt"):
        values["counterparty"] = "Arsenal"
    elif kind == "issue":
        values.update(recipient=world.unit.pk, purpose="training")
    elif kind == "transfer":
        values["destination_depot"] = world.depot_b.pk
    return today, values


PATHS = {
    "receipt": "/api/v1/receipts/",
    "receipt of new lots": "/api/v1/receipts/",
    "issue": "/api/v1/issues/",
    "transfer": "/api/v1/transfers/",
    "move": "/api/v1/moves/",
}


@pytest.mark.parametrize("kind", PATHS)
def test_an_api_posting_costs_the_same_queries_at_1_and_50_lines(api_as, world, clerk, lots, kind):
    client = api_as(clerk)
    client.get("/api/v1/stock/")
    counts = []
    for n in SIZES:
        _today, values = body(kind, world, lots[:n])

        def post(values=values, n=n):
            response = client.post(PATHS[kind], values, format="json")
            assert response.status_code == 201, response.json()
            assert len(response.json()["lines"]) == (2 * n if kind == "move" else n)

        counts.append(counted(post))
    assert counts[0] == counts[1], counts


def test_unknown_ids_on_a_move_or_new_lot_are_still_400_and_write_nothing(
    api_as, world, clerk, lots
):
    client = api_as(clerk)
    before = (LedgerLine.objects.count(), Lot.objects.count())
    _today, move = body("move", world, lots[:2])
    move["lines"][1]["to_storehouse"] = world.sh3.pk  # depot B: not in the clerk's scope
    move["lines"][0]["lot"] = 999999
    response = client.post("/api/v1/moves/", move, format="json")
    assert response.status_code == 400
    assert "does not exist" in response.json()["lines"]["0"]["lot"][0]
    assert "does not exist" in response.json()["lines"]["1"]["to_storehouse"][0]
    _today, receipt = body("receipt of new lots", world, lots[:2])
    receipt["lines"][0]["lot"]["ammunition_type"] = 999999
    receipt["lines"][1]["lot"]["condition"] = "ZZ"
    response = client.post("/api/v1/receipts/", receipt, format="json")
    assert response.status_code == 400
    errors = response.json()["lines"]
    assert "ammunition_type" in str(errors["0"])
    assert "condition" in str(errors["1"])
    assert (LedgerLine.objects.count(), Lot.objects.count()) == before
