"""The one writer of documents, ledger lines, balances, number counters and chain heads.

A posting numbers its document (the depot's counter), locks the chain head, the storehouses and
the balances, in that order (inventory.locks; posting.balances creates the missing balance rows
first); checks; and writes the hash-chained lines and the balances in bulk. It returns the
document with the lines it wrote (Document.posted_lines).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from inventory import locks, policy
from inventory.chain import line_hash
from inventory.errors import InsufficientStock
from inventory.models import Balance, ChainHead, Depot, Document, LedgerLine, Lot, Storehouse
from inventory.models.ledger import DocumentKind, DocumentStatus
from inventory.services.posting.balances import (
    balances_lock_or_create,
    balances_set,
    balances_withdraw,
)
from inventory.services.posting.checks import (
    _check_date,
    _check_not_frozen,
    _check_storage,
    _report_expired_received,
)
from inventory.services.posting.lines import Movement


def _apply(
    document: Document,
    movements: Sequence[Movement],
    *,
    head: ChainHead,
    posted_at,
    poster_id: int,
    check_storage: bool,
    policy_values: dict,
    availability: dict[str, str],
    isolating: frozenset[str] = frozenset(),
) -> list[LedgerLine]:
    """Lock storehouses and balances, check, then write lines (hash-chained) and balances.

    The caller holds the depot's counter and chain head (`head`) locks, in that order.
    """
    depot = document.depot
    deltas: dict[tuple[int, int], int] = defaultdict(int)
    for movement in movements:
        deltas[(movement.lot_id, movement.storehouse_id)] += movement.quantity
    if deltas and all(delta < 0 for delta in deltas.values()):
        # Outgoing only: no storage rule applies, so no storehouse lock; one UPDATE locks,
        # checks and lowers the balances.
        after = balances_withdraw(deltas, depot_id=depot.pk)
        if len(after) != len(deltas):
            _refuse_withdrawal(depot, movements, deltas, after)
        running = {pair: quantity - deltas[pair] for pair, quantity in after.items()}
        return _write_lines(
            document, movements, head=head, posted_at=posted_at, poster_id=poster_id,
            running=running,
        )  # fmt: skip
    storehouses = locks.storehouses_lock(m.storehouse_id for m in movements)
    _check_storehouses_in_depot(depot, movements, storehouses)
    balances = balances_lock_or_create(deltas, dict.fromkeys(storehouses, depot.pk))
    for pair, delta in sorted(deltas.items()):
        balance = balances[pair]
        if balance.quantity + delta < 0:
            raise _insufficient_stock(
                pair[0], storehouses[pair[1]], available=balance.quantity, requested=-delta
            )
    lots: dict[int, Lot] = {}
    if check_storage:
        lots = _check_storage(
            storehouses=storehouses,
            deltas=deltas,
            on=document.occurred_on,
            policy_values=policy_values,
            availability=availability,
            isolating=isolating,
        )
    lines = _write_lines(
        document,
        movements,
        head=head,
        posted_at=posted_at,
        poster_id=poster_id,
        running={pair: balance.quantity for pair, balance in balances.items()},
    )
    for pair, delta in deltas.items():
        balances[pair].quantity += delta
    balances_set(balances[pair] for pair in deltas)
    _report_expired_received(document, deltas, lots, today=timezone.localdate(posted_at))
    return lines


def _refuse_withdrawal(
    depot: Depot,
    movements: Sequence[Movement],
    deltas: dict[tuple[int, int], int],
    after: dict[tuple[int, int], int],
) -> None:
    """Raise the refusal of an outgoing posting whose balance UPDATE missed a row: the same
    errors, in the same order, as the locking path (a storehouse of another depot, then the
    first pair short of stock). The caller's transaction undoes the rows it did change."""
    storehouses = Storehouse.objects.in_bulk({m.storehouse_id for m in movements})
    _check_storehouses_in_depot(depot, movements, storehouses)
    for pair, delta in sorted(deltas.items()):
        if pair in after:
            continue
        lot_id, storehouse_id = pair
        balance = Balance.objects.filter(lot_id=lot_id, storehouse_id=storehouse_id).first()
        available = balance.quantity if balance is not None else 0
        raise _insufficient_stock(
            lot_id, storehouses[storehouse_id], available=available, requested=-delta
        )
    raise AssertionError("a balance UPDATE missed a row, yet every row can be withdrawn")


