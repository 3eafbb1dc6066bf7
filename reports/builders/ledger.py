"""Ledger reports: the depot accounting statement and the stock card (DESIGN.md §7, §10)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.scoping import read_depot_ids
from inventory.models import Balance, Document, LedgerLine, Lot, Storehouse
from inventory.models.ledger import DocumentKind
from inventory.selectors.ledger import book_hidden_check
from reports.kinds import (
    Block,
    Cleaned,
    Content,
    ReportBuilder,
    Table,
    date_param,
    depot_param,
    id_param,
    in_scope,
    only,
    refuse,
)
from reports.listing import Column, Listing
from reports.models import ReportKind

# The order movements are grouped in on a statement: what comes in, then what goes out.
KIND_ORDER = [
    DocumentKind.OPENING_BALANCE,
    DocumentKind.RECEIPT,
    DocumentKind.TRANSFER_RECEIPT,
    DocumentKind.RETURN,
    DocumentKind.ISSUE,
    DocumentKind.TRANSFER,
    DocumentKind.INTERNAL_MOVE,
    DocumentKind.ADJUSTMENT,
    DocumentKind.LOT_SPLIT,
    DocumentKind.DISPOSAL,
    DocumentKind.REVERSAL,
    DocumentKind.CONDITION_CHANGE,
]
ROWS_PER_BLOCK = 250

MOVEMENTS = Listing(
    Column(gettext_lazy("Document"), 18),
    Column(gettext_lazy("Occurred on"), 11),
    Column(gettext_lazy("Storehouse"), 10),
    Column(gettext_lazy("Counterparty / recipient"), 60),
    Column(gettext_lazy("Quantity"), 14, right=True),
)
DOCUMENTS = Listing(
    Column(gettext_lazy("Number"), 18),
    Column(gettext_lazy("Kind"), 17),
    Column(gettext_lazy("Occurred on"), 11),
    Column(gettext_lazy("Posted at"), 16),
    Column(gettext_lazy("Posted by / approved by"), 30),
    Column(gettext_lazy("Counterparty · reference"), 56),
    Column(gettext_lazy("Lines"), 6, right=True),
)
QUIET = Listing(
    Column(gettext_lazy("Lot"), 40),
    Column(gettext_lazy("Ammunition type"), 30),
    Column(gettext_lazy("Opening = closing balance"), 26, right=True),
)
CARD = Listing(
    Column(gettext_lazy("Occurred on"), 11),
    Column(gettext_lazy("Document"), 18),
    Column(gettext_lazy("Kind"), 17),
    Column(gettext_lazy("Store"), 10),
    Column(gettext_lazy("Counterparty"), 22),
    Column(gettext_lazy("Qty"), 9, right=True),
    Column(gettext_lazy("In store"), 10, right=True),
    Column(gettext_lazy("Running"), 10, right=True),
)


def listing_blocks(listing: Listing, rows: list, *, title: str = "") -> list[Block]:
    """`rows` of a listing in blocks of ROWS_PER_BLOCK (the units long reports split at)."""
    return [
        Block(
            "reports/pdf/listing_block.html",
            {
                "listing": listing,
                "rows": rows[index : index + ROWS_PER_BLOCK],
                "title": title if index == 0 else "",
            },
            rows=len(rows[index : index + ROWS_PER_BLOCK]) + 2,
        )
        for index in range(0, len(rows), ROWS_PER_BLOCK)
    ]


def period_text(start: date, end: date) -> str:
    return f"{start.isoformat()} – {end.isoformat()}"


def run_dates(run, first: str, last: str) -> tuple[date, date]:
    """The run's range of days, from its parameters `first` and `last` (stored as ISO dates)."""
    return date.fromisoformat(run.parameters[first]), date.fromisoformat(run.parameters[last])


def _party(row: dict) -> str:
    destination = row.get("document__destination_depot__code")
    return (
        row.get("document__recipient__name")
        or row.get("document__counterparty")
        or (_("to %(depot)s") % {"depot": destination} if destination else "")
    )


