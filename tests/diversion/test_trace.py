"""Trace: the chain of custody of a lot, set-based; tracing requests find lots from a partial,
differently-cased marking and name their last holders."""

from collections import defaultdict

import pytest
from django.utils import timezone

from diversion import selectors, services
from inventory.models import Balance
from inventory.services.posting import (
    Movement,
    disposal_post,
    issue_post,
    transfer_dispatch,
    transfer_receive,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def travelled(transfer, clerk, clerk_b, officer, officer2):
    """BALL-7: received 100 at A (SH2) → 30 transferred to B (SH3) → 10 issued to 1st Brigade →
    40 exported under a case → 5 disposed of. A holds 15, B holds 30."""
    w = transfer.world
    today = timezone.localdate()
    lot = transfer.lot
    sent = transfer_dispatch(
        depot=w.depot_a, destination_depot=w.depot_b, lines=[Movement(lot.pk, w.sh2.pk, 30)],
        occurred_on=today, posted_by=clerk,
    )  # fmt: skip
    transfer_receive(
        transfer=sent, lines=[Movement(lot.pk, w.sh3.pk, 30)], occurred_on=today, posted_by=clerk_b
    )
    issue_post(
        depot=w.depot_a, lines=[Movement(lot.pk, w.sh2.pk, 10)], recipient=w.unit,
        occurred_on=today, posted_by=clerk, purpose="Training",
    )  # fmt: skip
    case = transfer.case(officer, quantity=40)
    transfer.approved(case, officer, officer2)
    services.transfer_case_dispatch(case=case, occurred_on=today, dispatched_by=clerk)
    disposal_post(
        depot=w.depot_a, lines=[Movement(lot.pk, w.sh2.pk, 5)], occurred_on=today,
        posted_by=clerk, reference="DP-1",
    )  # fmt: skip
    return case


def test_trace_returns_every_step_and_balances_reconcile(travelled, transfer, auditor):
    lots = selectors.lot_trace(user=auditor, lot_number="ball-7")
    assert len(lots) == 1
    traced = lots[0]
    assert (traced["lot_number"], traced["ammunition_type"]) == ("BALL-7", "762-BALL")
    steps = [
        (e["kind"], e["depot"], e["storehouse"], e["quantity"], e["party"])
        for e in traced["events"]
    ]
    assert steps == [
        ("receipt", "DA", "SH2", 100, "Factory"),
        ("transfer", "DA", "SH2", -30, "DB"),
        ("transfer_receipt", "DB", "SH3", 30, "DA"),
        ("issue", "DA", "SH2", -10, "1st Brigade"),
        ("issue", "DA", "SH2", -40, "Ministry of Defence of Kenya"),
        ("disposal", "DA", "SH2", -5, ""),
    ]
    export = traced["events"][4]
    assert export["transfer_case"]["number"] == travelled.number
    assert export["transfer_case"]["end_user"] == "Ministry of Defence of Kenya"
    assert [p["role"] for p in export["transfer_case"]["parties"]] == ["broker", "carrier"]
    assert {v["result"] for v in export["transfer_case"]["verifications"]} == {"pending"}
    assert traced["events"][3]["transfer_case"] is None
    assert traced["balances"] == [
        {"depot": "DA", "storehouse": "SH2", "quantity": 15},
        {"depot": "DB", "storehouse": "SH3", "quantity": 30},
    ]
    # Balances reconcile with the ledger: the sum of the events per storehouse.
    summed = defaultdict(int)
    for event in traced["events"]:
        summed[(event["depot"], event["storehouse"])] += event["quantity"]
    assert dict(summed) == {
        (b.depot.code, b.storehouse.code): b.quantity
        for b in Balance.objects.filter(lot=transfer.lot).select_related("depot", "storehouse")
    }


def test_trace_costs_a_fixed_number_of_queries(
    travelled, transfer, clerk, auditor, django_assert_num_queries
):
    with django_assert_num_queries(6):
        selectors.lot_trace(user=auditor, lot_number="BALL-7")
    w = transfer.world
    for number in ("BALL-71", "ball-72", "BALL-73"):
        lot = w.lot(w.ball, number)
        w.stock(clerk, lot, w.sh2, 5)
    with django_assert_num_queries(6):
        lots = selectors.lot_trace(user=auditor, lot_number="BALL-7")
    assert [lot["lot_number"] for lot in lots] == ["BALL-7", "BALL-71", "ball-72", "BALL-73"]


def test_a_tracing_request_finds_the_lot_and_its_last_holders(travelled, transfer, officer):
    request = services.tracing_request_record(
        reference="POL/2026/44", requesting_authority="National police, firearms unit",
        context="seizure", lot_marking="  alL-7 ",
        quantity=12, place="Checkpoint 4", found_on=timezone.localdate(), recorded_by=officer,
    )  # fmt: skip
    assert request.lot_marking == "alL-7"  # kept as read: part of BALL-7, in another case
    assert [c["lot_number"] for c in request.candidates] == ["BALL-7"]
    candidate = request.candidates[0]
    assert candidate["held_by"] == [
        {"depot": "DA", "quantity": 15},
        {"depot": "DB", "quantity": 30},
    ]
    assert [(o["kind"], o["to"], o["quantity"]) for o in candidate["last_outgoing"]] == [
        ("issue", "Ministry of Defence of Kenya", 40),
        ("issue", "1st Brigade", 10),
        ("transfer", "DB", 30),
    ]
    answered = services.tracing_request_answer(
        tracing_request=request, answer="Lot BALL-7, exported under TC to Kenya.",
        answered_by=officer,
    )  # fmt: skip
    answered.refresh_from_db()
    assert answered.answer.startswith("Lot BALL-7")
    assert answered.answered_by == officer


def test_a_long_history_is_cut_and_says_so(travelled, auditor, monkeypatch):
    monkeypatch.setattr(selectors, "TRACE_EVENT_LIMIT", 4)
    (traced,) = selectors.lot_trace(user=auditor, lot_number="BALL-7")
    assert [e["kind"] for e in traced["events"]] == [
        "receipt", "transfer", "transfer_receipt", "issue",
    ]  # fmt: skip
    assert traced["events_complete"] is False
    monkeypatch.setattr(selectors, "TRACE_EVENT_LIMIT", 6)
    (traced,) = selectors.lot_trace(user=auditor, lot_number="BALL-7")
    assert traced["events_complete"] is True


def test_partial_lot_number_search_can_use_the_trigram_index(travelled):
    """The index expression matches the query's: UPPER(lot_number::text) LIKE '%...%'."""
    from django.db import connection, transaction
    from django.db.models.functions import Upper

    from inventory.models import Balance, Lot

    with transaction.atomic(), connection.cursor() as cursor:
        # On a table this small the planner may also read the btree on UPPER(lot_number) in
        # order and filter; with plain index and sequential scans off, only an index that can
        # answer LIKE '%...%' itself (the trigram GIN, by a bitmap scan) is left.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        lots = Lot.objects.filter(lot_number__icontains="ll-7").order_by(Upper("lot_number"))
        assert "lot_number_trgm" in lots.explain()
        held = Balance.objects.filter(lot__lot_number__icontains="ll-7", quantity__gt=0)
        assert "lot_number_trgm" in held.explain()
