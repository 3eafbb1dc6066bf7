"""What a posting is made of: the signed movements the writer posts and the lines callers send."""

from __future__ import annotations

from dataclasses import dataclass

from inventory.services.lots import NewLot


@dataclass(frozen=True)
class Movement:
    """One signed change of one lot in one storehouse."""

    lot_id: int
    storehouse_id: int
    quantity: int


@dataclass(frozen=True)
class ReceiptLine:
    """A receipt line: `lot` is a lot id or a NewLot, found or created in the posting."""

    lot: int | NewLot
    storehouse_id: int
    quantity: int


@dataclass(frozen=True)
class MoveLine:
    lot_id: int
    from_storehouse_id: int
    to_storehouse_id: int
    quantity: int
