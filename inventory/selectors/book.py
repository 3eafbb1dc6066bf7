"""The daily storehouse book (DESIGN.md §14): what a magazine keeper signs each day.

For one storehouse and a range of days (by `occurred_on`, the date on the voucher), frozen at a
`posted_at` cut-off like every report: each day's opening balance, every line into (+) and out
of (-) the storehouse with its document, kind and counterparty, and the closing balance, per lot
and as NEQ per hazard division. Days without movement are listed too, so a missing day shows.

Any document kind is read the same way (a positive line is a receipt into the storehouse, a
negative one a removal), so a kind added later (opening balances) appears without a change here.
Two queries whatever the number of days, lines or lots: the balances before the first day, and
the lines of the range with their documents and lots.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.scoping import scope
from inventory.models import LedgerLine, Storehouse
from inventory.models.ledger import AdjustmentReason, DocumentKind
from inventory.models.reference import HazardDivision

# The longest range one book covers (a year, leap day included): the page and the report refuse
# a longer one, so that neither is asked to lay out years of days at once.
MAX_BOOK_DAYS = 366
NEQ_PLACES = Decimal("0.001")
_DIVISION_ORDER = {division: index for index, division in enumerate(HazardDivision.values)}


@dataclass(frozen=True)
class BookLot:
    id: int
    lot_number: str
    type_code: str
    type_name: str
    hazard_division: str
    neq_per_unit_kg: Decimal

    @property
    def sort_key(self) -> tuple:
        return (self.type_code, self.lot_number.upper(), self.id)

    def neq(self, quantity: int) -> Decimal:
        return (self.neq_per_unit_kg * quantity).quantize(NEQ_PLACES)


class BookHolding(NamedTuple):
    """A lot held in the storehouse at the start or the end of the book."""

    lot: BookLot
    quantity: int

    @property
    def neq_kg(self) -> Decimal:
        return self.lot.neq(self.quantity)


@dataclass(frozen=True)
class BookEntry:
    """One ledger line of the storehouse: `quantity` is signed (+ in, - out); `balance` is the
    lot's balance in the storehouse after it, in the book's order (day, then posting order)."""

    line_id: int
    lot: BookLot
    quantity: int
    balance: int
    document_id: int
    document_number: str
    kind: str
    kind_label: str
    counterparty: str
    reference: str
    posted_at: datetime

    @property
    def received(self) -> int | None:
        return self.quantity if self.quantity > 0 else None

    @property
    def removed(self) -> int | None:
        return -self.quantity if self.quantity < 0 else None

    @property
    def entry(self) -> str:
        return "receipt" if self.quantity > 0 else "removal"


@dataclass
class BookLotDay:
    """A lot that moved on a day: its opening balance, its lines, its closing balance."""

    lot: BookLot
    opening: int
    entries: list[BookEntry] = field(default_factory=list)

    @property
    def closing(self) -> int:
        return self.opening + sum(entry.quantity for entry in self.entries)


@dataclass(frozen=True)
class DivisionNeq:
    division: str
    opening_kg: Decimal
    closing_kg: Decimal


@dataclass
class BookDay:
    day: date
    opening_units: int
    closing_units: int
    lots: list[BookLotDay]  # the lots that moved, in lot order; empty: no movement
    divisions: list[DivisionNeq]  # every division held or moved in the range, in order

    @property
    def quiet(self) -> bool:
        return not self.lots

    @property
    def received_units(self) -> int:
        return sum(entry.received or 0 for lot in self.lots for entry in lot.entries)

    @property
    def removed_units(self) -> int:
        return sum(entry.removed or 0 for lot in self.lots for entry in lot.entries)

    @property
    def lines(self) -> int:
        return sum(len(lot.entries) for lot in self.lots)


@dataclass
class StorehouseBook:
    storehouse: Storehouse
    date_from: date
    date_to: date
    cutoff: datetime
    divisions: list[str]
    opening: list[BookHolding]  # lots held before the first day (non-zero)
    closing: list[BookHolding]  # lots held after the last day (non-zero)
    days: list[BookDay]

    @property
    def line_count(self) -> int:
        return sum(day.lines for day in self.days)

    @property
    def quiet_days(self) -> int:
        return sum(1 for day in self.days if day.quiet)


def book_range_errors(date_from: date, date_to: date) -> dict[str, str]:
    """What is wrong with a book's range (field → message), for the page and the report alike."""
    if date_to < date_from:
        return {"date_to": _("The book ends before it starts.")}
    if date_to > timezone.localdate():
        return {"date_to": _("The book cannot run past today.")}
    if (date_to - date_from).days + 1 > MAX_BOOK_DAYS:
        return {
            "date_to": _("A book covers at most %(days)d days: choose a shorter range.")
            % {"days": MAX_BOOK_DAYS}
        }
    return {}


