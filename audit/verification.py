"""Ledger verification (DESIGN.md §7): recompute each depot's hash chain, in SQL.

PostgreSQL recomputes every line's canonical encoding and SHA-256 (inventory.chain.line_hash_sql,
byte for byte the encoding of the posting service) and each line's link to the line before it in
its depot (a window over the depot's lines in id order: a depot's postings are serialised by its
chain head lock, so id order is chain order). It returns only the lines that need a decision in
Python: the first and last line of each depot's run, lines whose date, hash or link is wrong,
the line one past the chain head's count, and the lines checkpoints name. Python then applies the
rules below in id order and names each depot's first broken line.

Two modes:
- **full**: every line of every depot, from the genesis hash; every checkpoint (in the database
  and any exported copy given) is checked against the line it names: hash and position.
- **incremental**: each depot from its latest *verified checkpoint* (the head a previous
  verification found intact and recorded, `LedgerCheckpoint.verification`): the checkpointed line
  must still carry the checkpointed hash and its own content must still hash to it, the first
  line after it must link to exactly that hash, and the chain head must count the checkpoint's
  lines plus the lines after it. Checkpoints after it are checked as in a full run; those before
  it by their line's hash only (their position needs the lines before). Changes before the
  starting checkpoint that keep that line's hash (a deleted or inserted line, a changed line whose
  later hashes were not recomputed) are the full run's to find: docs/audit.md gives the policy.

Depots can be split into groups, each checked on its own database connection in parallel, all
reading one exported snapshot (`pg_export_snapshot`), so the result is that of one moment.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field

from django.db import connection, connections, transaction

from audit.models import LedgerCheckpoint
from inventory.chain import GENESIS_HASH, line_hash_matches_sql
from inventory.models import Depot

FULL = "full"
INCREMENTAL = "incremental"

_HASH_OK = line_hash_matches_sql(
    "line.hash",
    document_number="document.number",
    kind="document.kind",
    occurred_on="document.occurred_on",
    posted_at="line.posted_at",
    poster_id="COALESCE(document.approved_by_id, document.posted_by_id)",
    lot_id="line.lot_id",
    storehouse_id="line.storehouse_id",
    quantity="line.quantity",
    prev_hash="line.prev_hash",
)

# `base`: each depot of the group, the id its run starts from (its verified checkpoint's line, or
# 0) and the row number one past its chain head. `lines` computes each line's checks where the
# row is read (OFFSET 0 keeps it a separate step, so the window's sort carries only the results);
# the window adds the row number and the hash of the line before. The approver of an approved
# adjustment is its lines' poster (inventory.services.posting.adjustment_approve).
_SCAN = f"""
WITH base AS (
    SELECT * FROM unnest(%(depots)s::bigint[], %(starts)s::bigint[], %(beyond)s::bigint[])
        AS b(depot_id, start_id, beyond)
), marks AS (
    SELECT DISTINCT unnest(%(marks)s::bigint[]) AS id
), lines AS (
    SELECT line.id, line.depot_id, line.prev_hash, line.hash, document.number, base.beyond,
           line.occurred_on = document.occurred_on AS same_day,
           {_HASH_OK} AS hash_ok
    FROM inventory_ledgerline line
    JOIN base ON base.depot_id = line.depot_id AND line.id >= base.start_id
    JOIN inventory_document document ON document.id = line.document_id
    WHERE line.id >= %(low)s
    OFFSET 0
), ordered AS (
    SELECT lines.*, row_number() OVER w AS rn, lag(lines.hash) OVER w AS before,
           lead(lines.id) OVER w IS NULL AS is_last
    FROM lines
    WINDOW w AS (PARTITION BY lines.depot_id ORDER BY lines.id)
)
SELECT id, depot_id, number, rn, prev_hash, hash, before, is_last, same_day, hash_ok
FROM ordered
WHERE before IS NULL OR is_last OR NOT same_day OR hash_ok IS NOT TRUE
   OR prev_hash IS DISTINCT FROM before OR rn = beyond OR id IN (SELECT id FROM marks)