def _check_storehouses_in_depot(
    depot: Depot, movements: Sequence[Movement], storehouses: dict[int, Storehouse]
) -> None:
    """Refuse a document naming a storehouse that is unknown or of another depot."""
    for movement in movements:
        storehouse = storehouses.get(movement.storehouse_id)
        if storehouse is None or storehouse.depot_id != depot.pk:
            raise ValidationError(
                {
                    "lines": [
                        _("A storehouse on this document is not in depot %(depot)s.")
                        % {"depot": depot.code}
                    ]
                }
            )


def _insufficient_stock(
    lot_id: int, storehouse: Storehouse, *, available: int, requested: int
) -> InsufficientStock:
    """The refusal of a withdrawal of `requested` from a balance holding only `available`."""
    lot = Lot.objects.get(pk=lot_id)
    fields = {"lot": lot.lot_number, "storehouse": storehouse.code, "available": available}
    return InsufficientStock(
        _(
            "Lot %(lot)s in storehouse %(storehouse)s: %(available)s on hand, "
            "%(requested)s requested."
        )
        % {**fields, "requested": requested},
        **fields,
    )


def _write_lines(
    document: Document,
    movements: Sequence[Movement],
    *,
    head: ChainHead,
    posted_at,
    poster_id: int,
    running: dict[tuple[int, int], int],
) -> list[LedgerLine]:
    """Write the document's lines, hash-chained from `head`, each with its balance after
    (`running`: each pair's balance before the document), and move the chain head on."""
    depot = document.depot
    lines = []
    prev_hash = head.last_hash
    running = dict(running)
    for movement in movements:
        pair = (movement.lot_id, movement.storehouse_id)
        running[pair] += movement.quantity
        digest = line_hash(
            document_number=document.number,
            kind=document.kind,
            occurred_on=document.occurred_on,
            posted_at=posted_at,
            poster_id=poster_id,
            lot_id=movement.lot_id,
            storehouse_id=movement.storehouse_id,
            quantity=movement.quantity,
            prev_hash=prev_hash,
        )
        lines.append(
            LedgerLine(
                document=document,
                depot=depot,
                lot_id=movement.lot_id,
                storehouse_id=movement.storehouse_id,
                quantity=movement.quantity,
                balance_after=running[pair],
                occurred_on=document.occurred_on,
                posted_at=posted_at,
                prev_hash=prev_hash,
                hash=digest,
            )
        )
        prev_hash = digest
    head.last_hash = prev_hash
    head.line_count += len(lines)
    _insert_lines(document, lines, head=head, posted_at=posted_at)
    return lines


# A document's lines in one statement of fixed text whatever their number: the per-line values
# as arrays, in chain order (WITH ORDINALITY ... ORDER BY: ids ascend along the chain, as the
# verification reads it), the values every line shares once. The chain head (locked since
# _new_document) moves on in the same statement. One VALUES row per line made the text, and so
# psycopg's parsing of it, grow with the lines: a third of a 50-line issue's CPU.
_LINES_INSERT = """
WITH head AS (UPDATE inventory_chainhead SET last_hash = %s, line_count = %s WHERE depot_id = %s)
INSERT INTO inventory_ledgerline (document_id, depot_id, lot_id, storehouse_id, quantity,
    balance_after, occurred_on, posted_at, prev_hash, hash)
SELECT %s, %s, v.lot_id, v.storehouse_id, v.quantity, v.balance_after, %s, %s, v.prev_hash, v.hash
FROM unnest(%s::bigint[], %s::bigint[], %s::integer[], %s::bigint[], %s::varchar[],
    %s::varchar[]) WITH ORDINALITY AS v (lot_id, storehouse_id, quantity, balance_after,
    prev_hash, hash, n)
ORDER BY v.n
RETURNING id
"""


def _insert_lines(document: Document, lines: list[LedgerLine], *, head: ChainHead, posted_at):
    """INSERT the document's lines (and move the chain head on), then give each its id."""
    with connection.cursor() as cursor:
        cursor.execute(
            _LINES_INSERT,
            [
                head.last_hash,
                head.line_count,
                head.depot_id,
                document.pk,
                document.depot_id,
                document.occurred_on,
                posted_at,
                [line.lot_id for line in lines],
                [line.storehouse_id for line in lines],
                [line.quantity for line in lines],
                [line.balance_after for line in lines],
                [line.prev_hash for line in lines],
                [line.hash for line in lines],
            ],
        )
        rows = cursor.fetchall()
    for line, (pk,) in zip(lines, rows, strict=True):
        line.pk = pk
        line._state.adding = False
        line._state.db = connection.alias


