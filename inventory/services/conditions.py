"""Condition changes as the ledger records them (DESIGN.md §6, §7): a lot's condition is one fact
about the lot, wherever it is held, posted as a `condition_change` document (no lines) in each
depot whose books show it, numbered and locked as every posting is.

These are the writers the surveillance app posts through (a decision on one lot, and the daily
sweep's set-based suspension); the decision itself (who may, which condition, the ConditionChange
record with its evidence) is surveillance's. Neither writer checks a right: the caller has.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from inventory import hooks, locks, policy
from inventory.models import Balance, Depot, Document, Lot
from inventory.models.ledger import DocumentKind, DocumentStatus
from inventory.services.posting.checks import _check_date
from inventory.services.posting.writer import _new_document, document_number


def _reason(current: str, target: str) -> str:
    return f"{current}→{target}"


@transaction.atomic
def lot_condition_post(
    *,
    lot: Lot,
    condition: str,
    depot_ids: Iterable[int],
    posted_by: User,
    note: str,
    reference: str,
    on_behalf_of: User | None = None,
    occurred_on: date | None = None,
) -> list[Document]:
    """Give `lot` (locked by the caller, still in its current condition) the new `condition`:
    one condition-change document in each of `depot_ids`, in depot order (counters, then chain
    heads, as every posting locks them), then the lot's new condition. Each depot's date rules
    apply (ValidationError, PeriodClosed) before anything is written. Never refused for storage:
    a change that mixes stock to be stored apart is reported at once (inventory.hooks)."""
    now = timezone.now()
    occurred_on = timezone.localdate(now) if occurred_on is None else occurred_on
    current = lot.condition_id
    values = policy.policy_values()
    depots = list(Depot.objects.filter(pk__in=set(depot_ids)).order_by("pk"))
    for depot in depots:
        _check_date(depot=depot, occurred_on=occurred_on, now=now, policy_values=values)
    documents = []
    for depot in depots:  # counters in depot order: two changes never wait on each other in a cycle
        document, _head = _new_document(
            depot=depot,
            kind=DocumentKind.CONDITION_CHANGE,
            status=DocumentStatus.POSTED,
            occurred_on=occurred_on,
            posted_by=posted_by,
            now=now,
            on_behalf_of=on_behalf_of,
            reason=_reason(current, condition),
            note=note,
            reference=reference,
        )
        documents.append(document)
    lot.condition_id = condition
    lot.save(update_fields=["condition"])
    hooks.storage_changed(
        storehouse_ids=Balance.objects.filter(lot=lot, quantity__gt=0).values_list(
            "storehouse_id", flat=True
        ),
        on=occurred_on,
    )
    return documents


@dataclass(frozen=True)
class ConditionPosted:
    """One condition-change document of a bulk change: which lot, from which condition."""

    document_id: int
    depot_id: int
    lot_id: int
    from_condition: str


_HELD = """
    SELECT DISTINCT b.depot_id, d.code, b.lot_id
    FROM inventory_balance b JOIN inventory_depot d ON d.id = b.depot_id
    WHERE b.lot_id = ANY(%s::bigint[]) AND b.quantity > 0
    ORDER BY b.depot_id, b.lot_id
"""

# One statement: the documents (in number order, so ids follow numbers), the counters moved on
# to the last number taken, the lots' new condition.
_POST = """
    WITH documents AS (
        INSERT INTO inventory_document (
            depot_id, kind, number, status, occurred_on, posted_at, posted_by_id,
            on_behalf_of_id, reference, counterparty, purpose, reason, note
        )
        SELECT v.depot_id, %(kind)s, v.number, %(status)s, %(on)s, %(now)s, %(poster)s,
               NULL, v.reference, '', '', v.reason, %(note)s
        FROM unnest(%(depots)s::bigint[], %(numbers)s::text[], %(references)s::text[],
                    %(reasons)s::text[]) WITH ORDINALITY AS v (depot_id, number, reference,
                                                                reason, position)
        ORDER BY v.position
        RETURNING id, number
    ),
    counters AS (
        UPDATE inventory_documentcounter c SET last_number = v.last_number
        FROM unnest(%(counter_depots)s::bigint[], %(last_numbers)s::bigint[])
             AS v (depot_id, last_number)
        WHERE c.depot_id = v.depot_id AND c.year = %(year)s
    ),
    lots AS (
        UPDATE inventory_lot SET condition = %(to)s WHERE id = ANY(%(lots)s::bigint[])
    )
    SELECT id, number FROM documents
"""


@transaction.atomic
def lot_conditions_post_bulk(
    *,
    lot_ids: Iterable[int],
    condition: str,
    from_availabilities: Sequence[str],
    poster_id: int,
    note: str,
    now: datetime | None = None,
    occurred_on: date | None = None,
) -> list[ConditionPosted]:
    """Set-based `lot_condition_post` for many lots (the daily sweep): of `lot_ids`, each lot in
    a condition of `from_availabilities`, held somewhere and not in a depot whose accounts are
    closed on `occurred_on`, gets `condition`, with one condition-change document per depot
    holding it (reference: the lot number; reason: from→to). Numbers continue each depot's
    counter without a gap, in lot order.

    Locks, in the order every posting takes them: the lots (by id), the depots' counters, then
    their chain heads (in depot order). A lot changed meanwhile by another writer is re-checked
    once its lock is granted, and left alone if no longer in such a condition. The same seven
    statements whatever the number of lots, none at all included."""
    now = timezone.now() if now is None else now
    occurred_on = timezone.localdate(now) if occurred_on is None else occurred_on
    locked = locks.lots_lock_for_condition_change(
        lot_ids, availabilities=from_availabilities, on=occurred_on
    )
    lots = {lot_id: (current, lot_number) for lot_id, current, lot_number in locked}
    with connection.cursor() as cursor:
        cursor.execute(_HELD, [sorted(lots)])
        held = cursor.fetchall()
    depot_ids = sorted({depot_id for depot_id, _code, _lot in held})
    last = locks.counters_lock(depot_ids, year=now.year)  # the number's year is posted_at's
    locks.chain_heads_lock(depot_ids)
    numbers, references, reasons = [], [], []
    for depot_id, code, lot_id in held:
        last[depot_id] += 1
        numbers.append(document_number(depot_code=code, year=now.year, number=last[depot_id]))
        current, lot_number = lots[lot_id]
        references.append(lot_number)
        reasons.append(_reason(current, condition))
    with connection.cursor() as cursor:
        cursor.execute(
            _POST,
            {
                "kind": DocumentKind.CONDITION_CHANGE.value,
                "status": DocumentStatus.POSTED.value,
                "on": occurred_on,
                "now": now,
                "poster": poster_id,
                "note": note,
                "depots": [depot_id for depot_id, _code, _lot in held],
                "numbers": numbers,
                "references": references,
                "reasons": reasons,
                "counter_depots": depot_ids,
                "last_numbers": [last[depot_id] for depot_id in depot_ids],
                "year": now.year,
                "to": condition,
                "lots": sorted(lots),
            },
        )
        ids = {number: pk for pk, number in cursor.fetchall()}
    return [
        ConditionPosted(
            document_id=ids[number],
            depot_id=depot_id,
            lot_id=lot_id,
            from_condition=lots[lot_id][0],
        )
        for (depot_id, _code, lot_id), number in zip(held, numbers, strict=True)
    ]