ORDER BY id
"""  # noqa: S608 (the module's own SQL; every value is a parameter)

# Big sorts and hash joins stay in memory; dates as text in ISO form (line_hash_matches_sql).
# The settings apply to this transaction only.
_SETTINGS = (
    "SET LOCAL work_mem = '256MB'",
    "SET LOCAL jit = off",
    "SET LOCAL DateStyle = 'ISO, MDY'",
)


@dataclass
class Break:
    depot: str
    line: int | None
    document: str | None
    reason: str


@dataclass
class Head:
    """A depot's chain as a verification found it intact: what it records as its checkpoint."""

    depot_id: int
    line_count: int
    last_line_id: int | None
    head_hash: str


@dataclass
class VerificationResult:
    ok: bool
    lines_checked: int
    depots_checked: int
    checkpoints_checked: int
    first_broken: Break | None
    broken: list[Break] = field(default_factory=list)
    mode: str = FULL
    heads: list[Head] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "mode": self.mode,
            "lines_checked": self.lines_checked,
            "depots_checked": self.depots_checked,
            "checkpoints_checked": self.checkpoints_checked,
            "first_broken": asdict(self.first_broken) if self.first_broken else None,
            "broken": [asdict(each) for each in self.broken],
        }


@dataclass
class _Base:
    """Where a depot's run starts: genesis, or a verified checkpoint."""

    line_id: int | None = None
    line_count: int = 0
    head_hash: str = GENESIS_HASH


@dataclass
class _Chain:
    code: str
    base: _Base
    prev: str = GENESIS_HASH
    count: int = 0
    last_id: int | None = None
    scanned: int = 0
    seen_base: bool = False
    broken: Break | None = None


def ledger_verify(
    *,
    external_checkpoints: Iterable[Mapping] = (),
    progress: Callable[[int], None] | None = None,
    mode: str = FULL,
    workers: int = 1,
) -> VerificationResult:
    """Verify every depot's chain (`mode` full or incremental, above) against its chain head,
    the checkpoints in the database and any `external_checkpoints` (exported copies kept outside
    it). Each depot's first broken link is named; `first_broken` is the earliest of them.

    Heads, checkpoints and lines are read from one snapshot (REPEATABLE READ, read only), so
    postings made while it runs neither wait for it nor look like tampering. With `workers` > 1
    the depots are checked in that many groups on connections of their own sharing the snapshot
    (not inside a caller's transaction: its uncommitted rows are its own)."""
    if mode not in (FULL, INCREMENTAL):
        raise ValueError(f"mode must be {FULL!r} or {INCREMENTAL!r}")
    if connection.in_atomic_block:  # already inside one transaction (a test, a caller's)
        return _verify(external_checkpoints, progress, mode, 1)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _verify(external_checkpoints, progress, mode, max(1, workers))


