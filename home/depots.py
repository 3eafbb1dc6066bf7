"""The depot switcher of the top bar: a user whose scope covers several depots narrows the web
pages to one of them.

The choice is kept in the session (`depot_focus`, a depot id) and put on the request's user by
`home.middleware.DepotFocusMiddleware` for every page outside /api/; core.scoping intersects the
user's read and action scopes with it, so every page is narrowed, and a choice can only narrow.
A choice that has left the user's scope (a membership removed) is dropped on the next request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.scoping import full_read_depot_ids
from inventory.models import Depot

FOCUS_KEY = "depot_focus"
CHOICES_KEY = "depot_choices"
# How long the session keeps the list of depots to choose from (no query per page); a change of
# memberships refreshes it at once, a new or renamed depot appears within this time.
CHOICES_SECONDS = 300


@dataclass(frozen=True)
class Switcher:
    """What the top bar shows: the depots to choose from (id, "CODE Name") and the current one."""

    choices: list[tuple[int, str]]
    current: int | None

    @property
    def current_label(self) -> str:
        return next((label for pk, label in self.choices if pk == self.current), "")


def depot_choices(request) -> list[tuple[int, str]]:
    """The depots the signed-in user may narrow their pages to, by code: every depot of their
    full read scope, or none when it holds fewer than two (no switcher). Kept in the session for
    CHOICES_SECONDS, keyed by the scope, so that a page costs no query for it."""
    user = request.user
    if not user.is_authenticated:
        return []
    ids = full_read_depot_ids(user)
    if ids is not None and len(ids) < 2:
        return []
    key = "all" if ids is None else sorted(ids)
    now = int(time.time())
    cached = request.session.get(CHOICES_KEY)
    if cached and cached.get("scope") == key and cached.get("until", 0) > now:
        return [(pk, label) for pk, label in cached["choices"]]
    depots = Depot.objects.order_by("code")
    if ids is not None:
        depots = depots.filter(pk__in=ids)
    rows = depots.values_list("pk", "code", "name")
    choices = [(pk, f"{code} {name}") for pk, code, name in rows]
    if len(choices) < 2:
        choices = []
    request.session[CHOICES_KEY] = {
        "scope": key,
        "until": now + CHOICES_SECONDS,
        "choices": [list(choice) for choice in choices],
    }
    return choices


def focus_apply(request) -> None:
    """Narrow this request's user to the depot chosen in the session, if it is still one of their
    depots; otherwise forget the choice (it never widens, and a stale one is not kept)."""
    focus = request.session.get(FOCUS_KEY)
    if focus is None:
        return
    if not request.user.is_authenticated:
        return
    if focus in {pk for pk, _label in depot_choices(request)}:
        request.user.depot_focus = focus
    else:
        del request.session[FOCUS_KEY]


def focus_set(request, value: str) -> None:
    """Narrow the user's pages to the depot `value` (an id), or show all their depots again
    (`value` empty). ValueError for a value that is not an id; PermissionDenied for a depot the
    user cannot choose. Nothing changes when it refuses."""
    if value == "":
        request.session.pop(FOCUS_KEY, None)
        return
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise ValueError(value)
    depot_id = int(value)
    if depot_id not in {pk for pk, _label in depot_choices(request)}:
        raise PermissionDenied(_("This depot is not one of yours."))
    request.session[FOCUS_KEY] = depot_id


def switcher(request) -> Switcher | None:
    """The top bar's depot switcher for this request, or None for a user of one depot."""
    choices = depot_choices(request)
    if not choices:
        return None
    return Switcher(choices=choices, current=getattr(request.user, "depot_focus", None))
