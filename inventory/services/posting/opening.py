"""Opening balances (DESIGN.md §14): the stock a depot held on its paper ledgers, brought in from
a spreadsheet as one `opening_balance` document per storehouse, each line tracing back to the row
of the file it came from."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.bulkinsert import unnest_insert_sql
from core.roles import Action
from core.scoping import require
from inventory import policy
from inventory.models import Depot, Document, DocumentSource, LineSource
from inventory.models.ledger import DocumentKind
from inventory.services.lots import NewLot, lots_resolve
from inventory.services.posting.checks import _check_date, _check_not_frozen, _check_quantities
from inventory.services.posting.lines import Movement
from inventory.services.posting.writer import _post


@dataclass(frozen=True)
class OpeningLine:
    """One row of an opening-balance file: a lot (id, or a NewLot found or created as on a
    receipt) in a storehouse, and the row's number in the file (1 = first data row)."""

    lot: int | NewLot
    storehouse_id: int
    quantity: int
    row: int
    note: str = ""


def opening_balances_refusal(*, depot: Depot, occurred_on: date | None = None) -> None:
    """Raise what opening_balances_post would refuse whatever the lines (a closed period, a
    depot frozen for a stock check: PeriodClosed, DepotFrozen), read as the posting reads them,
    so that a dry run's verdict is the real run's. Writes nothing; one query."""
    occurred_on = occurred_on or timezone.localdate()
    read = policy.posting_policy(depot_id=depot.pk, on=occurred_on)
    _check_date(
        depot=depot,
        occurred_on=occurred_on,
        now=timezone.now(),
        policy_values=read.values,
        closed=read.closed,
    )
    _check_not_frozen(depot, read)


@transaction.atomic
def opening_balances_post(
    *,
    depot: Depot,
    lines: Sequence[OpeningLine],
    posted_by: User,
    file_name: str,
    file_sha256: str,
    reference: str = "",
    occurred_on: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Document]:
    """Post the opening balances of `depot`: one `opening_balance` document per storehouse (in
    storehouse id order), each line + into its storehouse through the posting writer (numbered,
    hash-chained, §4 checked under the storehouses' locks), new lots created as on a receipt.
    Each document records the file's name and SHA-256, each line its source row. Dated today
    unless `occurred_on` says otherwise (within the backdating policy, as any voucher).
    All or nothing: a refusal of any storehouse writes nothing. `progress(done, steps)`, if
    given, is called once the lots are resolved and after each document (steps: 1 + the number
    of storehouses)."""
    require(posted_by, Action.RECORD_MOVEMENT, depot.pk)
    if len(file_sha256) != 64:
        raise ValidationError({"file_sha256": [_("Not a SHA-256 digest.")]})
    specs = [line.lot for line in lines if isinstance(line.lot, NewLot)]
    resolved = iter(lots_resolve(specs)) if specs else iter(())
    lot_ids = [line.lot if isinstance(line.lot, int) else next(resolved).pk for line in lines]
    _check_quantities(
        [
            Movement(lot, line.storehouse_id, line.quantity)
            for lot, line in zip(lot_ids, lines, strict=True)
        ]
    )
    by_storehouse: dict[int, list[tuple[int, OpeningLine]]] = defaultdict(list)
    for lot_id, line in zip(lot_ids, lines, strict=True):
        by_storehouse[line.storehouse_id].append((lot_id, line))
    steps = 1 + len(by_storehouse)
    if progress is not None:
        progress(1, steps)
    documents = []
    occurred_on = occurred_on or timezone.localdate()
    for storehouse_id in sorted(by_storehouse):
        rows = by_storehouse[storehouse_id]
        document = _post(
            depot=depot,
            kind=DocumentKind.OPENING_BALANCE,
            occurred_on=occurred_on,
            posted_by=posted_by,
            movements=[Movement(lot_id, storehouse_id, line.quantity) for lot_id, line in rows],
            reference=reference[:120],
            counterparty=_("Opening balance from %(file)s") % {"file": file_name[:150]},
        )
        DocumentSource.objects.create(
            document=document, file_name=file_name[:255], file_sha256=file_sha256
        )
        sources = [
            LineSource(line=ledger_line, row=line.row, note=line.note[:500])
            for ledger_line, (_lot, line) in zip(document.posted_lines, rows, strict=True)
        ]
        sql, params, _fields = unnest_insert_sql(sources, include_pk=True)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        documents.append(document)
        if progress is not None:
            progress(1 + len(documents), steps)
    return documents
