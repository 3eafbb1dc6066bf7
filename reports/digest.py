"""The digests a report prints, so an auditor can check it against the system (DESIGN.md §10).

Ledger digest: SHA-256 over the canonical encodings (inventory.chain.canonical_line, the encoding
of the hash chain) of the lines the report covers, in id order, concatenated with nothing between
them. The fields are read from the lines and their documents as the chain verification reads
them (audit.services): an approved adjustment's poster is its approver.

Record digest: SHA-256 over a canonical JSON (sorted keys, no spaces) of the records a report
shows that are not ledger lines (an inspection, a stability test, a stock check's counts).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce

from inventory.chain import canonical_line
from inventory.models import LedgerLine

CANONICAL_FIELDS = (
    "document__number",
    "document__kind",
    "document__occurred_on",
    "posted_at",
    "poster",
    "lot_id",
    "storehouse_id",
    "quantity",
    "prev_hash",
)


def canonical_rows(lines: QuerySet[LedgerLine]) -> QuerySet:
    """The fields of the canonical encoding, in id order."""
    return (
        lines.annotate(poster=Coalesce(F("document__approved_by_id"), F("document__posted_by_id")))
        .order_by("id")
        .values_list(*CANONICAL_FIELDS)
    )


def encode(row: tuple) -> bytes:
    number, kind, occurred_on, posted_at, poster, lot_id, storehouse_id, quantity, prev = row
    return canonical_line(
        document_number=number,
        kind=kind,
        occurred_on=occurred_on,
        posted_at=posted_at,
        poster_id=poster,
        lot_id=lot_id,
        storehouse_id=storehouse_id,
        quantity=quantity,
        prev_hash=prev,
    )


@dataclass(frozen=True)
class LedgerDigest:
    digest: str
    line_count: int


def ledger_digest(rows: Iterable[tuple]) -> LedgerDigest:
    """The digest of canonical rows (as canonical_rows gives them), already in id order."""
    sha = hashlib.sha256()
    count = 0
    for row in rows:
        sha.update(encode(row))
        count += 1
    return LedgerDigest(sha.hexdigest(), count)


def lines_digest(lines: QuerySet[LedgerLine]) -> LedgerDigest:
    return ledger_digest(canonical_rows(lines).iterator(chunk_size=5000))


def record_digest(records) -> str:
    """SHA-256 of the canonical JSON of `records` (dates and decimals as strings)."""
    data = json.dumps(records, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode()).hexdigest()