def _verify(
    external_checkpoints: Iterable[Mapping],
    progress: Callable[[int], None] | None,
    mode: str,
    workers: int,
) -> VerificationResult:
    depots = dict(Depot.objects.values_list("pk", "code"))
    by_code = {code: pk for pk, code in depots.items()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT depot_id, last_hash, line_count FROM inventory_chainhead")
        heads = {depot_id: (last_hash, count) for depot_id, last_hash, count in cursor.fetchall()}
    bases = _bases(depots) if mode == INCREMENTAL else {}
    chains = {pk: _Chain(code, bases.get(pk, _Base())) for pk, code in depots.items()}

    # (depot, last line id) → [(line_count, head_hash, source)]
    expected: dict[tuple[int, int | None], list[tuple[int, str, str]]] = {}
    for depot_id, line_count, last_line_id, head_hash in LedgerCheckpoint.objects.values_list(
        "depot_id", "line_count", "last_line_id", "head_hash"
    ):
        expected.setdefault((depot_id, last_line_id), []).append(
            (line_count, head_hash, "checkpoint")
        )
    unknown_external: list[Break] = []
    for item in external_checkpoints:
        depot_id = by_code.get(item["depot"])
        if depot_id is None:
            unknown_external.append(
                Break(str(item["depot"]), None, None, "exported checkpoint names an unknown depot")
            )
            continue
        last_line_id = item.get("last_line_id")
        expected.setdefault(
            (depot_id, int(last_line_id) if last_line_id is not None else None), []
        ).append((int(item["line_count"]), str(item["head_hash"]), "exported checkpoint"))
    checkpoints = sum(len(each) for each in expected.values()) + len(unknown_external)

    def fail(chain: _Chain, line: int | None, number: str | None, reason: str) -> None:
        if chain.broken is None:
            chain.broken = Break(chain.code, line, number, reason)

    # Checkpoints before a depot's starting point: their line must still carry their hash.
    before_start = {
        key: value
        for key, value in expected.items()
        if key[1] is not None
        and chains[key[0]].base.line_id is not None
        and key[1] < chains[key[0]].base.line_id
    }
    if before_start:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, depot_id, hash FROM inventory_ledgerline WHERE id = ANY(%s)",
                [sorted({line_id for _depot, line_id in before_start})],
            )
            found = {line_id: (depot_id, digest) for line_id, depot_id, digest in cursor}
        for (depot_id, line_id), items in sorted(before_start.items(), key=lambda kv: kv[0][1]):
            chain = chains[depot_id]
            if found.get(line_id, (None, None))[0] != depot_id:
                fail(chain, line_id, None, "a checkpointed line is missing")
            elif any(head_hash != found[line_id][1] for _count, head_hash, _source in items):
                source = next(s for _c, h, s in items if h != found[line_id][1])
                fail(chain, line_id, None, f"differs from the {source} of this line")

    # The scan, in groups of depots of about equal lines.
    groups = _groups(heads, chains, workers)
    marks = sorted({line_id for _depot, line_id in expected if line_id is not None})
    queries = [_scan_params(group, chains, heads, marks) for group in groups]
    rows = _scan(queries, workers, progress)

    for row in rows:
        line_id, depot_id, number, rn, prev_hash, stored, before, is_last, same_day, hash_ok = row
        chain = chains[depot_id]
        base = chain.base
        ordinal = rn + (base.line_count - 1 if base.line_id is not None else 0)
        is_base = line_id == base.line_id
        if before is None and base.line_id is not None and not is_base:
            fail(chain, base.line_id, None, "the verified checkpoint it starts from names a "
                 "missing line")  # fmt: skip
        if is_base:
            chain.seen_base = True
            if stored != base.head_hash:
                fail(chain, line_id, number, "differs from the verified checkpoint it starts from")
        elif ordinal > heads.get(depot_id, (GENESIS_HASH, 0))[1]:
            fail(chain, line_id, number, "lies beyond the chain head: not posted by the service")
        elif prev_hash != (before if before is not None else base.head_hash):
            fail(
                chain,
                line_id,
                number,
                "does not link to the verified checkpoint before it"
                if base.line_id is not None and (before is None or (rn == 2 and chain.seen_base))
                else "does not link to the line before it",
            )
        if not same_day:
            fail(chain, line_id, number, "its date differs from its document's")
        elif not hash_ok:
            fail(chain, line_id, number, "its content does not match its hash")
        for line_count, head_hash, source in expected.pop((depot_id, line_id), ()):
            if head_hash != stored or line_count != ordinal:
                fail(chain, line_id, number, f"differs from the {source} of this line")
        if is_last:
            chain.count, chain.prev, chain.last_id, chain.scanned = ordinal, stored, line_id, rn

    for depot_id, chain in chains.items():
        if chain.base.line_id is not None and not chain.seen_base:
            fail(chain, chain.base.line_id, None, "the verified checkpoint it starts from names "
                 "a missing line")  # fmt: skip
        if chain.last_id is None:  # no line read: the chain is its starting point
            chain.count, chain.prev = chain.base.line_count, chain.base.head_hash
        last_hash, line_count = heads.get(depot_id, (GENESIS_HASH, 0))
        if last_hash != chain.prev or line_count != chain.count:
            fail(chain, None, None, "the chain head does not match the last line")
    for depot_id, last_line_id in expected:
        if last_line_id is not None and (depot_id, last_line_id) not in before_start:
            fail(chains[depot_id], last_line_id, None, "a checkpointed line is missing")

    broken = [chain.broken for chain in chains.values() if chain.broken] + unknown_external
    broken.sort(key=lambda each: (each.line is None, each.line or 0, each.depot))
    intact = [
        Head(depot_id, chain.count, chain.last_id or chain.base.line_id, chain.prev)
        for depot_id, chain in chains.items()
        if chain.broken is None and chain.count
    ]
    return VerificationResult(
        ok=not broken,
        lines_checked=sum(chain.scanned for chain in chains.values()),
        depots_checked=len(chains),
        checkpoints_checked=checkpoints,
        first_broken=broken[0] if broken else None,
        broken=broken,
        mode=mode,
        heads=intact,
    )


