"""The canonical encoding of a ledger line and its hash (DESIGN.md §7).

The same encoding serves the per-depot hash chain and the digests printed on reports, so it is
defined once, here, and never changes: a change would break every chain and every report.
"""

import hashlib
import json
from datetime import UTC, date, datetime

GENESIS_HASH = "0" * 64


def canonical_line(
    *,
    document_number: str,
    kind: str,
    occurred_on: date,
    posted_at: datetime,
    poster_id: int,
    lot_id: int,
    storehouse_id: int,
    quantity: int,
    prev_hash: str,
) -> bytes:
    """A JSON array in fixed order; timestamps in UTC with microseconds as PostgreSQL keeps them."""
    return json.dumps(
        [
            document_number,
            kind,
            occurred_on.isoformat(),
            posted_at.astimezone(UTC).isoformat(timespec="microseconds"),
            poster_id,
            lot_id,
            storehouse_id,
            quantity,
            prev_hash,
        ],
        separators=(",", ":"),
    ).encode()


def line_hash(**fields) -> str:
    return hashlib.sha256(canonical_line(**fields)).hexdigest()