def book_storehouses(*, user: User):
    """Storehouses whose book the user may read: those of the depots in their scope."""
    return scope(Storehouse.objects.select_related("depot"), user).order_by("depot__code", "code")


def book_lines(*, storehouse_id: int, date_to: date):
    """The ledger lines a book up to `date_to` rests on, whenever posted: its openings come from
    the earlier lines, so a report digests all of them (the cut-off is applied by the caller)."""
    return LedgerLine.objects.filter(storehouse_id=storehouse_id, occurred_on__lte=date_to)


def _lot(row: dict, prefix: str) -> BookLot:
    return BookLot(
        id=row[f"{prefix}id"],
        lot_number=row[f"{prefix}lot_number"],
        type_code=row[f"{prefix}ammunition_type__code"],
        type_name=row[f"{prefix}ammunition_type__name"],
        hazard_division=row[f"{prefix}ammunition_type__hazard_division"],
        neq_per_unit_kg=row["neq_per_unit"],
    )


_LOT_FIELDS = (
    "lot_number",
    "ammunition_type__code",
    "ammunition_type__name",
    "ammunition_type__hazard_division",
)


def _party(row: dict) -> str:
    """Who the stock came from or went to, as the book names it."""
    kind = row["document__kind"]
    inward = row["quantity"] > 0
    if row["document__recipient__name"]:
        return row["document__recipient__name"]
    if row["document__counterparty"]:
        return row["document__counterparty"]
    if row["document__reverses__number"]:
        return _("reversal of %(number)s") % {"number": row["document__reverses__number"]}
    if row["document__destination_depot__code"]:
        return _("to depot %(depot)s") % {"depot": row["document__destination_depot__code"]}
    if row["document__transfer__depot__code"]:
        return _("from depot %(depot)s") % {"depot": row["document__transfer__depot__code"]}
    if row["other_storehouse"] and kind != DocumentKind.LOT_SPLIT:
        template = _("from storehouse %(code)s") if inward else _("to storehouse %(code)s")
        return template % {"code": row["other_storehouse"]}
    if row["other_lot"]:
        template = _("split from lot %(lot)s") if inward else _("split into lot %(lot)s")
        return template % {"lot": row["other_lot"]}
    if kind == DocumentKind.ADJUSTMENT and row["document__reason"]:
        return str(dict(AdjustmentReason.choices).get(row["document__reason"], ""))
    return ""


