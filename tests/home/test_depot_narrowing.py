"""The depot switcher narrows every main web page (issue 17): on the demo stockpile, the demo
administrator (who reads every depot) narrowed to D01 sees no row of D02 or D03 on any main list
page, where the same page unnarrowed shows them; the API (session-authenticated here) stays
national. The audit log and the diversion register are national records, not narrowed.

The demo's depot codes (D01, D02, D03) mark a depot's rows: storehouses (D01/...), paper
references (PAPER-D01-...), depot columns. Only <main> is read: the top bar's switcher names
every depot.
"""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import User
from demo.seeding import seed as demo_seed
from home.depots import FOCUS_KEY
from inventory.models import Depot
from tests.query_data import grow

pytestmark = pytest.mark.django_db

# The main web list pages and dashboards, each with a query that shows rows of every depot.
PAGES = [
    ("home", ""),
    ("inventory:stock_list", ""),
    ("inventory:document_list", ""),
    ("inventory:waiver_list", ""),
    ("inventory:transfer_inbox", ""),
    ("surveillance:work_list", ""),
    ("stockchecks:check_list", ""),
    ("stockchecks:incident_list", ""),
    ("alerts:alert_list", ""),
    ("surplus:dashboard", ""),
    ("diversion:case_list", ""),
    ("reports:report_list", ""),
    ("qd:calculator", ""),
]
OTHERS = re.compile(r"\bD0[23]\b")
# A D01 row may name the other depot of a transfer: "→ D02", "D02 ← D01", and the transit
# shortfall a D02 receipt found in a D01 dispatch (an incident of both depots).
COUNTERPARTS = re.compile(r"→ D0\d|D0\d ← D0\d|Transfer D01-\d{4}-\d+ received [^<]*")
MAIN = re.compile(r"<main[^>]*>(.*)</main>", re.S)


def _main(html: str) -> str:
    return COUNTERPARTS.sub("", MAIN.search(html).group(1))


@pytest.fixture(scope="module")
def pages(django_db_setup, django_db_blocker):
    """Each page as the demo administrator: all depots, then narrowed to D01; and the API."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            demo_seed(password="narrowing-password-1")
            grow(1)
            admin = User.objects.get(username="admin")
            d01 = Depot.objects.get(code="D01")
            client = Client()
            client.force_login(admin)
            seen = {}
            for name, query in PAGES:
                url = reverse(name) + query
                seen[name] = {"all": client.get(url)}
            response = client.post(reverse("depot_focus"), {"depot": str(d01.pk), "next": "/"})
            assert response.status_code == 302
            assert client.session[FOCUS_KEY] == d01.pk
            for name, query in PAGES:
                seen[name]["d01"] = client.get(reverse(name) + query)
            seen["api"] = client.get(reverse("depot-list"))
            seen["api-balances"] = client.get(reverse("stock-list"))
            yield seen
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.parametrize("name", [name for name, _query in PAGES])
def test_a_page_narrowed_to_one_depot_shows_none_of_the_others(pages, name):
    everything, narrowed = pages[name]["all"], pages[name]["d01"]
    assert (everything.status_code, narrowed.status_code) == (200, 200), name
    wide = OTHERS.findall(_main(everything.content.decode()))
    assert wide, f"{name} shows no row of D02 or D03 even unnarrowed: the test proves nothing"
    assert OTHERS.findall(_main(narrowed.content.decode())) == [], name


def test_the_api_is_not_narrowed(pages):
    """The same session, narrowed on the web pages, reads every depot through the API."""
    codes = {row["code"] for row in pages["api"].json()["results"]}
    assert {"D01", "D02", "D03"} <= codes
    depots = {row["depot"] for row in pages["api-balances"].json()["results"]}
    assert len(depots) > 1
