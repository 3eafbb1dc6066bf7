"""Multi-line documents through the HTTP API (issue 20): one command, on PostgreSQL.

    python -m bench.documents                    # 50-line receipts and issues, 8 clients
    python -m bench.documents --documents 20     # 20 documents of each kind per client
    python -m bench.documents --smoke --drop     # tiny sizes, seconds (CI)

Like the other benchmarks (bench/common.py) it (re)creates its own database,
`stockpile_bench_documents` by default, and runs Django against it with production settings.

1. A world of 8 depots (one per client) of 5 licensed storehouses and 100 lots each, every lot
   received once (bench/ledger.py's set-based generation), a clerk of every depot with a token
   per client, and a recipient.
2. SQL queries per document, in process (Django's test client, token authentication): a receipt
   and an issue of 1, 10 and 50 lines, each the usual count of three postings. They must be the
   same whatever the line count; where they grow from 10 to 50 lines, the statements that grow
   are printed (the SQL with its literals stripped, and how many times it ran at each line
   count). The CPU time of this process per document (median of the three) is printed too:
   unlike the rates, a busy machine barely changes it.
3. Lines per second through a live gunicorn (sync workers, 2 x CPUs + 1, as deployed): 8 clients,
   each on its own depot, post `--documents` receipts of `--lines` lines (50), then as many
   issues of `--lines` lines of one unit each. The baseline measured in the same run on the same
   server: one-line issues with 8 clients (lines per second). Goal: >= 1,000 lines/s.

Nothing is asserted: the figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta

import psycopg

from bench import common
from bench.common import rate, say
from bench.ledger import LiveServer, create_world, generate, run_threads
from bench.ledger import Sizes as WorldSizes

DEFAULT_DATABASE = "stockpile_bench_documents"
GOAL_LINES_PER_SECOND = 1_000
LINE_COUNTS = (1, 10, 50)


@dataclass
class Sizes:
    clients: int = 8
    lines: int = 50  # lines per document
    documents: int = 10  # documents of each kind per client
    lots: int = 100  # lots per depot (at least --lines)
    single: int = 25  # one-line issues per client (the baseline)

    @classmethod
    def smoke(cls) -> Sizes:
        return cls(clients=8, lines=50, documents=2, lots=60, single=5)


@dataclass
class Report:
    sizes: dict
    server: str = ""
    cpus: int = 0
    workers: int = 0
    queries: dict = field(default_factory=dict)  # kind -> {line count: queries}
    growing: dict = field(default_factory=dict)  # kind -> [statements that grow]
    cpu_ms: dict = field(default_factory=dict)  # kind -> {line count: CPU ms per document}
    rates: dict = field(default_factory=dict)  # lines/s and documents/s per kind
    refused: dict = field(default_factory=dict)
    first_error: str = ""


def parse_args(argv: list[str] | None) -> tuple[Sizes, argparse.Namespace]:
    parser = argparse.ArgumentParser(
        prog="python -m bench.documents",
        description="Multi-line receipts and issues through the HTTP API: lines per second with "
        "8 clients and SQL queries per document at 1, 10 and 50 lines (issue 20).",
    )
    parser.add_argument("--clients", type=int, help="concurrent clients, one depot each (8)")
    parser.add_argument("--lines", type=int, help="lines per document (50)")
    parser.add_argument("--documents", type=int, help="documents of each kind per client (10)")
    parser.add_argument("--single", type=int, help="one-line issues per client, baseline (25)")
    common.add_arguments(parser, DEFAULT_DATABASE)
    args = parser.parse_args(argv)
    sizes = Sizes.smoke() if args.smoke else Sizes()
    common.apply_sizes(parser, args, sizes, ("clients", "lines", "documents", "single"))
    sizes.lots = max(sizes.lots, sizes.lines, max(LINE_COUNTS))
    common.check_arguments(parser, args)
    return sizes, args


def main(argv: list[str] | None = None) -> int:
    sizes, args = parse_args(argv)
    report = Report(sizes=asdict(sizes), cpus=os.cpu_count() or 1)
    say(f"Multi-line documents benchmark: {sizes.clients} clients, {sizes.documents} documents "
        f"of {sizes.lines} lines of each kind per client"
        f"{' (smoke sizes)' if args.smoke else ''}")  # fmt: skip
    with common.BenchDatabase(args.database, drop=args.drop) as bench:
        report.server = bench.server_version()
        run(sizes, bench, report)
    common.write_json(args.json, report)
    return 0


def shape(sql: str) -> str:
    """A statement with its literals and placeholder lists stripped, to count alike ones."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    sql = re.sub(r"\((?:\s*\?\s*,?)+\)", "(...)", sql)
    return re.sub(r"\s+", " ", sql).strip()[:160]