class AccountingStatement(ReportBuilder):
    """Per lot held in the depot: opening balance, every movement of the period grouped by kind,
    closing balance; totals by kind; the documents listed."""

    kind = ReportKind.ACCOUNTING_STATEMENT
    summary = gettext_lazy(
        "Per lot of a depot: opening balance, every movement of a period grouped by kind, "
        "closing balance; totals; the documents. PDF, CSV, XLSX."
    )
    page_size = "A4 landscape"
    tabular = True

    def clean(self, *, user, parameters) -> Cleaned:
        only(parameters, ["depot", "period_start", "period_end"])
        depot = depot_param(user, parameters)
        start = date_param(parameters, "period_start")
        end = date_param(parameters, "period_end")
        if end < start:
            raise refuse("period_end", _("The period ends before it starts."))
        if end > timezone.localdate():
            raise refuse("period_end", _("The period cannot end in the future."))
        book_hidden_check(user, depot_id=depot.pk)
        return Cleaned(
            {"depot": depot.pk, "period_start": start.isoformat(), "period_end": end.isoformat()},
            depot,
        )

    def lines(self, run) -> QuerySet[LedgerLine]:
        start, end = run_dates(run, "period_start", "period_end")
        return LedgerLine.objects.filter(
            depot_id=run.depot_id, occurred_on__gte=start, occurred_on__lte=end
        )

    def content(self, run, lines) -> Content:
        start, end = run_dates(run, "period_start", "period_end")
        opening = dict(
            LedgerLine.objects.filter(
                depot_id=run.depot_id, occurred_on__lt=start, posted_at__lte=run.cutoff
            )
            .values("lot_id")
            .annotate(total=Sum("quantity"))
            .values_list("lot_id", "total")
        )
        rows = list(
            lines.order_by("lot_id", "id").values(
                "id",
                "lot_id",
                "quantity",
                "occurred_on",
                "storehouse__code",
                "document_id",
                "document__number",
                "document__kind",
                "document__counterparty",
                "document__recipient__name",
                "document__destination_depot__code",
            )
        )
        moved: dict[int, list[dict]] = defaultdict(list)
        for row in rows:
            row["party"] = _party(row)
            moved[row["lot_id"]].append(row)
        lot_ids = {lot_id for lot_id, total in opening.items() if total} | set(moved)
        lots = Lot.objects.filter(pk__in=lot_ids).select_related("ammunition_type")
        lots = sorted(lots, key=lambda lot: (lot.ammunition_type.code, lot.lot_number, lot.pk))
        labels = dict(DocumentKind.choices)
        totals = dict.fromkeys(KIND_ORDER, 0)
        blocks, quiet, table_rows = [], [], []
        opening_total = closing_total = 0
        for lot in lots:
            before = opening.get(lot.pk, 0)
            movements = moved.get(lot.pk, [])
            by_kind: dict[str, list[dict]] = defaultdict(list)
            for row in movements:
                by_kind[row["document__kind"]].append(row)
            groups = []
            for kind in KIND_ORDER:
                if kind in by_kind:
                    subtotal = sum(row["quantity"] for row in by_kind[kind])
                    totals[kind] += subtotal
                    groups.append(
                        {"label": labels[kind], "lines": by_kind[kind], "subtotal": subtotal}
                    )
            closing = before + sum(row["quantity"] for row in movements)
            opening_total += before
            closing_total += closing
            lot_name = f"{lot.lot_number} ({lot.ammunition_type.code})"
            code = lot.ammunition_type.code
            table_rows.append([lot.lot_number, code, "opening", "", "", "", "", before, before])
            running = before
            for group in groups:
                for row in group["lines"]:
                    running += row["quantity"]
                    document = (row["document__kind"], row["document__number"])
                    where = (row["occurred_on"].isoformat(), row["storehouse__code"])
                    figures = (row["quantity"], running)
                    table_rows.append(
                        [lot.lot_number, code, "movement", *document, *where, *figures]
                    )
            table_rows.append(
                [lot.lot_number, code, "closing", "", "", "", "", closing - before, closing]
            )
            if not movements:
                quiet.append(QUIET.row(lot.lot_number, code, before))
                continue
            listed = [MOVEMENTS.label(_("Opening balance"), before, css="balance")]
            for group in groups:
                listed.append(MOVEMENTS.label(str(group["label"]).capitalize(), css="group"))
                listed.extend(
                    MOVEMENTS.row(
                        row["document__number"],
                        row["occurred_on"].isoformat(),
                        row["storehouse__code"],
                        row["party"],
                        row["quantity"],
                    )
                    for row in group["lines"]
                )
                listed.append(
                    MOVEMENTS.label(
                        _("Total %(kind)s") % {"kind": group["label"]},
                        group["subtotal"],
                        css="subtotal",
                    )
                )
            listed.append(MOVEMENTS.label(_("Closing balance"), closing, css="balance"))
            blocks.append(
                Block(
                    "reports/pdf/statement_lot.html",
                    {"lot": lot, "name": lot_name, "listing": MOVEMENTS, "rows": listed},
                    rows=len(listed) + 3,
                )
            )
        blocks.extend(listing_blocks(QUIET, quiet, title=_("Lots without movements in the period")))
        documents = list(
            Document.objects.filter(pk__in=lines.values("document_id"))
            .select_related("posted_by", "approved_by", "recipient")
            .order_by("id")
        )
        count_by_document: dict[int, int] = defaultdict(int)
        for row in rows:
            count_by_document[row["document_id"]] += 1
        listed = []
        for document in documents:
            people = document.posted_by.username
            if document.approved_by:
                people += f" / {document.approved_by.username}"
            party = document.recipient.name if document.recipient else document.counterparty
            if document.reference:
                party = f"{party} · {document.reference}" if party else document.reference
            listed.append(
                DOCUMENTS.row(
                    document.number,
                    document.get_kind_display(),
                    document.occurred_on.isoformat(),
                    timezone.localtime(document.posted_at).strftime("%Y-%m-%d %H:%M"),
                    people,
                    party,
                    count_by_document[document.pk],
                )
            )
        blocks.extend(
            listing_blocks(
                DOCUMENTS, listed, title=_("Documents (%(count)d)") % {"count": len(documents)}
            )
        )
        summary = {
            "totals": [
                {"label": labels[kind], "kind": kind, "units": totals[kind]}
                for kind in KIND_ORDER
                if kind != DocumentKind.CONDITION_CHANGE
            ],
            "opening": opening_total,
            "closing": closing_total,
            "lots": len(lots),
            "moving_lots": len(lots) - len(quiet),
            "documents": len(documents),
        }
        blocks.insert(0, Block("reports/pdf/statement_summary.html", summary, rows=16))
        return Content(
            title=_("Depot accounting statement"),
            period=period_text(start, end),
            blocks=blocks,
            signatures=[
                _("Prepared by (depot clerk)"),
                _("Checked by (depot commander)"),
                _("Audited by"),
            ],
            table=Table(
                headers=[
                    "lot",
                    "ammunition_type",
                    "entry",
                    "kind",
                    "document",
                    "occurred_on",
                    "storehouse",
                    "quantity",
                    "balance",
                ],
                rows=table_rows,
            ),
        )


