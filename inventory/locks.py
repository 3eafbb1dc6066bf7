"""The one place that takes row locks for postings, always in this order (DESIGN.md §7):
the depot's number counter, its hash-chain head, the storehouses involved, then the balance rows
(which the posting writer creates empty where missing: inventory/services/posting/balances.py),
each set sorted by id. Postings of one depot queue on the counter; depots never wait for each other.

The hot statements are written as SQL: each runs on every posting, and the ORM's compile costs
more CPU than PostgreSQL's work. Each takes its row lock with the statement that reads the row
(`UPDATE ... RETURNING`, `SELECT ... FOR UPDATE`) and inserts a missing row only when it finds
none, so the usual posting costs one statement per lock.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TypeVar

from django.db import connection
from django.db.models import Model

from inventory.chain import GENESIS_HASH
from inventory.models import Balance, ChainHead, Document, DocumentCounter, Lot, Storehouse

M = TypeVar("M", bound=Model)


def counter_next(*, depot_id: int, year: int) -> int:
    """Lock the depot's counter for `year`, add one and return the new number (one statement)."""
    sql = (
        "UPDATE inventory_documentcounter SET last_number = last_number + 1 "
        "WHERE depot_id = %s AND year = %s RETURNING last_number"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [depot_id, year])
        row = cursor.fetchone()
        if row is None:  # the depot's first document of the year
            cursor.execute(
                "INSERT INTO inventory_documentcounter (depot_id, year, last_number) "
                "VALUES (%s, %s, 0) ON CONFLICT (depot_id, year) DO NOTHING",
                [depot_id, year],
            )
            cursor.execute(sql, [depot_id, year])
            row = cursor.fetchone()
    return row[0]


def counter_lock(*, depot_id: int, year: int) -> DocumentCounter:
    """Lock the depot's counter for `year` without taking a number."""
    rows = DocumentCounter.objects.select_for_update().filter(depot_id=depot_id, year=year)
    counter = rows.first()
    if counter is None:  # the depot's first document of the year
        DocumentCounter.objects.bulk_create(
            [DocumentCounter(depot_id=depot_id, year=year)], ignore_conflicts=True
        )
        counter = rows.get()
    return counter


# The depot's chain head, locked by the document header's INSERT statement (after the counter,
# in the fixed lock order) and returned with it: one round trip fewer per posting. The writer
# puts CHAIN_HEAD_LOCK_WITH before its INSERT and CHAIN_HEAD_RETURNING after its RETURNING.
CHAIN_HEAD_LOCK_WITH = (
    "WITH head AS (SELECT last_hash, line_count FROM inventory_chainhead "
    "WHERE depot_id = %s FOR UPDATE) "
)
CHAIN_HEAD_RETURNING = ", (SELECT last_hash FROM head), (SELECT line_count FROM head)"


def chain_head_lock(*, depot_id: int) -> ChainHead:
    sql = "SELECT last_hash, line_count FROM inventory_chainhead WHERE depot_id = %s FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [depot_id])
        row = cursor.fetchone()
        if row is None:  # the depot's first line
            cursor.execute(
                "INSERT INTO inventory_chainhead (depot_id, last_hash, line_count) "
                "VALUES (%s, %s, 0) ON CONFLICT (depot_id) DO NOTHING",
                [depot_id, GENESIS_HASH],
            )
            cursor.execute(sql, [depot_id])
            row = cursor.fetchone()
    return ChainHead.from_db(
        connection.alias, ["depot_id", "last_hash", "line_count"], [depot_id, *row]
    )


def storehouses_lock(storehouse_ids: Iterable[int]) -> dict[int, Storehouse]:
    ids = sorted(set(storehouse_ids))
    rows = Storehouse.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {storehouse.pk: storehouse for storehouse in rows}


_BALANCE_COLUMNS = ["id", "lot_id", "storehouse_id", "depot_id", "quantity"]
_BALANCES_LOCK = (
    "SELECT b.id, b.lot_id, b.storehouse_id, b.depot_id, b.quantity FROM inventory_balance b "
    "JOIN unnest(%s::bigint[], %s::bigint[]) AS v (lot_id, storehouse_id) "
    "ON b.lot_id = v.lot_id AND b.storehouse_id = v.storehouse_id "
    "ORDER BY b.id FOR UPDATE OF b"
)


def balances_lock(pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], Balance]:
    """Lock the existing balance rows of the (lot, storehouse) pairs, by id; the posting writer
    creates the missing ones (inventory/services/posting/balances.py). The pairs travel as two
    arrays (one statement whatever their number: an opening balance names thousands, where an OR
    of conditions took seconds to build and plan)."""
    if not pairs:
        return {}
    params = [[lot_id for lot_id, _sh in pairs], [sh_id for _lot, sh_id in pairs]]
    with connection.cursor() as cursor:
        cursor.execute(_BALANCES_LOCK, params)
        rows = cursor.fetchall()
    return {
        (row[1], row[2]): Balance.from_db(connection.alias, _BALANCE_COLUMNS, row) for row in rows
    }