def storehouse_book(
    *, storehouse: Storehouse, date_from: date, date_to: date, cutoff: datetime
) -> StorehouseBook:
    """The book of `storehouse` from `date_from` to `date_to` (inclusive), counting only lines
    posted up to `cutoff`. The caller has checked the user's scope and the range."""
    posted = Q(posted_at__lte=cutoff)
    neq = Coalesce(F("lot__neq_per_unit_kg"), F("lot__ammunition_type__neq_per_unit_kg"))
    opening_rows = (
        LedgerLine.objects.filter(posted, storehouse=storehouse, occurred_on__lt=date_from)
        .values("lot_id", *(f"lot__{name}" for name in _LOT_FIELDS))
        .annotate(total=Sum("quantity"), neq_per_unit=neq)
        .order_by()
    )
    line_of_document = LedgerLine.objects.filter(document_id=OuterRef("document_id"))
    other_storehouse = line_of_document.filter(lot_id=OuterRef("lot_id")).exclude(
        storehouse_id=OuterRef("storehouse_id")
    )
    other_lot = line_of_document.filter(storehouse_id=OuterRef("storehouse_id")).exclude(
        lot_id=OuterRef("lot_id")
    )
    line_rows = (
        LedgerLine.objects.filter(
            posted, storehouse=storehouse, occurred_on__gte=date_from, occurred_on__lte=date_to
        )
        .annotate(
            neq_per_unit=neq,
            other_storehouse=Subquery(other_storehouse.values("storehouse__code")[:1]),
            other_lot=Subquery(other_lot.order_by("id").values("lot__lot_number")[:1]),
        )
        .order_by("occurred_on", "id")
        .values(
            "id",
            "lot_id",
            *(f"lot__{name}" for name in _LOT_FIELDS),
            "neq_per_unit",
            "quantity",
            "occurred_on",
            "document_id",
            "document__number",
            "document__kind",
            "document__counterparty",
            "document__reference",
            "document__reason",
            "document__recipient__name",
            "document__destination_depot__code",
            "document__transfer__depot__code",
            "document__reverses__number",
            "other_storehouse",
            "other_lot",
            "posted_at",
        )
    )
    lots: dict[int, BookLot] = {}
    balances: dict[int, int] = defaultdict(int)
    for row in opening_rows:
        row["lot__id"] = row["lot_id"]
        lots[row["lot_id"]] = _lot(row, "lot__")
        balances[row["lot_id"]] = row["total"]
    labels = dict(DocumentKind.choices)
    by_day: dict[date, list[dict]] = defaultdict(list)
    for row in line_rows:
        if row["lot_id"] not in lots:
            row["lot__id"] = row["lot_id"]
            lots[row["lot_id"]] = _lot(row, "lot__")
        by_day[row["occurred_on"]].append(row)

    divisions = sorted(
        {lot.hazard_division for lot in lots.values()},
        key=lambda division: (_DIVISION_ORDER.get(division, len(_DIVISION_ORDER)), division),
    )
    # Exact NEQ per division, carried from day to day; rounded to the gram only when shown.
    neq_held: dict[str, Decimal] = dict.fromkeys(divisions, Decimal(0))
    for lot_id, quantity in balances.items():
        lot = lots[lot_id]
        neq_held[lot.hazard_division] += lot.neq_per_unit_kg * quantity
    opening = _holdings(lots, balances)
    units = sum(balances.values())
    days = []
    day = date_from
    while day <= date_to:
        opening_neq = dict(neq_held)
        opening_units = units
        moved: dict[int, BookLotDay] = {}
        for row in by_day.get(day, ()):
            lot = lots[row["lot_id"]]
            lot_day = moved.get(lot.id)
            if lot_day is None:
                lot_day = moved[lot.id] = BookLotDay(lot=lot, opening=balances[lot.id])
            quantity = row["quantity"]
            balances[lot.id] += quantity
            units += quantity
            neq_held[lot.hazard_division] += lot.neq_per_unit_kg * quantity
            lot_day.entries.append(
                BookEntry(
                    line_id=row["id"],
                    lot=lot,
                    quantity=quantity,
                    balance=balances[lot.id],
                    document_id=row["document_id"],
                    document_number=row["document__number"],
                    kind=row["document__kind"],
                    kind_label=str(labels.get(row["document__kind"], row["document__kind"])),
                    counterparty=_party(row),
                    reference=row["document__reference"],
                    posted_at=row["posted_at"],
                )
            )
        days.append(
            BookDay(
                day=day,
                opening_units=opening_units,
                closing_units=units,
                lots=sorted(moved.values(), key=lambda lot_day: lot_day.lot.sort_key),
                divisions=[
                    DivisionNeq(
                        division,
                        opening_neq[division].quantize(NEQ_PLACES),
                        neq_held[division].quantize(NEQ_PLACES),
                    )
                    for division in divisions
                ],
            )
        )
        day += timedelta(days=1)
    return StorehouseBook(
        storehouse=storehouse,
        date_from=date_from,
        date_to=date_to,
        cutoff=cutoff,
        divisions=divisions,
        opening=opening,
        closing=_holdings(lots, balances),
        days=days,
    )


def _holdings(lots: dict[int, BookLot], balances: dict[int, int]) -> list[BookHolding]:
    held = [
        BookHolding(lots[lot_id], quantity) for lot_id, quantity in balances.items() if quantity
    ]
    return sorted(held, key=lambda holding: holding.lot.sort_key)