class Payloads:
    """Receipt and issue payloads: line i of a document is lot (offset + i) of the depot."""

    def __init__(self, world, recipient_id: int, today: date):
        self.world, self.recipient_id, self.today = world, recipient_id, today

    def lines(self, plan, count: int, offset: int, quantity: int) -> list[dict]:
        chosen = [(offset + i) % plan.stocked for i in range(count)]
        return [
            {"lot": plan.lot_first + k, "storehouse": plan.sh_first + k % plan.storehouses,
             "quantity": quantity}
            for k in chosen
        ]  # fmt: skip

    def receipt(self, plan, count: int, offset: int = 0) -> dict:
        return {
            "reference": "BENCH-MULTI",
            "occurred_on": self.today.isoformat(),
            "counterparty": "Benchmark manufacturer",
            "lines": self.lines(plan, count, offset, 100),
        }

    def issue(self, plan, count: int, offset: int = 0) -> dict:
        return {
            "reference": "BENCH-MULTI",
            "occurred_on": self.today.isoformat(),
            "recipient": self.recipient_id,
            "purpose": "Benchmark",
            "lines": self.lines(plan, count, offset, 1),
        }


def run(sizes: Sizes, bench: common.BenchDatabase, report: Report) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from knox.models import AuthToken

    from accounts.services import user_upsert
    from core.roles import Role
    from inventory.models import Recipient

    url = bench.url
    world_sizes = WorldSizes(
        depots=sizes.clients,
        lots=sizes.clients * sizes.lots,
        storehouses=5,
        types=20,
        probe_small=2,
        probe_large=3,
    )
    with psycopg.connect(url) as conn:
        world = create_world(conn, world_sizes)
        depot_ids = [p.id for p in [*world.depots, world.probe_small, world.probe_large]]
        user = user_upsert(
            username="bench_clerk",
            password=secrets.token_urlsafe(24),
            roles=[Role.CLERK],
            depot_ids=depot_ids,
            vetting=("security", date.today() + timedelta(days=365), "BENCH"),
        )
        recipient = Recipient.objects.create(code="BENCH-UNIT", name="Benchmark unit", kind="unit")
        generate(conn, world.depots, kind="receipt", count=sizes.lots, per_depot_total=sizes.lots,
                 user_id=user.pk, recipient_id=recipient.pk)  # fmt: skip
        for plan in world.depots:
            conn.execute(
                "INSERT INTO inventory_documentcounter (depot_id, year, last_number) "
                "VALUES (%s, %s, 0) ON CONFLICT DO NOTHING",
                [plan.id, datetime.now(UTC).year],
            )
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    tokens = [AuthToken.objects.create(user=user)[1] for _ in range(sizes.clients + 1)]
    today = timezone.localdate()
    payloads = Payloads(world, recipient.pk, today)

    # 1. Queries per document at 1, 10 and 50 lines, in process.
    client = Client(HTTP_AUTHORIZATION=f"Token {tokens[-1]}")
    plan = world.depots[0]
    say("Queries per document (in process, token authentication):")
    for kind in ("receipt", "issue"):
        counts: dict[int, int] = {}
        shapes: dict[int, Counter] = {}
        cpu: dict[int, float] = {}
        for n in LINE_COUNTS:
            seen, used = [], []
            for attempt in range(3):
                payload = getattr(payloads, kind)(plan, n, offset=attempt * 7)
                with CaptureQueriesContext(connection) as captured:
                    before = time.process_time()
                    response = client.post(
                        f"/api/v1/{kind}s/", payload, content_type="application/json"
                    )
                    used.append((time.process_time() - before) * 1000)
                if response.status_code != 201:
                    raise RuntimeError(
                        f"POST {kind} of {n} lines: {response.status_code} "
                        f"{response.content[:300]!r}"
                    )
                seen.append(len(captured))
                shapes[n] = Counter(shape(q["sql"]) for q in captured.captured_queries)
            counts[n] = statistics.mode(seen)
            cpu[n] = round(statistics.median(used), 1)
        report.queries[kind] = {str(n): counts[n] for n in LINE_COUNTS}
        report.cpu_ms[kind] = {str(n): cpu[n] for n in LINE_COUNTS}
        growing = []
        # From 10 to 50 lines: a document of one line may take another statement's form.
        low, high = LINE_COUNTS[1], LINE_COUNTS[-1]
        for statement in sorted(set(shapes[low]) | set(shapes[high])):
            if shapes[high][statement] > shapes[low][statement]:
                growing.append(
                    {
                        "sql": statement,
                        **{str(n): shapes[n][statement] for n in LINE_COUNTS},
                    }
                )
        report.growing[kind] = growing
        say(f"  {kind}: " + ", ".join(f"{n} lines {counts[n]} queries" for n in LINE_COUNTS)
            + "; CPU ms per document in process: "
            + ", ".join(f"{cpu[n]:.1f}" for n in LINE_COUNTS))  # fmt: skip
        for item in growing:
            per = ", ".join(f"{item[str(n)]}" for n in LINE_COUNTS)
            say(f"    grows ({per}): {item['sql']}")

    # 2. Lines per second through gunicorn, 8 clients.
    workers = 2 * (os.cpu_count() or 1) + 1
    report.workers = workers
    server = LiveServer(bench.env, workers)
    errors: list[str] = []
    try:

        def warm(index: int) -> tuple[int, int]:
            own = world.depots[index % len(world.depots)]
            for attempt in range(2):
                server.request("POST", "/api/v1/issues/",
                               payloads.issue(own, 1, offset=index + attempt),
                               tokens[index % sizes.clients])  # fmt: skip
            return 0, 0

        run_threads(workers, warm)

        def client_work(kind: str, count: int, lines: int):
            def work(index: int) -> tuple[int, int]:
                own = world.depots[index % len(world.depots)]
                conn = server.connection()
                refused = 0
                for number in range(count):
                    payload = getattr(payloads, kind)(own, lines, offset=number * 3 + index)
                    status, body = server.request(
                        "POST", f"/api/v1/{kind}s/", payload, tokens[index], conn
                    )
                    if status != 201:
                        refused += 1
                        errors.append(f"{kind}: {status} {body[:300]!r}")
                return count - refused, refused

            return work

        for kind in ("receipt", "issue"):
            posted, refused, elapsed = run_threads(
                sizes.clients, client_work(kind, sizes.documents, sizes.lines)
            )
            report.rates[f"{kind}_lines_per_s"] = round(rate(posted * sizes.lines, elapsed), 1)
            report.rates[f"{kind}_documents_per_s"] = round(rate(posted, elapsed), 2)
            report.refused[kind] = refused
            say(f"  {sizes.clients} clients, {sizes.lines}-line {kind}s: {posted} documents in "
                f"{elapsed:.2f} s = {rate(posted * sizes.lines, elapsed):,.0f} lines/s "
                f"({rate(posted, elapsed):.1f} documents/s), {refused} refused")  # fmt: skip
        posted, refused, elapsed = run_threads(sizes.clients, client_work("issue", sizes.single, 1))
        report.rates["single_issue_lines_per_s"] = round(rate(posted, elapsed), 1)
        report.refused["single_issue"] = refused
        say(f"  baseline: {sizes.clients} clients, one-line issues: {rate(posted, elapsed):,.0f} "
            f"lines/s")  # fmt: skip
    finally:
        server.stop()
    report.first_error = errors[0] if errors else ""
    if errors:
        say(f"  first refusal: {errors[0]}")
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        drift = conn.execute(
            """
            SELECT count(*) FROM (
                SELECT lot_id, storehouse_id, sum(quantity) AS total
                FROM inventory_ledgerline GROUP BY lot_id, storehouse_id
            ) l FULL JOIN inventory_balance b USING (lot_id, storehouse_id)
            WHERE coalesce(l.total, 0) <> coalesce(b.quantity, 0)
            """
        ).fetchone()[0]
    report.rates["drift_rows"] = drift
    say(f"  balances = ledger sums: {drift} rows differ ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    sys.exit(main())
