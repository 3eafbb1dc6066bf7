"""Ledger verification benchmark (issue 20: "≤ 10 s per million lines for a full check; the
nightly check incremental from the last checkpoint").

    python -m bench.verify                   # 100,000 and 1,000,000 lines (a few minutes)
    python -m bench.verify --lines 100000    # one size
    python -m bench.verify --smoke --drop    # tiny sizes, seconds (CI)

It (re)creates its own database (`stockpile_bench_verify`), on the server the settings name, and
generates a ledger with **real** hash chains (the canonical SHA-256 of DESIGN.md §7, computed in
Python and loaded with COPY): documents of two lines of 20 depots interleaved in id order as
postings of many depots are, a tenth of them approved adjustments (their approver is the lines'
poster). At each size it measures, with `audit.verification.ledger_verify`:

- a full check on one connection and on `--workers` connections (depots in groups);
- an incremental check after a verified checkpoint and a "day" of new lines (`--day`, default 1 %
  of the size): its time must follow the day's lines, not the ledger.

Every run must find the ledger intact (it is printed). Figures are printed, never asserted; they
go to docs/performance.md and docs/audit.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from bench import common
from bench.common import say
from bench.ledger import Sizes, analyze, create_world, reserve_ids

DEFAULT_DATABASE = "stockpile_bench_verify"
GOAL_SECONDS_PER_MILLION = 10.0
GENESIS = "0" * 64


class Ledger:
    """The generated ledger's state: each depot's chain head, number counter and clock."""

    def __init__(self, world, poster: int, approver: int, seed: int = 20) -> None:
        self.depots = [(p.id, p.code, p.lot_first, p.lots, p.sh_first, p.storehouses)
                       for p in world.depots]  # fmt: skip
        self.poster, self.approver = poster, approver
        self.heads = {p[0]: GENESIS for p in self.depots}
        self.counts = {p[0]: 0 for p in self.depots}
        self.numbers = {p[0]: 0 for p in self.depots}
        self.clock = datetime(2016, 1, 1, 8, tzinfo=UTC)
        self.rng = random.Random(seed)

    def append(self, conn, lines: int) -> None:
        """Append about `lines` lines (documents of two), depots drawn at random: COPY, real
        hashes, chain heads moved on; triggers and foreign keys as a bulk load skips them."""
        documents = max(1, lines // 2)
        cur = conn.cursor()
        cur.execute("SET LOCAL session_replication_role = replica")
        first_doc = reserve_ids(cur, "inventory_document", documents)
        first_line = reserve_ids(cur, "inventory_ledgerline", documents * 2)
        doc_rows, line_rows = [], []
        rng = self.rng
        for index in range(documents):
            depot_id, code, lot_first, lots, sh_first, shs = rng.choice(self.depots)
            self.clock += timedelta(seconds=rng.randint(1, 120), microseconds=rng.randrange(10**6))
            self.numbers[depot_id] += 1
            number = f"{code}-{self.clock.year}-{self.numbers[depot_id]:06d}"
            on = self.clock.date() - timedelta(days=rng.randint(0, 3))
            adjustment = rng.random() < 0.1
            kind = "adjustment" if adjustment else rng.choice(["receipt", "issue", "issue"])
            approver = self.approver if adjustment else None
            doc_id = first_doc + index
            doc_rows.append((doc_id, depot_id, kind, number, "posted", on, self.clock,
                             self.poster, approver, "BENCH", "", "", "", ""))  # fmt: skip
            for half in range(2):
                lot = lot_first + rng.randrange(lots)
                storehouse = sh_first + rng.randrange(shs)
                quantity = rng.randint(1, 500) * (-1 if kind == "issue" else 1)
                prev = self.heads[depot_id]
                encoded = json.dumps(
                    [number, kind, on.isoformat(),
                     self.clock.astimezone(UTC).isoformat(timespec="microseconds"),
                     approver or self.poster, lot, storehouse, quantity, prev],
                    separators=(",", ":"),
                ).encode()  # fmt: skip
                digest = hashlib.sha256(encoded).hexdigest()
                line_rows.append((first_line + 2 * index + half, doc_id, depot_id, lot, storehouse,
                                  quantity, on, self.clock, prev, digest))  # fmt: skip
                self.heads[depot_id] = digest
                self.counts[depot_id] += 1
        with cur.copy(
            "COPY inventory_document (id, depot_id, kind, number, status, occurred_on, posted_at, "
            "posted_by_id, approved_by_id, reference, counterparty, purpose, reason, note) "
            "FROM STDIN"
        ) as copy:
            for row in doc_rows:
                copy.write_row(row)
        with cur.copy(
            "COPY inventory_ledgerline (id, document_id, depot_id, lot_id, storehouse_id, "
            "quantity, occurred_on, posted_at, prev_hash, hash, balance_after) FROM STDIN"
        ) as copy:
            for row in line_rows:
                copy.write_row((*row, 0))
        cur.execute(
            """
            INSERT INTO inventory_chainhead (depot_id, last_hash, line_count)
            SELECT * FROM unnest(%s::bigint[], %s::text[], %s::bigint[])
            ON CONFLICT (depot_id) DO UPDATE
                SET last_hash = EXCLUDED.last_hash, line_count = EXCLUDED.line_count
            """,
            [list(self.heads), list(self.heads.values()), list(self.counts.values())],
        )
        conn.commit()


class BackendCpu:
    """CPU seconds used by the PostgreSQL backends serving `database` while it runs (sampled
    from /proc every 50 ms, so a backend's last 50 ms may be missed): unlike the wall time, a
    busy machine barely changes it. None where /proc is not readable (another host)."""

    TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(self, database: str) -> None:
        self.needle = f" {database} ".encode()
        self.start: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self.running = False

    def _sample(self) -> dict[int, int]:
        ticks = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if self.needle not in (entry / "cmdline").read_bytes().replace(b"\0", b" "):
                    continue
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
            except (OSError, ValueError, IndexError):
                continue
        return ticks

    def __enter__(self) -> BackendCpu:
        self.start = self._sample()
        self.running = True
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()
        return self

    def _poll(self) -> None:
        while self.running:
            self.last.update(self._sample())
            time.sleep(0.05)

    def __exit__(self, *exc) -> None:
        self.running = False
        self.thread.join()
        self.last.update(self._sample())

    @property
    def seconds(self) -> float | None:
        if not self.last:
            return None
        used = sum(ticks - self.start.get(pid, 0) for pid, ticks in self.last.items())
        return used / self.TICK


def timed(label: str, database: str, **kwargs) -> tuple[float, float | None, object]:
    from audit.verification import ledger_verify

    started = time.perf_counter()
    with BackendCpu(database) as cpu:
        result = ledger_verify(**kwargs)
    seconds = time.perf_counter() - started
    rate = result.lines_checked / seconds if seconds else 0
    state = "intact" if result.ok else f"BROKEN: {result.first_broken}"
    used = f"{cpu.seconds:6.2f} s CPU" if cpu.seconds is not None else "  (CPU n/a)"
    say(f"  {label:<40} {result.lines_checked:>10,} lines {seconds:>7.2f} s {used} "
        f"{rate:>9,.0f} lines/s  {state}")  # fmt: skip
    return seconds, cpu.seconds, result


def record_heads(result) -> None:
    """What a verification run keeps: the heads it found intact, as verified checkpoints."""
    from django.utils import timezone

    from audit.models import LedgerCheckpoint, LedgerVerification

    now = timezone.now()
    record = LedgerVerification.objects.create(
        started_at=now, finished_at=now, depots_checked=result.depots_checked,
        lines_checked=result.lines_checked, checkpoints_checked=0, ok=result.ok,
        mode=result.mode,
    )  # fmt: skip
    LedgerCheckpoint.objects.bulk_create(
        LedgerCheckpoint(depot_id=h.depot_id, line_count=h.line_count,
                         last_line_id=h.last_line_id, head_hash=h.head_hash, taken_at=now,
                         verification=record)
        for h in result.heads
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.verify", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--lines", type=int, action="append", help="sizes, repeatable (100,000 and 1,000,000)"
    )
    parser.add_argument("--depots", type=int, default=20)
    parser.add_argument("--day", type=float, default=0.01,
                        help="the day's new lines before the incremental run, as a share of the "
                        "size (default 0.01)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=2, help="connections of the parallel run")
    common.add_arguments(parser, DEFAULT_DATABASE)  # --smoke: 2,000 and 6,000 lines (CI)
    args = parser.parse_args(argv)
    sizes = sorted(args.lines or ([2_000, 6_000] if args.smoke else [100_000, 1_000_000]))
    common.check_arguments(parser, args)
    say(f"Ledger verification benchmark: {', '.join(f'{n:,}' for n in sizes)} lines, "
        f"{args.depots} depots; {os.cpu_count()} CPUs")  # fmt: skip
    figures: list[dict] = []
    with common.BenchDatabase(args.database, drop=args.drop) as bench:
        from accounts.models import User
        from audit.verification import FULL, INCREMENTAL

        url = bench.url
        with psycopg.connect(url) as conn:
            say(f"PostgreSQL {conn.execute('SHOW server_version').fetchone()[0]}")
            world = create_world(
                conn,
                Sizes(
                    depots=args.depots,
                    lots=args.depots * 100,
                    storehouses=5,
                    types=20,
                    probe_small=2,
                    probe_large=3,
                ),
            )
            poster = User.objects.create(username="bench_clerk").pk
            approver = User.objects.create(username="bench_inspector").pk
            ledger = Ledger(world, poster, approver)
            total = 0
            for size in sizes:
                started = time.perf_counter()
                while total < size:
                    step = min(200_000, size - total)
                    ledger.append(conn, step)
                    total += step // 2 * 2 or 2
                analyze(url)
                say(f"{total:,} lines (generated in {time.perf_counter() - started:.0f} s)")
                full, full_cpu, result = timed("full, 1 connection", args.database, mode=FULL)
                parallel, parallel_cpu, _ = timed(
                    f"full, {args.workers} connections", args.database, mode=FULL,
                    workers=args.workers,
                )  # fmt: skip
                record_heads(result)
                day = max(2, int(size * args.day))
                ledger.append(conn, day)
                total += day // 2 * 2
                analyze(url)
                incremental, _, inc = timed(
                    f"incremental, after a day of {day:,} lines", args.database,
                    mode=INCREMENTAL, workers=args.workers,
                )  # fmt: skip
                best = min(full, parallel)
                per_million = best * 1_000_000 / result.lines_checked
                verdict = "PASS" if per_million <= GOAL_SECONDS_PER_MILLION else "FAIL"
                say(f"  full check {per_million:.1f} s per million lines (goal ≤ "
                    f"{GOAL_SECONDS_PER_MILLION:.0f}): {verdict}; incremental read "
                    f"{inc.lines_checked:,} lines in {incremental:.2f} s")  # fmt: skip
                if parallel_cpu is not None:
                    idle = parallel_cpu / min(args.workers, os.cpu_count() or 1)
                    million = 1e6 / result.lines_checked
                    say(f"  server CPU per million lines: {full_cpu * million:.1f} s on 1 "
                        f"connection, {parallel_cpu * million:.1f} s on {args.workers}; on idle "
                        f"cores the parallel check would take about {idle * million:.1f} s per "
                        "million lines")  # fmt: skip
                figures.append({
                    "lines": result.lines_checked, "full_seconds": round(full, 3),
                    "full_parallel_seconds": round(parallel, 3), "workers": args.workers,
                    "full_cpu_seconds": full_cpu, "full_parallel_cpu_seconds": parallel_cpu,
                    "full_seconds_per_million": round(per_million, 2), "verdict": verdict,
                    "day_lines": day, "incremental_lines": inc.lines_checked,
                    "incremental_seconds": round(incremental, 3),
                })  # fmt: skip
                record_heads(inc)
    common.write_json(args.json, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
