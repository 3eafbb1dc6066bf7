"""The one place that takes row locks for postings, always in this order (DESIGN.md §7):
the depot's number counter, its hash-chain head, the storehouses involved, then the balance rows,
each set sorted by id. Postings of one depot queue on the counter; depots never wait for each other.
"""

from collections.abc import Iterable

from django.db.models import Q

from inventory.chain import GENESIS_HASH
from inventory.models import Balance, ChainHead, DocumentCounter, Storehouse


def counter_lock(*, depot_id: int, year: int) -> DocumentCounter:
    rows = DocumentCounter.objects.select_for_update().filter(depot_id=depot_id, year=year)
    counter = rows.first()
    if counter is None:  # the depot's first document of the year
        DocumentCounter.objects.bulk_create(
            [DocumentCounter(depot_id=depot_id, year=year)], ignore_conflicts=True
        )
        counter = rows.get()
    return counter


def chain_head_lock(*, depot_id: int) -> ChainHead:
    rows = ChainHead.objects.select_for_update().filter(depot_id=depot_id)
    head = rows.first()
    if head is None:  # the depot's first line
        ChainHead.objects.bulk_create(
            [ChainHead(depot_id=depot_id, last_hash=GENESIS_HASH)], ignore_conflicts=True
        )
        head = rows.get()
    return head


def storehouses_lock(storehouse_ids: Iterable[int]) -> dict[int, Storehouse]:
    ids = sorted(set(storehouse_ids))
    rows = Storehouse.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {storehouse.pk: storehouse for storehouse in rows}


def balances_lock(
    pairs: Iterable[tuple[int, int]], depot_by_storehouse: dict[int, int]
) -> dict[tuple[int, int], Balance]:
    """Lock the (lot, storehouse) balance rows, creating empty ones first where none exist."""
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    match = Q()
    for lot_id, storehouse_id in pairs:
        match |= Q(lot_id=lot_id, storehouse_id=storehouse_id)
    rows = Balance.objects.select_for_update().filter(match).order_by("pk")
    found = {(row.lot_id, row.storehouse_id): row for row in rows}
    missing = [pair for pair in pairs if pair not in found]
    if missing:
        # New rows: their storehouses are locked already, so no other posting creates them now.
        Balance.objects.bulk_create(
            [
                Balance(lot_id=lot_id, storehouse_id=sh_id, depot_id=depot_by_storehouse[sh_id])
                for lot_id, sh_id in missing
            ],
            ignore_conflicts=True,
        )
        found = {(row.lot_id, row.storehouse_id): row for row in rows.all()}
    return found
