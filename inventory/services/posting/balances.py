"""The balance rows of a posting: created empty where missing, locked (inventory.locks, the last
lock of DESIGN.md §7's order), then written. The only code that writes balance rows: balances
change only through posted documents.

The statements are SQL for the reason inventory/locks.py gives: they run on every posting.
"""

from collections.abc import Iterable

from django.db import connection

from inventory import locks
from inventory.models import Balance


def balances_lock_or_create(
    pairs: Iterable[tuple[int, int]], depot_by_storehouse: dict[int, int]
) -> dict[tuple[int, int], Balance]:
    """Lock the (lot, storehouse) balance rows (inventory.locks), creating empty ones first where
    none exist."""
    pairs = sorted(set(pairs))
    found = locks.balances_lock(pairs)
    missing = [pair for pair in pairs if pair not in found]
    if missing:
        # New rows: their storehouses are locked already, so no other posting creates them now.
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO inventory_balance (lot_id, storehouse_id, depot_id, quantity) "
                "SELECT v.lot_id, v.storehouse_id, v.depot_id, 0 "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) "
                "AS v (lot_id, storehouse_id, depot_id) "
                "ON CONFLICT (lot_id, storehouse_id) DO NOTHING",
                [
                    [lot_id for lot_id, _sh in missing],
                    [sh_id for _lot, sh_id in missing],
                    [depot_by_storehouse[sh_id] for _lot, sh_id in missing],
                ],
            )
        found = locks.balances_lock(pairs)
    return found


def balances_set(balances: Iterable[Balance]) -> None:
    """Write the new quantities of locked balance rows, in one statement (the ORM's bulk_update
    builds a CASE of one branch per row: seconds for the thousands of an opening balance)."""
    balances = sorted(balances, key=lambda balance: balance.pk)
    if not balances:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inventory_balance AS b SET quantity = v.quantity "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS v (id, quantity) WHERE b.id = v.id",
            [[balance.pk for balance in balances], [balance.quantity for balance in balances]],
        )


def balances_withdraw(
    deltas: dict[tuple[int, int], int], *, depot_id: int
) -> dict[tuple[int, int], int]:
    """Lock and lower the balance rows of an outgoing-only posting in one statement.

    `deltas` maps (lot, storehouse) to a negative change. A row changes only if its storehouse
    is in `depot_id` and it holds enough; returns the new quantity of each row that changed.
    Fewer rows than pairs means a refusal: the caller raises, and its transaction undoes the rest.
    No storehouse lock is needed: taking stock out never breaches a storage rule (DESIGN.md §4
    applies to the storehouse receiving stock), and postings of one depot queue on its counter.
    """
    pairs = sorted(deltas)
    if len(pairs) == 1:
        (lot_id, storehouse_id), delta = pairs[0], deltas[pairs[0]]
        sql = (
            "UPDATE inventory_balance SET quantity = quantity + %s WHERE lot_id = %s "
            "AND storehouse_id = %s AND depot_id = %s AND quantity + %s >= 0 "
            "RETURNING lot_id, storehouse_id, quantity"
        )
        params = [delta, lot_id, storehouse_id, depot_id, delta]
    else:
        sql = (
            "UPDATE inventory_balance AS b SET quantity = b.quantity + v.delta "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) "
            "AS v (lot_id, storehouse_id, delta) "
            "WHERE b.lot_id = v.lot_id AND b.storehouse_id = v.storehouse_id "
            "AND b.depot_id = %s AND b.quantity + v.delta >= 0 "
            "RETURNING b.lot_id, b.storehouse_id, b.quantity"
        )
        params = [
            [lot_id for lot_id, _sh in pairs],
            [sh_id for _lot, sh_id in pairs],
            [deltas[pair] for pair in pairs],
            depot_id,
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(lot_id, sh_id): quantity for lot_id, sh_id, quantity in cursor.fetchall()}