def document_lock(*, document_id: int) -> Document:
    """Lock one document row: a reversal, its proposal and its approval of the same document
    are taken one at a time, so a document is never reversed twice."""
    return Document.objects.select_for_update().select_related("depot").get(pk=document_id)


def chain_heads_lock(depot_ids: Iterable[int]) -> None:
    """Lock the chain heads of several depots, in depot order (a depot without one has no
    lines yet: nothing to lock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT depot_id FROM inventory_chainhead WHERE depot_id = ANY(%s::bigint[]) "
            "ORDER BY depot_id FOR UPDATE",
            [sorted(set(depot_ids))],
        )


def chain_heads_share_lock() -> None:
    """Share-lock every depot's chain head: waits for the postings in flight and holds off new
    ones, so each head read in this transaction matches its depot's lines (checkpoints)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT depot_id FROM inventory_chainhead ORDER BY depot_id FOR SHARE")


def counters_lock(depot_ids: Iterable[int], *, year: int) -> dict[int, int]:
    """Lock the number counters of several depots for `year` in depot order, creating the
    missing ones first (as counter_next does); returns each depot's last number taken. Two
    statements whatever the number of depots."""
    ids = sorted(set(depot_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO inventory_documentcounter (depot_id, year, last_number) "
            "SELECT depot_id, %s, 0 FROM unnest(%s::bigint[]) AS depot_id ORDER BY depot_id "
            "ON CONFLICT (depot_id, year) DO NOTHING",
            [year, ids],
        )
        cursor.execute(
            "SELECT depot_id, last_number FROM inventory_documentcounter "
            "WHERE year = %s AND depot_id = ANY(%s::bigint[]) ORDER BY depot_id FOR UPDATE",
            [year, ids],
        )
        return dict(cursor.fetchall())


# The lots an issue takes, with their types, share-locked until it commits: a condition change, a
# ban or the sweep's suspension (which lock them for update) either lands before the issue reads
# them, and is obeyed, or waits until the issue is posted. Never an issue of a lot just condemned.
_LOTS_SHARE_LOCK = """
SELECT lot.* FROM inventory_lot lot
JOIN inventory_ammunitiontype type ON type.id = lot.ammunition_type_id
WHERE lot.id = ANY(%s::bigint[])
ORDER BY lot.id
FOR SHARE
"""


def lots_share_lock(lot_ids: Iterable[int]) -> list[Lot]:
    return list(Lot.objects.raw(_LOTS_SHARE_LOCK, [sorted(lot_ids)]))


# Lots whose condition a bulk change may change: in a condition of the given availabilities, held
# somewhere, and not held in a depot whose accounts are closed on `on` (a posting there would be
# refused: the lot keeps its condition until the period is reopened). FOR NO KEY UPDATE, which a
# posting's foreign-key check on a lot does not wait for; a concurrent change that commits first
# is re-checked, so a lot already changed is left alone.
_LOTS_LOCK_FOR_CONDITION = """
    SELECT l.id, l.condition, l.lot_number
    FROM inventory_lot l
    WHERE l.id = ANY(%(lots)s::bigint[])
      AND l.condition IN (
          SELECT c.code FROM inventory_conditioncode c
          WHERE c.availability = ANY(%(availabilities)s::text[])
      )
      AND EXISTS (SELECT 1 FROM inventory_balance b WHERE b.lot_id = l.id AND b.quantity > 0)
      AND NOT EXISTS (
          SELECT 1 FROM inventory_balance b
          JOIN inventory_closedperiod p
            ON p.depot_id = b.depot_id AND p.starts_on <= %(on)s AND p.ends_on >= %(on)s
          WHERE b.lot_id = l.id AND b.quantity > 0
      )
    ORDER BY l.id
    FOR NO KEY UPDATE OF l
"""


def lots_lock_for_condition_change(
    lot_ids: Iterable[int], *, availabilities: Sequence[str], on: date
) -> list[tuple[int, str, str]]:
    """Lock, by id, those of the lots a bulk condition change may change (see above); returns
    (id, condition, lot number) of each. One statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            _LOTS_LOCK_FOR_CONDITION,
            {"lots": sorted(set(lot_ids)), "availabilities": list(availabilities), "on": on},
        )
        return cursor.fetchall()


def rows_share_lock(model: type[M], ids: Iterable[int]) -> list[M]:
    """Share-lock rows of `model` by id, in id order, and return them: a writer that locks one
    for update either lands before the caller reads it, and is obeyed, or waits for the caller's
    commit. For tables the ORM cannot share-lock (it has no FOR SHARE)."""
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"SELECT * FROM {table} WHERE id = ANY(%s::bigint[]) ORDER BY id FOR SHARE"  # noqa: S608 (the table's name from the model)
    return list(model.objects.raw(sql, [sorted(set(ids))]))
