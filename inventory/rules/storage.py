"""All safe-storage rules at once: what a posting checks before it may change a storehouse."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from inventory.rules.holdings import Breach, Holding, _holdings
from inventory.rules.isolation import isolation_breaches
from inventory.rules.limits import licence_breaches
from inventory.rules.mixing import MixingMatrix, compatibility_breaches
from inventory.rules.neq import StoragePolicy


def storage_breaches(
    holdings: Iterable[Holding],
    *,
    matrix: MixingMatrix,
    limits: Mapping[str, Decimal | None] | None,
    policy: StoragePolicy = StoragePolicy(),
    waived_notes: frozenset[str] = frozenset(),
    isolation_waived: bool = False,
) -> list[Breach]:
    """Every safe-storage breach of a storehouse's contents after a movement: rules 1 to 4.

    The caller passes the contents of the locked storehouse, the mixing matrix and licence in
    force, and the waivers in force; an empty list means the movement may be posted.
    """
    ordered = _holdings(holdings)
    return [
        *compatibility_breaches(ordered, matrix, waived_notes),
        *isolation_breaches(ordered, waived=isolation_waived),
        *licence_breaches(ordered, limits, policy),
    ]
