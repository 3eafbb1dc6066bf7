"""Reads of bans and constraints (inventory.models.bans): which bind a lot.

The posting service reads them before an issue (issue_availability_check), in the same
statement as its policy (inventory.policy.posting_policy embeds BANS_BINDING_CTES); the stock
pages and surveillance's pages show them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from inventory.models import Ban

# Bans on a lot also bind the lots split from it (same material), at any depth. The CTEs take
# the lot ids as their one parameter; the posting service's policy read embeds them too
# (inventory.policy.posting_policy), so an issue reads its policy and its bans in one statement.
BANS_BINDING_CTES = """
lineage(lot_id, ancestor_id) AS (
    SELECT id, id FROM inventory_lot WHERE id = ANY(%s::bigint[])
    UNION
    SELECT lineage.lot_id, lot.parent_id
    FROM lineage JOIN inventory_lot lot ON lot.id = lineage.ancestor_id
    WHERE lot.parent_id IS NOT NULL
),
binding(lot_id, ban_id) AS (
    SELECT lineage.lot_id, ban.id
    FROM lineage
    JOIN inventory_lot lot ON lot.id = lineage.lot_id
    JOIN {ban_table} ban
      ON ban.lifted_at IS NULL
     AND (ban.lot_id = lineage.ancestor_id
          OR (lineage.ancestor_id = lineage.lot_id
              AND ban.ammunition_type_id = lot.ammunition_type_id))
)""".replace("{ban_table}", Ban._meta.db_table)

_BANS_BINDING = (
    "WITH RECURSIVE" + BANS_BINDING_CTES + "\nSELECT lot_id, ban_id FROM binding ORDER BY 1, 2"
)


def bans_binding(lot_ids: Iterable[int]) -> dict[int, list[Ban]]:
    """Active bans and constraints binding each lot: on the lot, on a lot it was split from, or
    on its type. Two queries whatever the number of lots (one when none binds)."""
    ids = sorted(set(lot_ids))
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_BANS_BINDING, [ids])
        return bans_from_pairs(cursor.fetchall())


def bans_from_pairs(pairs: Iterable[tuple[int, int]]) -> dict[int, list[Ban]]:
    """The bans of (lot id, ban id) pairs from BANS_BINDING_CTES, by lot; no query if none."""
    pairs = list(pairs)
    if not pairs:
        return {}
    bans = Ban.objects.in_bulk({ban_id for _lot, ban_id in pairs})
    binding: dict[int, list[Ban]] = {}
    for lot_id, ban_id in pairs:
        binding.setdefault(lot_id, []).append(bans[ban_id])
    return binding
