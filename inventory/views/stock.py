"""Stock on hand, licence use, stock cards and the lot search."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.roles import Action
from core.scoping import NATIONAL_READERS, action_depot_ids, read_depot_ids, scope
from core.web import page_of, render_page
from inventory.forms import StockFilter, lots_in_scope
from inventory.labels import scanned_lot
from inventory.models import Balance, BanKind
from inventory.models.reference import Availability
from inventory.selectors.bans import bans_binding
from inventory.selectors.ledger import balance_list, book_hidden, stock_card
from inventory.selectors.licence_use import storehouse_neq_summary
from inventory.views.lots import split_depot_ids

SEARCH_LIMIT = 15
SEARCH_MODES = {"stock", "issue", "lot", "all"}


@require_GET
def stock_list(request):
    """Stock on hand in the user's depots, filtered like the API's stock list, with how full
    each storehouse is against its licence."""
    user = request.user
    filterset = StockFilter(
        request.GET,
        queryset=balance_list(user=user).select_related("lot__condition"),
        request=request,
    )
    depot = storehouse = None
    if filterset.is_valid():
        rows = filterset.qs.order_by("depot_id", "storehouse_id", "lot_id", "id")
        depot = filterset.form.cleaned_data.get("depot")
        storehouse = filterset.form.cleaned_data.get("storehouse")
    else:
        rows = Balance.objects.none()
    depots = read_depot_ids(user)
    national = depots is None
    summary = None
    if depot or storehouse or not national:
        summary = storehouse_neq_summary(
            user=user,
            depot_id=depot.pk if depot else None,
            storehouse_id=storehouse.pk if storehouse else None,
        )
    waiver_depots = action_depot_ids(user, Action.RECORD_WAIVER)
    page = page_of(rows, request)
    _attach_bans(page.rows)
    context = {
        "filter": filterset,
        "page": page,
        "summary": summary,
        "waiver_depots": waiver_depots,
        "waive_everywhere": waiver_depots is None,
        "show_depot": national or len(depots) > 1,
    }
    return render_page(
        request, "inventory/stock_list.html", "inventory/partials/stock_results.html", context
    )


def _why_not_issuable(lot, bans) -> str:
    """Why the issue form does not offer `lot` ("" when it may be issued to someone)."""
    if any(ban.kind == BanKind.BAN for ban in bans):
        return _("banned")
    if lot.identity_lost:
        return _("identity lost")
    if lot.condition.availability in (Availability.SUSPENDED, Availability.UNSERVICEABLE):
        return _("condition %(code)s, %(state)s") % {
            "code": lot.condition_id,
            "state": lot.condition.get_availability_display(),
        }
    if lot.is_expired(timezone.localdate()):
        return _("expired on %(day)s") % {"day": lot.expires_on.isoformat()}
    return ""


def _attach_bans(rows) -> None:
    """Give each row (with a `lot_id`) the bans and constraints binding its lot, as `bans`:
    one look-up for the whole page (inventory.selectors.bans.bans_binding)."""
    binding = bans_binding(row.lot_id for row in rows)
    for row in rows:
        row.bans = binding.get(row.lot_id, [])


@require_GET
def lot_card(request, pk: int):
    """A lot's stock card (bin card): every ledger line in the user's depots with the running
    balance, depot-wide or for one storehouse (?storehouse=)."""
    user = request.user
    lot = get_object_or_404(lots_in_scope(user).select_related("parent"), pk=pk)
    holdings = list(
        book_hidden(scope(Balance.objects.filter(lot=lot), user), user)
        .select_related("storehouse__depot")
        .order_by("depot__code", "storehouse__code")
    )
    raw = request.GET.get("storehouse", "")
    chosen = next(
        (b.storehouse for b in holdings if raw.isdigit() and b.storehouse_id == int(raw)), None
    )
    lines = stock_card(user=user, lot=lot, storehouse_id=chosen.pk if chosen else None)
    page = page_of(lines, request, size=100)
    for line in page.rows:
        line.outgoing = -line.quantity
    split_depots = split_depot_ids(user)
    context = {
        "lot": lot,
        "may_split": any(
            b.quantity > 0 and (split_depots is None or b.depot_id in split_depots)
            for b in holdings
        ),
        "holdings": holdings,
        "total": sum(b.quantity for b in holdings),
        "chosen": chosen,
        "page": page,
        "bans": bans_binding([lot.pk]).get(lot.pk, []),
        # The trace is diversion's page; national readers may read it (diversion.selectors).
        "may_trace": bool(user.role_set & NATIONAL_READERS),
        "expired": lot.is_expired(timezone.localdate()),
    }
    return render(request, "inventory/lot_card.html", context)


@require_GET
def lot_search(request):
    """Lots of the user's depots whose number contains ?q= (any letter case).

    For htmx (a posting line's search-as-you-type) the list of picks only; else a page. `mode`:
    "stock" lists each lot in each storehouse holding it, "all" also where it is used up, "lot"
    each lot once; "issue" is "stock" where a lot that may not be issued (its condition, a ban)
    is listed with the reason but not offered. Bans and constraints are shown on every row.
    """
    user = request.user
    query = request.GET.get("q") or next(
        (value for key, value in request.GET.items() if key.endswith("lot_number")), ""
    )
    query, type_code = scanned_lot(query[:200])  # typed, or scanned from a lot label
    query = query[:80]
    mode = request.GET.get("mode", "stock")
    mode = mode if mode in SEARCH_MODES else "stock"
    rows = []
    if query:
        balances = book_hidden(
            scope(Balance.objects.filter(lot__lot_number__icontains=query), user), user
        )
        if type_code:
            balances = balances.filter(lot__ammunition_type__code__iexact=type_code)
        if mode in ("stock", "issue"):
            balances = balances.filter(quantity__gt=0)
        balances = balances.select_related(
            "lot__ammunition_type", "lot__condition", "storehouse", "depot"
        ).order_by("lot__lot_number", "lot_id", "depot__code", "storehouse__code")
        rows = list(balances[: SEARCH_LIMIT * (4 if mode == "lot" else 1)])
        if mode == "lot":
            seen = set()
            rows = [r for r in rows if not (r.lot_id in seen or seen.add(r.lot_id))][:SEARCH_LIMIT]
        _attach_bans(rows)
        for row in rows:
            row.not_issuable = mode == "issue" and _why_not_issuable(row.lot, row.bans)
    context = {"query": query, "mode": mode, "rows": rows, "limit": SEARCH_LIMIT}
    return render_page(
        request, "inventory/lot_search.html", "inventory/partials/lot_results.html", context
    )
