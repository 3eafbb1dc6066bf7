"""The "Find a lot" box of the top bar (issue 17): on every page for every signed-in role, a
plain GET form to the lot search, which shows only lots of the user's depots."""

import re

import pytest
from django.urls import reverse

from core.roles import Role

BOX = re.compile(r'<form class="lot-find" method="get" action="([^"]+)" role="search"')


def _box(html: str) -> str | None:
    match = BOX.search(html)
    return match.group(1) if match else None


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_every_role_has_the_box_on_every_page(client, users_by_role, role):
    client.force_login(users_by_role[role])
    for name in ("home", "inventory:stock_list", "alerts:alert_list"):
        html = client.get(reverse(name)).content.decode()
        assert _box(html) == reverse("inventory:lot_search"), (role, name)
        # A labelled search input, sent as ?q= with the lot search's "all" mode.
        assert '<label for="lot-find-q" class="visually-hidden">Find a lot</label>' in html
        assert re.search(r'<input type="search" name="q" id="lot-find-q"', html)
        assert '<input type="hidden" name="mode" value="all">' in html
        assert 'aria-label="Find a lot"' in html


def test_signed_out_pages_have_no_box(client):
    html = client.get(reverse("login")).content.decode()
    assert 'class="lot-find"' not in html
    assert "lot-find-q" not in html


@pytest.fixture
def lots(world, clerk, clerk_b):
    mine = world.lot(world.ball, number="FIND-7")
    world.stock(clerk, mine, world.sh1, 12)
    theirs = world.lot(world.tnt, number="FIND-8")
    world.stock(clerk_b, theirs, world.sh3, 30)
    return mine, theirs


def test_the_box_finds_the_users_lot_by_number_or_scanned_label(client, clerk, lots):
    mine, _theirs = lots
    client.force_login(clerk)
    url = reverse("inventory:lot_search")
    for typed in ("FIND-7", "find-7", "FIND-7|762-BALL"):
        html = client.get(url, {"q": typed, "mode": "all"}).content.decode()
        assert reverse("inventory:lot_card", args=[mine.pk]) in html, typed
        assert "DA/SH1" in html


def test_a_lot_of_another_depot_is_not_found(client, clerk, lots):
    mine, theirs = lots
    client.force_login(clerk)
    url = reverse("inventory:lot_search")
    for typed in ("FIND-8", "FIND", "FIND-8|TNT-200"):
        html = client.get(url, {"q": typed, "mode": "all"}).content.decode()
        assert reverse("inventory:lot_card", args=[theirs.pk]) not in html, typed
        assert "DB/SH3" not in html, typed
    for typed in ("FIND-8", "FIND-8|TNT-200"):
        html = client.get(url, {"q": typed, "mode": "all"}).content.decode()
        assert "No lot in your depots has a number containing “FIND-8”." in html
    html = client.get(url, {"q": "FIND", "mode": "all"}).content.decode()
    assert reverse("inventory:lot_card", args=[mine.pk]) in html  # the search did run
