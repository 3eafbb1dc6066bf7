"""The daily storehouse book (report kind `storehouse_book`, DESIGN.md §14), and its table, which
the book's page exports as CSV/XLSX too: one storehouse, one range of days, what a magazine
keeper signs each day."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.roles import Action
from core.scoping import require
from inventory.models import Storehouse
from inventory.selectors.book import (
    StorehouseBook,
    book_lines,
    book_range_errors,
    book_storehouses,
    storehouse_book,
)
from inventory.selectors.ledger import book_hidden_check
from reports.builders.ledger import period_text, run_dates
from reports.forms import DateInput
from reports.kinds import (
    Block,
    Cleaned,
    Content,
    ReportBuilder,
    Table,
    date_param,
    id_param,
    only,
    refuse,
)
from reports.listing import Column, Listing
from reports.models import ReportKind

DAY = Listing(
    Column(gettext_lazy("Lot / document"), 24),
    Column(gettext_lazy("Kind"), 17),
    Column(gettext_lazy("Counterparty"), 38),
    Column(gettext_lazy("In"), 10, right=True),
    Column(gettext_lazy("Out"), 10, right=True),
    Column(gettext_lazy("Balance"), 12, right=True),
)
HELD = Listing(
    Column(gettext_lazy("Lot"), 30),
    Column(gettext_lazy("Ammunition type"), 30),
    Column(gettext_lazy("Hazard division"), 15),
    Column(gettext_lazy("Quantity"), 14, right=True),
    Column(gettext_lazy("NEQ (kg)"), 16, right=True),
)

TABLE_HEADERS = [
    "date",
    "entry",
    "lot",
    "ammunition_type",
    "hazard_division",
    "document",
    "kind",
    "counterparty",
    "reference",
    "received",
    "removed",
    "balance",
    "neq_kg",
]


def _table_row(day: date, entry: str, lot=None, **values) -> list:
    """One row of the table: the named TABLE_HEADERS given, the others empty."""
    if lot is not None:
        values.update(
            lot=lot.lot_number, ammunition_type=lot.type_code, hazard_division=lot.hazard_division
        )
    values.update(date=day, entry=entry)
    return [values.get(name, "") for name in TABLE_HEADERS]


def book_table(book: StorehouseBook) -> Table:
    """The book as rows (CSV/XLSX): the lots held at the start, then each day's lots that moved
    (opening, each line, closing) or `no_movement`, and its NEQ per division (opening and
    closing); last the lots held at the end."""
    rows = [
        _table_row(book.date_from, "held_at_start", lot, balance=held, neq_kg=lot.neq(held))
        for lot, held in book.opening
    ]
    for day in book.days:
        if day.quiet:
            rows.append(_table_row(day.day, "no_movement", balance=day.closing_units))
        for lot_day in day.lots:
            lot, opening, closing = lot_day.lot, lot_day.opening, lot_day.closing
            rows.append(
                _table_row(day.day, "opening", lot, balance=opening, neq_kg=lot.neq(opening))
            )
            rows.extend(
                _table_row(
                    day.day,
                    entry.entry,
                    lot,
                    document=entry.document_number,
                    kind=entry.kind,
                    counterparty=entry.counterparty,
                    reference=entry.reference,
                    received=entry.received or "",
                    removed=entry.removed or "",
                    balance=entry.balance,
                    neq_kg=lot.neq(entry.quantity),
                )
                for entry in lot_day.entries
            )
            rows.append(
                _table_row(day.day, "closing", lot, balance=closing, neq_kg=lot.neq(closing))
            )
        for division in day.divisions:
            for entry, kg in (
                ("neq_opening", division.opening_kg),
                ("neq_closing", division.closing_kg),
            ):
                rows.append(
                    _table_row(day.day, entry, hazard_division=division.division, neq_kg=kg)
                )
    rows.extend(
        _table_row(book.date_to, "held_at_end", lot, balance=held, neq_kg=lot.neq(held))
        for lot, held in book.closing
    )
    return Table(headers=list(TABLE_HEADERS), rows=rows)


def _neq_text(pairs) -> str:
    return " · ".join(f"{division} {kg:,.3f}" for division, kg in pairs) or "—"


def _day_block(day) -> Block:
    rows = []
    for lot_day in day.lots:
        lot = lot_day.lot
        rows.append(
            DAY.label(
                _("%(lot)s (%(type)s), opening") % {"lot": lot.lot_number, "type": lot.type_code},
                lot_day.opening,
                css="group",
            )
        )
        rows.extend(
            DAY.row(
                "  " + entry.document_number,
                entry.kind_label[:1].upper() + entry.kind_label[1:],
                entry.counterparty,
                entry.received,
                entry.removed,
                entry.balance,
            )
            for entry in lot_day.entries
        )
        rows.append(DAY.label("  " + _("closing"), lot_day.closing, css="balance"))
    context = {
        "day": day,
        "listing": DAY,
        "rows": rows,
        "opening_neq": _neq_text((d.division, d.opening_kg) for d in day.divisions),
        "closing_neq": _neq_text((d.division, d.closing_kg) for d in day.divisions),
    }
    return Block("reports/pdf/book_day.html", context, rows=len(rows) + 6)


def _held_block(title: str, pairs) -> Block:
    rows = [
        HELD.row(lot.lot_number, lot.type_code, lot.hazard_division, quantity, lot.neq(quantity))
        for lot, quantity in pairs
    ]
    return Block(
        "reports/pdf/book_held.html",
        {"title": title, "listing": HELD, "rows": rows},
        rows=len(rows) + 3,
    )


class StorehouseBookReport(ReportBuilder):
    """One storehouse's daily book over a range of days (at most MAX_BOOK_DAYS)."""

    kind = ReportKind.STOREHOUSE_BOOK
    summary = gettext_lazy(
        "One storehouse, day by day: opening balance, each receipt and removal with its "
        "document, closing balance, per lot and NEQ per hazard division; a signature line per "
        "day. PDF, CSV, XLSX."
    )
    page_size = "A4 landscape"
    tabular = True

    def clean(self, *, user, parameters) -> Cleaned:
        only(parameters, ["storehouse", "date_from", "date_to"])
        pk = id_param(parameters, "storehouse")
        storehouse = book_storehouses(user=user).filter(pk=pk).first()
        if storehouse is None:  # outside the user's scope reads as "does not exist"
            raise refuse("storehouse", _("No such object among those you may read."))
        require(user, Action.REQUEST_REPORT, storehouse.depot_id)
        date_from = date_param(parameters, "date_from")
        date_to = date_param(parameters, "date_to")
        for name, message in book_range_errors(date_from, date_to).items():
            raise refuse(name, message)
        book_hidden_check(user, depot_id=storehouse.depot_id, storehouse_id=storehouse.pk)
        return Cleaned(
            {
                "storehouse": storehouse.pk,
                "date_from": date_from.isoformat(),
                "date_to": date_to.isoformat(),
            },
            storehouse.depot,
        )

    def form_fields(self, user) -> dict:
        return {
            "storehouse": forms.ModelChoiceField(
                queryset=book_storehouses(user=user), label=_("Storehouse")
            ),
            "date_from": forms.DateField(label=_("From"), widget=DateInput),
            "date_to": forms.DateField(label=_("To"), widget=DateInput),
        }

    def lines(self, run):
        date_to = run_dates(run, "date_from", "date_to")[1]
        return book_lines(storehouse_id=run.parameters["storehouse"], date_to=date_to)

    def content(self, run, lines) -> Content:
        date_from, date_to = run_dates(run, "date_from", "date_to")
        storehouse = Storehouse.objects.select_related("depot").get(pk=run.parameters["storehouse"])
        book = storehouse_book(
            storehouse=storehouse, date_from=date_from, date_to=date_to, cutoff=run.cutoff
        )
        blocks = [_held_block(_("Held at the start of %(day)s") % {"day": date_from}, book.opening)]
        blocks.extend(_day_block(day) for day in book.days)
        blocks.append(_held_block(_("Held at the end of %(day)s") % {"day": date_to}, book.closing))
        return Content(
            title=_("Daily storehouse book"),
            period=period_text(date_from, date_to),
            facts=[
                (_("Storehouse"), f"{storehouse.depot.code}/{storehouse.code} {storehouse.name}"),
                (_("Days"), len(book.days)),
                (_("Days without movement"), book.quiet_days),
                (_("Lines in the period"), book.line_count),
                (_("Hazard divisions"), ", ".join(book.divisions) or "—"),
            ],
            blocks=blocks,
            signatures=[_("Magazine keeper"), _("Checked by (depot commander)")],
            table=book_table(book),
        )
