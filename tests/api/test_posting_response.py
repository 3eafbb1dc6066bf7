"""A posting's answer is built from what the service wrote, not read back; API tokens are read
with the user's scope in one query; an issue through the API costs a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from inventory.models import Document

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate().isoformat()


@pytest.fixture
def stocked(world, clerk):
    lot = world.lot(world.ball, "762-A")
    world.stock(clerk, lot, world.sh1, 100)
    world.stock(clerk, lot, world.sh2, 100)
    return lot


def token_client(user):
    _instance, token = AuthToken.objects.create(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def issue_body(world, lot, *storehouses):
    return {
        "occurred_on": today(),
        "recipient": world.unit.pk,
        "purpose": "exercise",
        "lines": [
            {"lot": lot.pk, "storehouse": storehouse.pk, "quantity": 3}
            for storehouse in storehouses or (world.sh1,)
        ],
    }


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/issues/", lambda world, lot: issue_body(world, lot, world.sh1, world.sh2)),
        (
            "/api/v1/receipts/",
            lambda world, lot: {
                "occurred_on": today(),
                "counterparty": "Arsenal",
                "lines": [
                    {"lot": lot.pk, "storehouse": world.sh1.pk, "quantity": 5},
                    {
                        "lot": {
                            "ammunition_type": world.ball.pk,
                            "manufacturer": "Arsenal 10",
                            "lot_number": "NEW-1",
                            "manufactured_on": "2021-05-01",
                        },
                        "storehouse": world.sh1.pk,
                        "quantity": 8,
                    },
                ],
            },
        ),
        (
            "/api/v1/moves/",
            lambda world, lot: {
                "occurred_on": today(),
                "lines": [
                    {
                        "lot": lot.pk,
                        "from_storehouse": world.sh1.pk,
                        "to_storehouse": world.sh2.pk,
                        "quantity": 4,
                    }
                ],
            },
        ),
    ],
)
def test_the_answer_to_a_posting_is_the_document_as_read_back(
    api_as, clerk, world, stocked, path, body
):
    client = api_as(clerk)
    posted = client.post(path, body(world, stocked), format="json")
    assert posted.status_code == 201, posted.json()
    read = client.get(f"/api/v1/documents/{posted.json()['id']}/")
    assert posted.json() == read.json()
    assert len(posted.json()["lines"]) >= 1


def test_a_reversal_answer_is_the_document_as_read_back(api_as, clerk, world, stocked):
    client = api_as(clerk)
    issued = client.post("/api/v1/issues/", issue_body(world, stocked), format="json").json()
    reversal = client.post(
        f"/api/v1/documents/{issued['id']}/reverse/", {"reason": "wrong lot"}, format="json"
    )
    assert reversal.status_code == 201, reversal.json()
    assert reversal.json() == client.get(f"/api/v1/documents/{reversal.json()['id']}/").json()
    assert (
        client.get(f"/api/v1/documents/{issued['id']}/").json()["reversed_by"]
        == (reversal.json()["id"])
    )


def test_token_request_reads_token_user_and_scope_in_one_query(clerk, world, stocked):
    client = token_client(clerk)
    client.get("/api/v1/stock/")  # knox refreshes a token's expiry at most once a minute
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/stock/?depot={world.depot_a.pk}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2
    membership_reads = [q for q in captured.captured_queries if "depotmembership" in q["sql"]]
    assert len(membership_reads) == 1
    assert "knox_authtoken" in membership_reads[0]["sql"]
    # Out of scope: depot B's stock is not listed for depot A's clerk.
    other = client.get(f"/api/v1/stock/?depot={world.depot_b.pk}")
    assert other.status_code in (200, 400)
    assert other.status_code == 400 or other.json()["results"] == []


def test_an_expired_token_is_refused_and_deleted(clerk):
    instance, token = AuthToken.objects.create(clerk)
    AuthToken.objects.filter(pk=instance.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/stock/").status_code == 401
    assert not AuthToken.objects.filter(pk=instance.pk).exists()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token[:-1]}x")
    assert client.get("/api/v1/stock/").status_code == 401


def test_an_issue_through_the_api_costs_a_fixed_number_of_queries(clerk, world, stocked):
    client = token_client(clerk)
    client.get("/api/v1/stock/")

    def post(*storehouses):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                "/api/v1/issues/", issue_body(world, stocked, *storehouses), format="json"
            )
        assert response.status_code == 201, response.json()
        return [query["sql"] for query in captured.captured_queries]

    first = post()
    # token, lot, storehouse, recipient + the service's statements; nothing is read back.
    assert len(first) <= 15, "\n".join(first)
    assert not any(sql.startswith('SELECT "inventory_document"') for sql in first)
    for _ in range(5):
        post()
    assert len(post()) == len(first)
    assert Document.objects.filter(kind="issue").count() == 7
