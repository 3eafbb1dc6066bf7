"""The web UI of the ledger (DESIGN.md §7; CONVENTIONS.md "Web UI").

Views are thin: selectors read in the user's depot scope (an object outside it is a 404), forms
check shape, the posting service decides and its refusals are shown on the form. Lists paginate
without counting rows: a page fetches one row more than it shows to know whether another follows.
"""

from dataclasses import dataclass

from django.shortcuts import render
from django.utils.cache import patch_vary_headers

PAGE_SIZE = 50
MAX_PAGE = 10_000


@dataclass(frozen=True)
class Page:
    rows: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def page_of(queryset, request, size: int = PAGE_SIZE) -> Page:
    """One page of `queryset` from `?page=`, with no COUNT: size + 1 rows are fetched."""
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() else 1
    number = max(1, min(number, MAX_PAGE))
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Page(rows=rows[:size], number=number, has_next=len(rows) > size)


def render_page(request, template: str, partial: str, context: dict):
    """The whole page, or only its partial for an htmx request (not for a boosted link)."""
    htmx = getattr(request, "htmx", None)
    response = render(request, partial if htmx and not htmx.boosted else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
