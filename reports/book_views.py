"""The daily storehouse book's page (DESIGN.md §14), in the Stock menu: a storehouse and a range
of days, the book as the page a magazine keeper signs each day, and its CSV/XLSX.

Any role reads the books of the storehouses in its depot scope; a storehouse outside it is a
404 like one that does not exist. Bad dates or a range over MAX_BOOK_DAYS answer 400 with the
form's errors. Downloads are rate-limited and written to the audit log, like every export.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.models import AuditAction
from audit.services import audit_record
from core import exports
from core.net import client_ip
from core.ratelimit import RateScope, rate_limit
from inventory.selectors.book import MAX_BOOK_DAYS, book_storehouses, storehouse_book
from inventory.selectors.ledger import book_hidden_check
from reports.builders.book import book_table
from reports.forms import StorehouseBookForm

EXPORTS = ("csv", "xlsx")


def _defaults() -> dict:
    """This month so far; in a month's first days, the last 31 days."""
    today = timezone.localdate()
    start = today.replace(day=1)
    if (today - start).days < 6:
        start = today - timedelta(days=30)
    return {"date_from": start, "date_to": today}


@require_GET
def storehouse_book_view(request):
    user = request.user
    if not user.role_set:
        raise PermissionDenied(_("Your role does not allow this action here."))
    storehouses = book_storehouses(user=user)
    context = {"max_days": MAX_BOOK_DAYS, "book": None}
    if "storehouse" not in request.GET:
        initial = _defaults()
        only = list(storehouses[:2])
        if len(only) == 1:
            initial["storehouse"] = only[0].pk
        context["form"] = StorehouseBookForm(initial=initial, storehouses=storehouses)
        return render(request, "reports/storehouse_book.html", context)
    data = request.GET.copy()
    for name, day in _defaults().items():  # a link naming only the storehouse: the default days
        data.setdefault(name, day.isoformat())
    form = StorehouseBookForm(data, storehouses=storehouses)
    context["form"] = form
    raw = request.GET.get("storehouse", "")
    if raw.isdigit() and "storehouse" in form.errors:
        raise Http404  # not a storehouse the user may read: as if it did not exist
    if not form.is_valid():
        return render(request, "reports/storehouse_book.html", context, status=400)
    storehouse = form.cleaned_data["storehouse"]
    date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    book_hidden_check(user, depot_id=storehouse.depot_id, storehouse_id=storehouse.pk)
    file_format = request.GET.get("export")
    if file_format and file_format not in EXPORTS:
        raise Http404
    if file_format:
        rate_limit(user, RateScope.EXPORT)
    book = storehouse_book(
        storehouse=storehouse, date_from=date_from, date_to=date_to, cutoff=timezone.now()
    )
    parameters = {
        "storehouse": storehouse.pk,
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
    }
    if file_format:
        return _export(request, book, file_format)
    context.update(
        book=book,
        query=urlencode(parameters),
        report_query=urlencode({"kind": "storehouse_book", **parameters}),
    )
    return render(request, "reports/storehouse_book.html", context)


def _export(request, book, file_format: str):
    storehouse = book.storehouse
    name = f"{storehouse.depot.code}/{storehouse.code}"
    audit_record(
        action=AuditAction.EXPORT,
        actor=request.user,
        object_type="inventory.storehouse",
        object_id=str(storehouse.pk),
        object_repr=name,
        detail=f"storehouse book {book.date_from}..{book.date_to} {file_format}",
        ip_address=client_ip(request),
    )
    table = book_table(book)
    stem = (
        f"storehouse-book-{storehouse.depot.code}-{storehouse.code}-{book.date_from}-{book.date_to}"
    )
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)
    if file_format == "csv":
        return exports.csv_response(table.headers, table.rows, filename=f"{stem}.csv")
    return exports.xlsx_response(
        table.headers, table.rows, filename=f"{stem}.xlsx", sheet=_("Storehouse book")
    )