_INSERT_SQL: dict[type, tuple[str, str, list]] = {}


def _insert(
    objs: list, *, with_sql: tuple[str, list] = ("", []), also_return: str = ""
) -> tuple | None:
    """INSERT new instances of one model in one statement and set their ids, as bulk_create
    does but without the ORM's compile on every call (a third of a posting's CPU): the SQL is
    built once per model, each value prepared by its field as the ORM would. Like bulk_create,
    it sends no model signals (documents and lines are never saved through save()).

    `with_sql` is a WITH clause and its parameters, run in the same statement; `also_return`
    adds expressions to RETURNING, whose values on the first row are returned (else None)."""
    model = type(objs[0])
    if model not in _INSERT_SQL:
        quote = connection.ops.quote_name
        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        columns = ", ".join(quote(field.column) for field in fields)
        _INSERT_SQL[model] = (
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ",  # noqa: S608 (names from the model, values as parameters)
            f" RETURNING {quote(model._meta.pk.column)}",
            fields,
        )
    head, returning, fields = _INSERT_SQL[model]
    prefix, prefix_params = with_sql
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = head + ", ".join([row] * len(objs))
    params = [
        field.get_db_prep_save(field.pre_save(obj, True), connection)
        for obj in objs
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql + returning + also_return, prefix_params + params)
        rows = cursor.fetchall()
    for obj, (pk, *_extra) in zip(objs, rows, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    return tuple(rows[0][1:]) if also_return else None


def document_number(*, depot_code: str, year: int, number: int) -> str:
    """A document's number (DESIGN.md §7): `<depot code>-<year of posted_at>-<6-digit counter>`,
    the counter growing past six digits rather than wrapping."""
    return f"{depot_code}-{year}-{number:06d}"


def _new_document(
    *,
    depot: Depot,
    kind: DocumentKind,
    status: DocumentStatus,
    occurred_on: date,
    posted_by: User,
    now,
    **header,
) -> tuple[Document, ChainHead]:
    """Number and create a document header. Locks the depot's counter, then its chain head,
    and returns the document with the locked head."""
    number = locks.counter_next(depot_id=depot.pk, year=now.year)
    document = Document(
        depot=depot,
        kind=kind,
        number=document_number(depot_code=depot.code, year=now.year, number=number),
        status=status,
        occurred_on=occurred_on,
        posted_at=now,
        posted_by=posted_by,
        **header,
    )
    last_hash, line_count = _insert(
        [document],
        with_sql=(locks.CHAIN_HEAD_LOCK_WITH, [depot.pk]),
        also_return=locks.CHAIN_HEAD_RETURNING,
    )
    if last_hash is None:  # the depot's first document: its chain head is created and locked
        head = locks.chain_head_lock(depot_id=depot.pk)
    else:
        head = ChainHead.from_db(
            connection.alias,
            ["depot_id", "last_hash", "line_count"],
            [depot.pk, last_hash, line_count],
        )
    return document, head


def _post(
    *,
    depot: Depot,
    kind: DocumentKind,
    occurred_on: date,
    posted_by: User,
    movements: Sequence[Movement],
    status: DocumentStatus = DocumentStatus.POSTED,
    check_storage: bool = True,
    policy_values: dict | None = None,
    availability: dict[str, str] | None = None,
    posting_policy: policy.PostingPolicy | None = None,
    **header,
) -> Document:
    now = timezone.now()
    if posting_policy is None:
        posting_policy = policy.posting_policy(depot_id=depot.pk, on=occurred_on)
    policy_values = posting_policy.values if policy_values is None else policy_values
    availability = posting_policy.availability if availability is None else availability
    _check_date(
        depot=depot,
        occurred_on=occurred_on,
        now=now,
        policy_values=policy_values,
        closed=posting_policy.closed,
    )
    _check_not_frozen(depot, posting_policy)
    document, head = _new_document(
        depot=depot,
        kind=kind,
        status=status,
        occurred_on=occurred_on,
        posted_by=posted_by,
        now=now,
        **header,
    )
    lines = _apply(
        document,
        movements,
        head=head,
        posted_at=now,
        # The lines' poster is the approver when there is one, as the chain verification reads
        # it (COALESCE(approved_by, posted_by)): an approved reversal is the approver's posting.
        poster_id=(header.get("approved_by") or posted_by).pk,
        check_storage=check_storage,
        policy_values=policy_values,
        availability=availability,
        isolating=posting_policy.isolating,
    )
    document.posted_lines = tuple(lines)
    return document