def _bases(depots: Mapping[int, str]) -> dict[int, _Base]:
    """Each depot's latest verified checkpoint (recorded by a verification that found its chain
    intact up to there)."""
    bases: dict[int, _Base] = {}
    rows = (
        LedgerCheckpoint.objects.filter(verification__isnull=False, depot_id__in=list(depots))
        .order_by("depot_id", "-taken_at", "-id")
        .distinct("depot_id")
        .values_list("depot_id", "last_line_id", "line_count", "head_hash")
    )
    for depot_id, last_line_id, line_count, head_hash in rows:
        if last_line_id is not None:
            bases[depot_id] = _Base(last_line_id, line_count, head_hash)
    return bases


def _groups(heads: Mapping, chains: Mapping[int, _Chain], workers: int) -> list[list[int]]:
    """The depots in `workers` groups of about equal lines to read (largest first, each to the
    lightest group)."""
    weight = {
        pk: max(1, heads.get(pk, (None, 0))[1] - chain.base.line_count)
        for pk, chain in chains.items()
    }
    groups: list[list[int]] = [[] for _ in range(max(1, min(workers, len(chains))))]
    loads = [0] * len(groups)
    for pk in sorted(weight, key=lambda pk: -weight[pk]):
        lightest = loads.index(min(loads))
        groups[lightest].append(pk)
        loads[lightest] += weight[pk]
    return [group for group in groups if group]


def _scan_params(
    group: list[int], chains: Mapping[int, _Chain], heads: Mapping, marks: list[int]
) -> dict:
    # A depot without a verified checkpoint is read from its first line, except in an
    # incremental run one without a chain head either: it has posted nothing, and a line forged
    # into it before the other depots' starting points is the full run's to find.
    verified = [chain.base.line_id for chain in chains.values() if chain.base.line_id]
    floor = min(verified) if verified else 0
    starts = [chains[pk].base.line_id or (0 if pk in heads else floor) for pk in group]
    beyond = []
    for pk in group:
        base = chains[pk].base
        offset = base.line_count - 1 if base.line_id is not None else 0
        beyond.append(heads.get(pk, (None, 0))[1] - offset + 1)
    return {
        "depots": group,
        "starts": starts,
        "beyond": beyond,
        "marks": marks,
        "low": min(starts) if starts else 0,
    }


def _scan_one(cursor, params: dict) -> list[tuple]:
    for statement in _SETTINGS:
        cursor.execute(statement)
    cursor.execute(_SCAN, params)
    return cursor.fetchall()


def _scan(queries: list[dict], workers: int, progress: Callable[[int], None] | None) -> list[tuple]:
    """Run the scans: one after the other on this connection, or each on a connection of its
    own that imports this transaction's snapshot."""
    rows: list[tuple] = []
    if workers <= 1 or len(queries) <= 1:
        with connection.cursor() as cursor:
            for index, params in enumerate(queries):
                rows += _scan_one(cursor, params)
                if progress is not None:
                    progress(min(99, (index + 1) * 100 // len(queries)))
        rows.sort(key=lambda row: row[0])
        return rows
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
    results: list[list[tuple] | None] = [None] * len(queries)
    errors: list[BaseException] = []
    done = threading.Semaphore(0)

    def work(index: int) -> None:
        try:
            with transaction.atomic(), connections["default"].cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
                results[index] = _scan_one(cursor, queries[index])
        except BaseException as error:  # re-raised in the calling thread
            errors.append(error)
        finally:
            connections["default"].close()
            done.release()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(len(queries))]
    for thread in threads:
        thread.start()
    for finished in range(len(threads)):
        done.acquire()
        if progress is not None:
            progress(min(99, (finished + 1) * 100 // len(threads)))
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    for part in results:
        rows += part or []
    rows.sort(key=lambda row: row[0])
    return rows
