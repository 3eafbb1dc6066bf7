"""The ledger API contract (DESIGN.md §11): posting, refusals as 409 codes, idempotency, scope."""

import pytest
from django.utils import timezone

from inventory.models import Balance, Document, LedgerLine, Lot

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate().isoformat()


def snapshot():
    return (
        Document.objects.count(),
        LedgerLine.objects.count(),
        Lot.objects.count(),
        sorted(Balance.objects.values_list("lot_id", "storehouse_id", "quantity")),
    )


@pytest.fixture
def stocked(world, clerk):
    lot = world.lot(world.ball, "762-A")
    world.stock(clerk, lot, world.sh1, 100)
    return lot


def receipt_body(world, lot, quantity=10, storehouse=None):
    return {
        "reference": "WB-1",
        "occurred_on": today(),
        "counterparty": "Arsenal",
        "lines": [{"lot": lot, "storehouse": (storehouse or world.sh1).pk, "quantity": quantity}],
    }


class TestReceipts:
    def test_receipt_with_a_new_lot_inline(self, api_as, clerk, world):
        body = receipt_body(
            world,
            {
                "ammunition_type": world.ball.pk,
                "manufacturer": "Arsenal 10",
                "lot_number": "ak-21-0457",
                "manufactured_on": "2021-05-01",
            },
            quantity=800,
        )
        response = api_as(clerk).post("/api/v1/receipts/", body, format="json")
        assert response.status_code == 201, response.json()
        document = response.json()
        assert document["kind"] == "receipt"
        assert document["status"] == "posted"
        assert document["number"].startswith("DA-")
        lot = Lot.objects.get(lot_number="ak-21-0457")
        assert document["lines"][0]["lot"] == lot.pk
        assert document["lines"][0]["quantity"] == 800
        again = receipt_body(
            world,
            {
                "ammunition_type": world.ball.pk,
                "manufacturer": "Arsenal 10",
                "lot_number": "AK-21-0457",
                "manufactured_on": "2021-05-01",
            },
        )
        assert api_as(clerk).post("/api/v1/receipts/", again, format="json").status_code == 201
        assert Lot.objects.filter(lot_number__iexact="ak-21-0457").count() == 1

    def test_refusal_is_409_with_code_and_writes_nothing(self, api_as, clerk, world):
        before = snapshot()
        body = receipt_body(
            world,
            {
                "ammunition_type": world.tnt.pk,
                "manufacturer": "M",
                "lot_number": "TNT-NEW",
                "manufactured_on": "2020-01-01",
            },
            storehouse=world.sh2,
        )
        response = api_as(clerk).post("/api/v1/receipts/", body, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "licence_exceeded"
        assert "SH2" in response.json()["detail"]
        assert snapshot() == before  # not even the inline lot

    @pytest.mark.parametrize(
        "change",
        [
            {"lines": []},
            {"occurred_on": "not-a-date"},
            {"counterparty": ""},
            {"lines": [{"lot": 999999, "storehouse": 1, "quantity": 1}]},
            {"lines": [{"lot": True, "storehouse": 1, "quantity": 1}]},
        ],
    )
    def test_malformed_is_400_and_writes_nothing(self, api_as, clerk, world, stocked, change):
        before = snapshot()
        body = {**receipt_body(world, stocked.pk), **change}
        response = api_as(clerk).post("/api/v1/receipts/", body, format="json")
        assert response.status_code == 400
        assert snapshot() == before

    def test_zero_or_negative_quantity_is_400(self, api_as, clerk, world, stocked):
        for quantity in (0, -1):
            body = receipt_body(world, stocked.pk, quantity=quantity)
            assert api_as(clerk).post("/api/v1/receipts/", body, format="json").status_code == 400

    def test_storehouse_of_another_depot_is_400_like_a_missing_one(
        self, api_as, clerk, world, stocked
    ):
        before = snapshot()
        other = api_as(clerk).post(
            "/api/v1/receipts/",
            receipt_body(world, stocked.pk, storehouse=world.sh3),
            format="json",
        )
        missing = receipt_body(world, stocked.pk)
        missing["lines"][0]["storehouse"] = 999999
        absent = api_as(clerk).post("/api/v1/receipts/", missing, format="json")
        assert other.status_code == absent.status_code == 400
        for response in (other, absent):
            assert "does not exist" in response.json()["lines"]["0"]["storehouse"][0]
        assert snapshot() == before

    def test_queries_do_not_grow_with_the_lines(self, api_as, clerk, world):
        """Lots and storehouses are resolved in one query, as for issues (bench/documents.py)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        lots = [world.lot(world.ball, f"Q-{i}").pk for i in range(10)]
        counts = []
        # The first posting of a depot and year also creates its number counter and chain head.
        for chosen in (lots[:1], lots[1:2], lots[2:]):
            body = receipt_body(world, chosen[0])
            body["lines"] = [
                {"lot": lot, "storehouse": sh.pk, "quantity": 5}
                for lot in chosen
                for sh in (world.sh1,)
            ]
            with CaptureQueriesContext(connection) as queries:
                response = api_as(clerk).post("/api/v1/receipts/", body, format="json")
            assert response.status_code == 201, response.content
            counts.append(len(queries))
        assert counts[1] == counts[2]
        # An unknown lot among resolved ones is still the field's 400, and nothing is posted.
        before = snapshot()
        body["lines"].append({"lot": 999999, "storehouse": world.sh1.pk, "quantity": 1})
        response = api_as(clerk).post("/api/v1/receipts/", body, format="json")
        assert response.status_code == 400
        assert "does not exist" in response.json()["lines"]["8"]["lot"][0]
        assert snapshot() == before

    @pytest.mark.parametrize("who", ["officer", "auditor", "inspector"])
    def test_roles_that_do_not_record_movements_get_403(self, request, api_as, world, stocked, who):
        before = snapshot()
        response = api_as(request.getfixturevalue(who)).post(
            "/api/v1/receipts/", receipt_body(world, stocked.pk), format="json"
        )
        assert response.status_code == 403
        assert snapshot() == before


class TestIdempotency:
    def test_same_key_same_body_replays_and_posts_once(self, api_as, clerk, world, stocked):
        client = api_as(clerk)
        body = receipt_body(world, stocked.pk)
        first = client.post("/api/v1/receipts/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        second = client.post("/api/v1/receipts/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        assert second["Idempotent-Replayed"] == "true"
        assert Document.objects.filter(kind="receipt").count() == 2  # the fixture's and this one

    def test_same_key_other_body_is_409(self, api_as, clerk, world, stocked):
        client = api_as(clerk)
        client.post(
            "/api/v1/receipts/",
            receipt_body(world, stocked.pk),
            format="json",
            HTTP_IDEMPOTENCY_KEY="k-2",
        )
        before = snapshot()
        response = client.post(
            "/api/v1/receipts/",
            receipt_body(world, stocked.pk, quantity=11),
            format="json",
            HTTP_IDEMPOTENCY_KEY="k-2",
        )
        assert response.status_code == 409
        assert response.json()["code"] == "idempotency_mismatch"
        assert snapshot() == before

    def test_a_refused_request_can_be_retried_with_its_key(self, api_as, clerk, world, stocked):
        client = api_as(clerk)
        body = {
            "occurred_on": today(),
            "recipient": world.unit.pk,
            "purpose": "training",
            "lines": [{"lot": stocked.pk, "storehouse": world.sh1.pk, "quantity": 150}],
        }
        refused = client.post("/api/v1/issues/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
        assert refused.status_code == 409
        world.stock(clerk, stocked, world.sh1, 100)
        posted = client.post("/api/v1/issues/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
        assert posted.status_code == 201


class TestIssuesTransfersAdjustments:
    def test_issue_then_reverse_once(self, api_as, clerk, world, stocked):
        client = api_as(clerk)
        issue = client.post(
            "/api/v1/issues/",
            {
                "occurred_on": today(),
                "recipient": world.unit.pk,
                "purpose": "exercise",
                "lines": [{"lot": stocked.pk, "storehouse": world.sh1.pk, "quantity": 30}],
            },
            format="json",
        )
        assert issue.status_code == 201
        assert issue.json()["lines"][0]["quantity"] == -30
        url = f"/api/v1/documents/{issue.json()['id']}/reverse/"
        reversal = client.post(url, {"reason": "wrong unit"}, format="json")
        assert reversal.status_code == 201
        assert reversal.json()["reverses"] == issue.json()["id"]
        again = client.post(url, {"reason": "again"}, format="json")
        assert again.status_code == 409
        assert again.json()["code"] == "already_reversed"
        assert (
            client.get(f"/api/v1/documents/{issue.json()['id']}/").json()["reversed_by"]
            == (reversal.json()["id"])
        )

    def test_insufficient_stock_names_the_lot(self, api_as, clerk, world, stocked):
        response = api_as(clerk).post(
            "/api/v1/issues/",
            {
                "occurred_on": today(),
                "recipient": world.unit.pk,
                "purpose": "exercise",
                "lines": [{"lot": stocked.pk, "storehouse": world.sh1.pk, "quantity": 101}],
            },
            format="json",
        )
        assert response.status_code == 409
        assert response.json()["code"] == "insufficient_stock"
        assert "762-A" in response.json()["detail"]

    def test_transfer_with_shortfall(self, api_as, clerk, clerk_b, world, stocked):
        sent = api_as(clerk).post(
            "/api/v1/transfers/",
            {
                "occurred_on": today(),
                "destination_depot": world.depot_b.pk,
                "lines": [{"lot": stocked.pk, "storehouse": world.sh1.pk, "quantity": 40}],
            },
            format="json",
        )
        assert sent.status_code == 201
        assert sent.json()["status"] == "in_transit"
        inbox = api_as(clerk_b).get("/api/v1/transfers/")
        assert [t["id"] for t in inbox.json()["results"]] == [sent.json()["id"]]
        received = api_as(clerk_b).post(
            f"/api/v1/transfers/{sent.json()['id']}/receive/",
            {
                "occurred_on": today(),
                "lines": [{"lot": stocked.pk, "storehouse": world.sh3.pk, "quantity": 38}],
            },
            format="json",
        )
        assert received.status_code == 201
        assert received.json()["kind"] == "transfer_receipt"
        status = api_as(clerk).get(f"/api/v1/transfers/{sent.json()['id']}/").json()["status"]
        assert status == "received_with_discrepancy"

    def test_adjustment_needs_a_second_person(self, api_as, clerk, inspector, world, stocked):
        created = api_as(clerk).post(
            "/api/v1/adjustments/",
            {
                "occurred_on": today(),
                "reason": "lost",
                "note": "one box",
                "lines": [{"lot": stocked.pk, "storehouse": world.sh1.pk, "quantity": -20}],
            },
            format="json",
        )
        assert created.status_code == 201
        assert created.json()["status"] == "pending_approval"
        url = f"/api/v1/adjustments/{created.json()['id']}/approve/"
        assert api_as(clerk).post(url).status_code == 403
        approved = api_as(inspector).post(url)
        assert approved.status_code == 200
        assert approved.json()["status"] == "posted"
        assert approved.json()["approved_by"] == inspector.username
        assert Balance.objects.get(lot=stocked, storehouse=world.sh1).quantity == 80

    def test_adjustment_keeps_its_reference(self, api_as, clerk, world, stocked):
        """The voucher reference a clerk gives an adjustment is recorded, as on every other
        posting (it was accepted and dropped)."""
        created = api_as(clerk).post(
            "/api/v1/adjustments/",
            {
                "reason": "found",
                "reference": "CNT-2026-07",
                "lines": [{"lot": stocked.pk, "storehouse": world.sh1.pk, "quantity": 2}],
            },
            format="json",
        )
        assert created.status_code == 201
        assert created.json()["reference"] == "CNT-2026-07"
        assert Document.objects.get(pk=created.json()["id"]).reference == "CNT-2026-07"

    def test_self_approval_is_409(self, api_as, admin_user, world, stocked):
        created = api_as(admin_user).post(
            "/api/v1/adjustments/",
            {
                "occurred_on": today(),
                "reason": "found",
                "lines": [{"lot": stocked.pk, "storehouse": world.sh1.pk, "quantity": 1}],
            },
            format="json",
        )
        response = api_as(admin_user).post(f"/api/v1/adjustments/{created.json()['id']}/approve/")
        assert response.status_code == 409
        assert response.json()["code"] == "self_approval"


class TestReadsAndScope:
    def test_stock_list_contract(self, api_as, clerk, world, stocked):
        rows = api_as(clerk).get("/api/v1/stock/").json()["results"]
        assert rows == [
            {
                "id": rows[0]["id"],
                "lot": stocked.pk,
                "lot_number": "762-A",
                "ammunition_type": world.ball.pk,
                "storehouse": world.sh1.pk,
                "depot": world.depot_a.pk,
                "quantity": 100,
                "neq_kg": "0.300",
                "condition": "A",
            }
        ]
        assert "count" not in api_as(clerk).get("/api/v1/stock/").json()

    def test_other_depot_stock_and_documents_are_invisible(
        self, api_as, clerk, clerk_b, world, stocked
    ):
        client = api_as(clerk_b)
        assert client.get("/api/v1/stock/").json()["results"] == []
        assert client.get("/api/v1/documents/").json()["results"] == []
        document = Document.objects.get(kind="receipt")
        assert client.get(f"/api/v1/documents/{document.pk}/").status_code == 404
        assert (
            client.post(
                f"/api/v1/documents/{document.pk}/reverse/", {"reason": "x"}, format="json"
            ).status_code
            == 404
        )
        assert client.get(f"/api/v1/stock/?depot={world.depot_a.pk}").status_code == 400

    def test_stock_card_running_balance(self, api_as, clerk, world, stocked):
        world.stock(clerk, stocked, world.sh1, 20)
        api_as(clerk).post(
            "/api/v1/issues/",
            {
                "occurred_on": today(),
                "recipient": world.unit.pk,
                "purpose": "exercise",
                "lines": [{"lot": stocked.pk, "storehouse": world.sh1.pk, "quantity": 50}],
            },
            format="json",
        )
        card = api_as(clerk).get(f"/api/v1/lots/{stocked.pk}/stock-card/").json()["results"]
        assert [(line["quantity"], line["running_balance"]) for line in card] == [
            (100, 100),
            (20, 120),
            (-50, 70),
        ]

    def test_lot_search_is_case_insensitive(self, api_as, clerk, world, stocked):
        rows = api_as(clerk).get("/api/v1/lots/?lot_number=762-a").json()["results"]
        assert [row["id"] for row in rows] == [stocked.pk]


class TestQueryCounts:
    """A lot's stock card costs a fixed number of queries, whatever the number of its lines
    (the list endpoints have theirs in tests/query_baselines.json)."""

    def _count(self, client, url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def test_fixed_query_count(self, api_as, clerk, world, stocked):
        client = api_as(clerk)
        path = f"/api/v1/lots/{stocked.pk}/stock-card/"
        small = self._count(client, path)
        for number in range(15):
            lot = world.lot(world.ball, f"MORE-{number}")
            world.stock(clerk, lot, world.sh1, 10)
            world.stock(clerk, stocked, world.sh1, 1)
        large = self._count(client, path)
        assert large == small


def test_lot_expiry_from_shelf_life_or_overridden(api_as, clerk, world):
    client = api_as(clerk)
    body = {
        "ammunition_type": world.ball.pk,
        "manufacturer": "Arsenal 10",
        "lot_number": "EXP-1",
        "manufactured_on": "2021-01-31",
    }
    computed = client.post("/api/v1/lots/", body, format="json")
    assert computed.status_code == 201
    assert computed.json()["expires_on"] == "2041-01-31"  # 240 months of shelf life
    overridden = client.post(
        "/api/v1/lots/", {**body, "lot_number": "EXP-2", "expires_on": "2030-06-30"}, format="json"
    )
    assert overridden.json()["expires_on"] == "2030-06-30"
    assert Lot.objects.get(lot_number="EXP-2").expiry_overridden
    duplicate = client.post("/api/v1/lots/", {**body, "lot_number": "exp-1"}, format="json")
    assert duplicate.status_code == 400
    assert Lot.objects.filter(lot_number__iexact="exp-1").count() == 1


@pytest.mark.parametrize("field", ["condition", "lot_number", "manufacturer"])
def test_a_nul_character_is_a_field_error_not_a_server_error(api_as, clerk, world, field):
    """Found by the schema fuzz: a NUL in a code looked up in the database was a 500."""
    body = {
        "ammunition_type": world.ball.pk,
        "manufacturer": "Arsenal 10",
        "lot_number": "NUL-1",
        "manufactured_on": "2021-01-31",
        "condition": "A",
    }
    before = snapshot()
    response = api_as(clerk).post("/api/v1/lots/", {**body, field: "A\x00B"}, format="json")
    assert response.status_code == 400
    assert response.json()[field] == ["Null characters are not allowed."]
    assert snapshot() == before


def test_stock_card_running_balance_is_right_on_every_page(api_as, clerk, world, stocked):
    for quantity in (5, 7, 11):
        world.stock(clerk, stocked, world.sh1, quantity)
    client = api_as(clerk)
    page = client.get(f"/api/v1/lots/{stocked.pk}/stock-card/?page_size=2").json()
    balances = [line["running_balance"] for line in page["results"]]
    page = client.get(page["next"]).json()
    balances += [line["running_balance"] for line in page["results"]]
    assert balances == [100, 105, 112, 123]


class TestIssueIdsResolvedInOneQuery:
    """The issue serializer reads its lots, storehouses and recipient with one query
    (inventory.api.ledger._Resolver); answers must be those of one ORM query per field."""

    def _errors(self, user, body, resolve):
        from types import SimpleNamespace

        from inventory.api.ledger import IssueSerializer

        context = {"request": SimpleNamespace(user=user)}
        if not resolve:
            context["_resolved"] = {}  # empty: every field queries as usual
        data = IssueSerializer(data=body, context=context)
        valid = data.is_valid()
        return valid, (data.validated_data if valid else data.errors)

    @pytest.mark.parametrize(
        ("lines", "recipient"),
        [
            ([{"lot": 999999, "storehouse": "sh1", "quantity": 1}], "unit"),
            ([{"lot": "stocked", "storehouse": "sh3", "quantity": 1}], "unit"),
            ([{"lot": "stocked", "storehouse": 999998, "quantity": 1}], 999997),
            ([{"lot": 2**70, "storehouse": "sh1", "quantity": 1}], -5),
            (
                [
                    {"lot": "stocked", "storehouse": "sh1", "quantity": 1},
                    {"lot": 999999, "storehouse": "sh3", "quantity": 1},
                    {"lot": "stocked", "storehouse": "sh1", "quantity": 2},
                ],
                "unit",
            ),
            ([{"lot": "stocked", "storehouse": "sh1", "quantity": 1}], "unit"),
        ],
    )
    def test_same_answer_as_one_query_per_field(self, clerk, world, stocked, lines, recipient):
        named = {"stocked": stocked.pk, "sh1": world.sh1.pk, "sh3": world.sh3.pk}
        body = {
            "occurred_on": today(),
            "recipient": world.unit.pk if recipient == "unit" else recipient,
            "purpose": "exercise",
            "lines": [
                {key: named.get(value, value) for key, value in line.items()} for line in lines
            ],
        }
        resolved = self._errors(clerk, body, resolve=True)
        assert resolved == self._errors(clerk, body, resolve=False)
        if resolved[0]:
            line = resolved[1]["lines"][0]
            assert line["storehouse"].depot.pk == world.sh1.depot_id  # its depot came along

    def test_unknown_or_out_of_scope_ids_are_400_and_write_nothing(
        self, api_as, clerk, world, stocked
    ):
        before = snapshot()
        response = api_as(clerk).post(
            "/api/v1/issues/",
            {
                "occurred_on": today(),
                "recipient": 999997,
                "purpose": "exercise",
                "lines": [
                    {"lot": 999999, "storehouse": world.sh1.pk, "quantity": 1},
                    {"lot": stocked.pk, "storehouse": world.sh3.pk, "quantity": 1},
                ],
            },
            format="json",
        )
        assert response.status_code == 400
        body = response.json()
        assert "does not exist" in body["recipient"][0]
        assert "does not exist" in body["lines"]["0"]["lot"][0]
        assert "does not exist" in body["lines"]["1"]["storehouse"][0]
        assert snapshot() == before

    def test_one_query_for_lot_storehouse_and_recipient(self, clerk, world, stocked):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        body = {
            "occurred_on": today(),
            "recipient": world.unit.pk,
            "purpose": "exercise",
            "lines": [{"lot": stocked.pk, "storehouse": world.sh1.pk, "quantity": 1}],
        }
        clerk.__dict__.pop("depot_ids", None)
        _ = clerk.depot_ids  # read once per request by the token query
        with CaptureQueriesContext(connection) as queries:
            valid, _values = self._errors(clerk, body, resolve=True)
        assert valid
        assert len(queries) == 1
