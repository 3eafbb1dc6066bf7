"""Ledger reads: stock on hand, documents, stock cards. Scoped, joined, fixed query counts."""

from typing import NamedTuple

from django.db import connection
from django.db.models import (
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import User
from core.roles import Action
from core.scoping import action_depot_ids, read_depot_ids, scope
from inventory.errors import BookHidden
from inventory.models import (
    Balance,
    BlindCount,
    Document,
    LedgerLine,
    Lot,
    PendingLine,
    ReversalProposal,
    Storehouse,
)
from inventory.models.ledger import DocumentKind, DocumentStatus

NEQ = DecimalField(max_digits=20, decimal_places=3)


def _neq_per_unit():
    return Coalesce(F("lot__neq_per_unit_kg"), F("lot__ammunition_type__neq_per_unit_kg"))


def book_hidden(
    queryset: QuerySet, user: User, *, storehouse_field: str = "storehouse"
) -> QuerySet:
    """Leave out the rows of storehouses being counted blind from a user who may count in their
    depot (DESIGN.md §7: counters do not see book quantities, until the counts are submitted).
    The same rule as the stock check's own pages (stockchecks.selectors.book_visible). Adds no
    query: a NOT EXISTS in the same statement, and nothing for users who count nowhere."""
    counting = action_depot_ids(user, Action.RECORD_MOVEMENT)
    if counting is not None and not counting:
        return queryset
    blind = BlindCount.objects.filter(storehouse_id=OuterRef(storehouse_field))
    if counting is not None:
        blind = blind.filter(depot_id__in=counting)
    return queryset.filter(~Exists(blind))


def book_hidden_check(
    user: User, *, depot_id: int | None, storehouse_id: int | None = None
) -> None:
    """Refuse (409 `blind_count`) a read of the book of a depot, or of one storehouse, that the
    user is counting blind: for reports, whose content is the book. One query."""
    storehouses = book_hidden(Storehouse.objects.all(), user, storehouse_field="pk")
    counted = Storehouse.objects.exclude(pk__in=storehouses.values("pk"))
    if depot_id is not None:
        counted = counted.filter(depot_id=depot_id)
    if storehouse_id is not None:
        counted = counted.filter(pk=storehouse_id)
    codes = sorted(counted.values_list("code", flat=True))
    if codes:
        raise BookHidden(
            _(
                "A count is under way in %(storehouses)s: its counters see the book again once "
                "the counts are submitted."
            )
            % {"storehouses": ", ".join(codes)},
            storehouses=codes,
        )


def balance_list(*, user: User, include_empty: bool = False) -> QuerySet[Balance]:
    """Stock on hand in the user's scope: balance rows with lot, type, storehouse and NEQ
    (without the storehouses the user is counting blind)."""
    rows = book_hidden(scope(Balance.objects.all(), user), user).select_related(
        "lot__ammunition_type", "storehouse", "depot"
    )
    if not include_empty:
        rows = rows.filter(quantity__gt=0)
    return rows.annotate(
        neq_kg=ExpressionWrapper(F("quantity") * _neq_per_unit(), output_field=NEQ)
    )


def document_list_unscoped() -> QuerySet[Document]:
    lines = LedgerLine.objects.select_related("lot", "storehouse").order_by("id")
    pending = PendingLine.objects.select_related("lot", "storehouse").order_by("id")
    return Document.objects.select_related(
        "depot",
        "posted_by",
        "approved_by",
        "recipient",
        "destination_depot",
        "reverses",
        "reversal",
    ).prefetch_related(
        Prefetch("lines", queryset=lines), Prefetch("pending_lines", queryset=pending)
    )


def document_list(*, user: User) -> QuerySet[Document]:
    """Documents of the user's depots, with their lines (two extra queries per page)."""
    return scope(document_list_unscoped(), user)


def transfer_list(*, user: User) -> QuerySet[Document]:
    """Transfers dispatched from, or addressed to, the user's depots."""
    depots = read_depot_ids(user)
    transfers = document_list_unscoped().filter(kind=DocumentKind.TRANSFER)
    if depots is None:
        return transfers
    return transfers.filter(Q(depot_id__in=depots) | Q(destination_depot_id__in=depots))


def transfer_inbox(*, user: User) -> QuerySet[Document]:
    """Transfers on their way to the user's depots, not cancelled."""
    depots = read_depot_ids(user)
    incoming = transfer_list(user=user).filter(
        status=DocumentStatus.IN_TRANSIT, reversal__isnull=True
    )
    return incoming if depots is None else incoming.filter(destination_depot_id__in=depots)


def lot_list(*, user: User) -> QuerySet[Lot]:
    """Lots: national reference (a lot number is a tracing key every role may look up)."""
    return Lot.objects.select_related("ammunition_type", "condition")


def lot_list_held(*, user: User) -> QuerySet[Lot]:
    """Lots that have been in a storehouse the user may read (every lot for national readers):
    the lots whose surveillance, bans and holdings the user may see. Outside it, a lot addressed
    by URL is a 404 (DESIGN.md §1)."""
    return lot_list(user=user).filter(
        Exists(scope(Balance.objects.filter(lot=OuterRef("pk")), user))
    )


def stock_card(*, user: User, lot: Lot, storehouse_id: int | None = None) -> QuerySet[LedgerLine]:
    """One lot's ledger lines in the user's scope, oldest first, each with the running balance of
    its storehouse (stored on the line when posted: correct on every page, flat with history).
    Lines of storehouses the user is counting blind are left out."""
    lines = book_hidden(scope(LedgerLine.objects.filter(lot=lot), user), user)
    if storehouse_id is not None:
        lines = lines.filter(storehouse_id=storehouse_id)
    return (
        lines.select_related("document", "storehouse", "depot")
        .annotate(running_balance=F("balance_after"))
        .order_by("id")
    )


def reversal_proposal_list_unscoped() -> QuerySet:
    """Reversal proposals newest first, with what a list shows (one statement, no per-row
    queries); for re-reading one the service has just checked the user's rights on."""
    return ReversalProposal.objects.select_related(
        "document", "document__depot", "proposed_by", "decided_by", "reversal"
    ).order_by("-id")


def reversal_proposal_list(*, user: User) -> QuerySet:
    """Reversal proposals of documents in the user's depots."""
    return scope(reversal_proposal_list_unscoped(), user, depot_field="document__depot")


class Drift(NamedTuple):
    """A balance that differs from the sum of its ledger lines."""

    lot_id: int
    storehouse_id: int
    balance: int
    ledger: int
    depot_id: int
    storehouse_code: str
    lot_number: str


_DRIFT = """
    WITH ledger AS (
        SELECT lot_id, storehouse_id, SUM(quantity) AS total
        FROM inventory_ledgerline GROUP BY lot_id, storehouse_id
    )
    SELECT d.lot_id, d.storehouse_id, d.balance, d.ledger, s.depot_id, s.code, lot.lot_number
    FROM (
        SELECT COALESCE(b.lot_id, l.lot_id) AS lot_id,
               COALESCE(b.storehouse_id, l.storehouse_id) AS storehouse_id,
               COALESCE(b.quantity, 0) AS balance, COALESCE(l.total, 0) AS ledger
        FROM inventory_balance b
        FULL OUTER JOIN ledger l ON l.lot_id = b.lot_id AND l.storehouse_id = b.storehouse_id
        WHERE COALESCE(b.quantity, 0) <> COALESCE(l.total, 0)
    ) AS d
    JOIN inventory_storehouse s ON s.id = d.storehouse_id
    JOIN inventory_lot lot ON lot.id = d.lot_id
    ORDER BY s.depot_id, d.lot_id, d.storehouse_id
"""


def balance_drift() -> list[Drift]:
    """Every balance that differs from the sum of its ledger lines, and every ledger sum with no
    balance (should always be empty): one query, national (no scope). The reconciliation
    (alerts' `ledger_drift` detector) and `manage.py reconcile_ledger` read it."""
    with connection.cursor() as cursor:
        cursor.execute(_DRIFT)
        return [
            Drift(lot, storehouse, int(balance), int(ledger), depot, code, number)
            for lot, storehouse, balance, ledger, depot, code, number in cursor.fetchall()
        ]
