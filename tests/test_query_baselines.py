"""One query-count baseline for every list route and list page (tests/query_baselines.json).

Every list endpoint of the API (a router route whose GET is `list`), every list page of the web
URLconf (a parameterless route named `*_list`) and the other lists the file names are
requested on the demo stockpile, then again once every list holds more rows. Its query count
must equal the baseline both times: a count above it is a new query (an N+1 when it grows with
the data), one below it a saving to record. A route the file does not name fails, so a new list
comes with its baseline (docs/architecture.md says how to add one).

The data are loaded once for the module inside a transaction that is rolled back at the end.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from demo.seeding import seed as demo_seed
from tests.query_data import grow

# The module's data live in `measured`; the mark makes pytest-django set up the test database.
pytestmark = pytest.mark.django_db

BASELINES = Path(__file__).with_name("query_baselines.json")
DEFAULT_USER = "admin"  # the demo administrator reads every depot and every list


@dataclass(frozen=True)
class Route:
    name: str  # the URL name, namespaced for web pages
    api: bool


def _walk(patterns, namespace: str | None = None, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield prefix + str(pattern.pattern), name, pattern


def list_routes() -> list[Route]:
    """Every list endpoint of the API and every list page of the URLconf."""
    named = set(_baselines())
    routes: dict[str, Route] = {}
    for path, name, pattern in _walk(get_resolver().url_patterns):
        if path.startswith("admin/") or "(?P<format>" in path or "<drf_format_suffix" in path:
            continue
        actions = getattr(pattern.callback, "actions", None) or {}
        api = path.startswith("api/")
        parameterless = not pattern.pattern.regex.groupindex
        if (
            (api and actions.get("get") == "list")
            or (not api and parameterless and name.endswith("_list"))
            or (parameterless and name in named)
        ):
            routes[name] = Route(name, api=api)
    return sorted(routes.values(), key=lambda route: route.name)


def _baselines() -> dict[str, dict]:
    return {
        name: entry if isinstance(entry, dict) else {"queries": entry}
        for name, entry in json.loads(BASELINES.read_text())["routes"].items()
    }


ROUTES = list_routes()


@dataclass(frozen=True)
class Measure:
    status: int
    queries: int
    rows: int | None = None  # an API list: the rows of its first page
    more: bool = False  # ... and whether a next page exists


def _count(client: Client, url: str, api: bool) -> Measure:
    client.get(url)  # warm the session and any per-user cache, as a second visit finds them
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    if not api or response.status_code != 200:
        return Measure(response.status_code, len(captured))
    body = response.json()
    if isinstance(body, dict) and "results" in body:
        return Measure(200, len(captured), len(body["results"]), bool(body.get("next")))
    return Measure(200, len(captured), len(body) if isinstance(body, list) else None)


def _measure(clients: dict[str, Client], baselines: dict[str, dict]) -> dict[str, Measure]:
    counts = {}
    for route in ROUTES:
        entry = baselines.get(route.name, {})
        url = reverse(route.name) + entry.get("query", "")
        counts[route.name] = _count(clients[entry.get("as", DEFAULT_USER)], url, route.api)
    return counts


def _record(counts: dict[str, Measure]) -> None:
    """QUERY_BASELINES_RECORD=1: write the counts measured on the demo data into the file
    (review the diff: a count that went up is a new query to justify)."""
    routes = json.loads(BASELINES.read_text())["routes"]
    for name, measure in sorted(counts.items()):
        entry = routes.get(name)
        if isinstance(entry, dict):
            entry["queries"] = measure.queries
        else:
            routes[name] = measure.queries
    text = json.dumps({"routes": dict(sorted(routes.items()))}, indent=2)
    BASELINES.write_text(text + "\n")


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    """Query counts of every route on the demo stockpile (small) and on a larger one."""
    baselines = _baselines()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            demo_seed(password="baseline-password-1")
            grow(1)  # the demo leaves some lists empty, and an empty list skips its prefetches
            clients = {}
            for user in User.objects.filter(username__in=["admin", "auditor", "officer"]):
                clients[user.username] = Client()
                clients[user.username].force_login(user)
            small = _measure(clients, baselines)
            grow(2)
            grow(3)
            large = _measure(clients, baselines)
            if os.environ.get("QUERY_BASELINES_RECORD"):
                _record(small)
            yield {name: (small[name], large[name]) for name in small}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_every_baseline_names_a_list_route():
    stale = sorted(set(_baselines()) - {route.name for route in ROUTES})
    assert not stale, f"{BASELINES.name} names routes that are not lists (any more): {stale}"


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_list_query_count_is_its_baseline_and_does_not_grow(route, measured):
    small, large = measured[route.name]
    entry = _baselines().get(route.name)
    assert entry is not None, (
        f"{route.name} has no query baseline: add it to {BASELINES.name} "
        f"(measured {small.queries} queries on the demo data, {large.queries} on more)"
    )
    assert (small.status, large.status) == (200, 200), route.name
    if small.rows is not None:  # the data grew where the API shows it: a full page, or more rows
        assert small.rows, f"{route.name}: no rows to measure"
        assert small.more or large.rows > small.rows, f"{route.name} did not grow: {large}"
    assert large.queries == small.queries, (
        f"{route.name}: {small.queries} queries, {large.queries} once the lists grew"
    )
    assert small.queries == entry["queries"], (
        f"{route.name}: {small.queries} queries, baseline {entry['queries']}"
    )


def test_the_api_list_routes_are_found():
    """The enumeration itself: it finds the router's lists and the web list pages."""
    names = {route.name for route in ROUTES}
    assert {"depot-list", "report-list", "party-list", "inventory:document_list"} <= names
    assert not any(re.search(r"-(detail|download)$", name) for name in names)
