"""Pages stay correct once ids pass 999: numbers are grouped for reading ("1,500 on hand"),
never inside a link or an attribute, where "1,388" would point nowhere."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from tests.inventory.ledger_world import make_world

# An attribute value or query parameter that is a grouped number, e.g. value="1,388", ?lot=1,388
GROUPED = re.compile(r'(="|=)\d{1,3}(,\d{3})+("|&|\b)')


@pytest.fixture
def big_ids(db):
    """Every sequence the pages' ids come from starts above 1,000."""
    with connection.cursor() as cursor:
        # The tables first, then their sequences: in one statement PostgreSQL 18 may call
        # pg_get_serial_sequence on catalog rows before the schema filter has removed them.
        cursor.execute(
            "SELECT c.table_name FROM information_schema.columns c "
            "WHERE c.column_name = 'id' AND c.table_schema = 'public' AND c.table_name IN "
            "(SELECT table_name FROM information_schema.tables "
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE')"
        )
        for (table,) in cursor.fetchall():
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f'public."{table}"'])
            (sequence,) = cursor.fetchone()
            if sequence:
                cursor.execute("SELECT setval(%s, 12345)", [sequence])


def test_ids_above_999_are_never_grouped_in_links_or_attributes(
    big_ids, reference_policy, depot_a, depot_b, clerk, inspector, client
):
    world = make_world(depot_a, depot_b)
    lot = world.lot(world.ball, "BALL-1")
    world.stock(clerk, lot, world.sh1, 1500)
    assert lot.pk > 12345
    pages = {
        clerk: [
            reverse("inventory:stock_list"),
            reverse("inventory:lot_card", args=[lot.pk]),
            reverse("inventory:lot_search") + "?lines-0-lot_number=ball&mode=stock",
            reverse("inventory:document_list"),
        ],
        inspector: [
            reverse("surveillance:work_list") + "?days=3650",
            reverse("surveillance:lot_detail", args=[lot.pk]),
            reverse("inventory:waiver_list"),
        ],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            partial = "search" in url  # the search answers htmx with its results only
            response = client.get(url, HTTP_HX_REQUEST="true") if partial else client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert not GROUPED.search(html), (url, GROUPED.search(html).group(0))
    client.force_login(clerk)
    assert "1,500" in client.get(reverse("inventory:stock_list")).content.decode()
