"""The daily storehouse book's page (/reports/book/, Stock menu): the book for every role in
scope, 404 outside it, 400 for bad dates, CSV/XLSX through core.exports, audit-logged and
rate-limited, a fixed number of queries whatever the range."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditAction, AuditEvent
from core.roles import Role
from inventory.services.counts import blind_count_begin
from tests.factories import UserFactory
from tests.inventory.book_history import ago, post_book_history

URL = "/reports/book/"


@pytest.fixture
def book(world, clerk):
    return post_book_history(world, clerk)


def query(book, **changes) -> dict:
    values = {
        "storehouse": book.world.sh1.pk,
        "date_from": book.start.isoformat(),
        "date_to": book.today.isoformat(),
    }
    return {**values, **changes}


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_the_page_offers_the_users_storehouses_and_a_default_range(book, client, clerk):
    page = get(client, clerk)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<option value="{book.world.sh1.pk}"' in html
    assert f'<option value="{book.world.sh3.pk}"' not in html  # depot B's
    assert f'value="{ago(0).isoformat()}"' in html  # the range ends today
    assert f'href="{URL}"' in html  # in the navigation


def test_the_book_shows_every_day_with_its_lines_and_a_signature_line(book, client, clerk):
    page = get(client, clerk, **query(book))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="card book-day') == 15
    assert html.count("No movement.") == 9
    assert html.count("Magazine keeper (name, signature)") == 15
    for number in (book.issue.number, book.transfer.number, book.reversal.number):
        assert number in html
    assert "split into lot TNT-1/D" in html
    assert "1st Brigade" in html
    assert "1.4 3.000 → 2.400" in html  # NEQ per division, the day of the issue
    assert "kind=storehouse_book" in html  # the PDF is a click away


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.OFFICER, Role.AUDITOR, Role.ADMIN])
def test_every_role_in_scope_reads_the_book(book, client, depot_a, role):
    user = UserFactory(username=f"reader_{role}", roles=[role], depots=[depot_a])
    assert get(client, user, **query(book)).status_code == 200


def test_outside_ones_scope_the_storehouse_does_not_exist(book, client, clerk, clerk_b):
    assert get(client, clerk_b, **query(book)).status_code == 404
    assert get(client, clerk_b, **query(book), export="csv").status_code == 404
    assert get(client, clerk, **query(book, storehouse=book.world.sh3.pk)).status_code == 404
    assert get(client, clerk, **query(book, storehouse=999_999)).status_code == 404
    nobody = UserFactory(username="nobody", roles=[])
    assert get(client, nobody, **query(book)).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"storehouse": "SH1"}, "Select a valid choice"),
        ({"date_from": ago(1).isoformat(), "date_to": ago(2).isoformat()}, "ends before it"),
        ({"date_from": ago(366).isoformat()}, "at most 366 days"),
        ({"date_to": (ago(0) + timedelta(days=1)).isoformat()}, "past today"),
        ({"date_from": "2026-02-30"}, "Enter a valid date"),
        ({"date_to": ""}, "required"),
    ],
)
def test_bad_input_is_a_400_with_the_error_and_nothing_is_written(
    book, client, clerk, changes, message
):
    answer = get(client, clerk, **query(book, **changes), export="csv")
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("text/html")
    assert message in answer.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_csv_and_xlsx_downloads_are_neutralised_and_audited(book, client, clerk):
    answer = get(client, clerk, **query(book), export="csv")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert "storehouse-book-DA-SH1-" in answer["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[0][:3] == ["date", "entry", "lot"]
    received = next(row for row in rows if row[1] == "receipt" and row[2] == "TNT-1")
    assert received[7] == "'=Factory"
    assert sum(1 for row in rows if row[1] == "no_movement") == 9
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor, event.object_type, event.object_id) == (
        clerk,
        "inventory.storehouse",
        str(book.world.sh1.pk),
    )
    assert event.detail.endswith(" csv")
    answer = get(client, clerk, **query(book), export="xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == len(rows)
    assert any("'=Factory" in row for row in values)
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 2
    assert get(client, clerk, **query(book), export="pdf").status_code == 404


def test_exports_are_rate_limited(book, client, clerk, settings):
    settings.STOCKPILE_RATE_LIMITS = {**settings.STOCKPILE_RATE_LIMITS, "export": "1/1h"}
    assert get(client, clerk, **query(book), export="csv").status_code == 200
    refused = get(client, clerk, **query(book), export="csv")
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_a_storehouse_counted_blind_hides_its_book_from_its_counters(book, client, clerk, auditor):
    blind_count_begin(depot=book.world.depot_a, storehouse=book.world.sh1, reference="SC-1")
    assert get(client, clerk, **query(book)).status_code == 409
    assert get(client, auditor, **query(book)).status_code == 200


def test_the_page_costs_the_same_queries_for_one_day_or_a_year(book, client, clerk):
    client.force_login(clerk)
    counts = []
    for start in (ago(0), ago(14), ago(365)):
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(URL, query(book, date_from=start.isoformat()))
        assert answer.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts


def test_the_stock_list_links_each_storehouse_to_its_book(book, client, clerk):
    client.force_login(clerk)
    stock = client.get(reverse("inventory:stock_list"))
    link = f"{URL}?storehouse={book.world.sh1.pk}"
    assert link in stock.content.decode()
    page = client.get(link)  # the storehouse alone: the default days
    assert page.status_code == 200
    assert book.reversal.number in page.content.decode()  # today is in the default range