def _stock_card_depot(lot: Lot, readable: set[int]) -> int:
    """The depot of a depot-bound reader's stock card when `parameters` name none (DESIGN.md §11
    gives `{lot}` alone): their only depot, else the only one of theirs whose books know the
    lot. Otherwise the reader must name it (400 on `depot`)."""
    if len(readable) == 1:
        return next(iter(readable))
    known = set(
        Balance.objects.filter(lot=lot, depot_id__in=readable)
        .values_list("depot_id", flat=True)
        .distinct()
    )
    if len(known) == 1:
        return known.pop()
    message = (
        _("Name the depot: lot %(lot)s is on the books of several of your depots.")
        if known
        else _("Name the depot: lot %(lot)s is on the books of none of your depots.")
    )
    raise refuse("depot", message % {"lot": lot.lot_number})


class StockCard(ReportBuilder):
    """One lot's ledger (in one depot, one storehouse, or nationally) with running balances."""

    kind = ReportKind.STOCK_CARD
    summary = gettext_lazy("One lot's ledger lines with running balances. PDF, CSV, XLSX.")
    tabular = True

    def clean(self, *, user, parameters) -> Cleaned:
        only(parameters, ["lot", "depot", "storehouse"])
        lot_id = id_param(parameters, "lot")
        lot = Lot.objects.filter(pk=lot_id).first()
        if lot is None:
            raise refuse("lot", _("No such lot."))
        depot = depot_param(user, parameters, required=False)
        if depot is None and (readable := read_depot_ids(user)) is not None:
            depot = depot_param(user, {"depot": _stock_card_depot(lot, readable)})
        storehouse_id = id_param(parameters, "storehouse", required=False)
        cleaned = {"lot": lot.pk, "depot": depot.pk if depot else None, "storehouse": None}
        if storehouse_id is not None:
            if depot is None:
                raise refuse("depot", _("Name the depot of the storehouse."))
            storehouse = in_scope(
                Storehouse.objects.filter(depot=depot), user, storehouse_id, "storehouse"
            )
            cleaned["storehouse"] = storehouse.pk
        book_hidden_check(
            user, depot_id=depot.pk if depot else None, storehouse_id=cleaned["storehouse"]
        )
        return Cleaned(cleaned, depot)

    def lines(self, run) -> QuerySet[LedgerLine]:
        lines = LedgerLine.objects.filter(lot_id=run.parameters["lot"])
        if run.depot_id:
            lines = lines.filter(depot_id=run.depot_id)
        if run.parameters.get("storehouse"):
            lines = lines.filter(storehouse_id=run.parameters["storehouse"])
        return lines

    def content(self, run, lines) -> Content:
        lot = Lot.objects.select_related("ammunition_type", "condition").get(
            pk=run.parameters["lot"]
        )
        storehouse = None
        if run.parameters.get("storehouse"):
            storehouse = Storehouse.objects.get(pk=run.parameters["storehouse"])
        rows = list(
            lines.order_by("id").values(
                "id",
                "quantity",
                "balance_after",
                "occurred_on",
                "posted_at",
                "depot__code",
                "storehouse__code",
                "document__number",
                "document__kind",
                "document__counterparty",
                "document__recipient__name",
                "document__destination_depot__code",
            )
        )
        labels = dict(DocumentKind.choices)
        running = 0
        by_storehouse: dict[tuple[str, str], int] = {}
        table_rows = []
        received = issued = 0
        for row in rows:
            running += row["quantity"]
            row["running"] = running
            row["kind_label"] = labels.get(row["document__kind"], row["document__kind"])
            row["party"] = _party(row)
            by_storehouse[(row["depot__code"], row["storehouse__code"])] = row["balance_after"]
            if row["quantity"] > 0:
                received += row["quantity"]
            else:
                issued -= row["quantity"]
            table_rows.append(
                [
                    row["occurred_on"].isoformat(),
                    row["document__number"],
                    row["document__kind"],
                    row["depot__code"],
                    row["storehouse__code"],
                    row["party"],
                    row["quantity"],
                    row["balance_after"],
                    running,
                ]
            )
        listed = [
            CARD.row(
                row["occurred_on"].isoformat(),
                row["document__number"],
                row["kind_label"],
                f"{row['depot__code']} {row['storehouse__code']}",
                row["party"],
                row["quantity"],
                row["balance_after"],
                row["running"],
            )
            for row in rows
        ]
        blocks = listing_blocks(CARD, listed, title=_("Ledger lines")) or [
            Block("reports/pdf/stock_card_empty.html")
        ]
        blocks.append(
            Block(
                "reports/pdf/stock_card_summary.html",
                {
                    "balances": sorted(by_storehouse.items()),
                    "received": received,
                    "issued": issued,
                    "balance": running,
                },
                rows=len(by_storehouse) + 4,
            )
        )
        where = storehouse.code if storehouse else ""
        return Content(
            title=_("Stock card"),
            facts=[
                (_("Lot"), lot.lot_number),
                (_("Ammunition type"), f"{lot.ammunition_type.code} {lot.ammunition_type.name}"),
                (_("Manufacturer"), lot.manufacturer),
                (_("Manufactured on"), lot.manufactured_on.isoformat()),
                (_("Expires on"), lot.expires_on.isoformat() if lot.expires_on else "—"),
                (_("Condition (now)"), lot.condition_id),
                (_("Storehouse"), where or _("all storehouses")),
            ],
            blocks=blocks,
            table=Table(
                headers=[
                    "occurred_on",
                    "document",
                    "kind",
                    "depot",
                    "storehouse",
                    "counterparty",
                    "quantity",
                    "storehouse_balance",
                    "running_balance",
                ],
                rows=table_rows,
            ),
        )
