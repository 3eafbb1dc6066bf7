"""Report rendering benchmark (issue 6, DESIGN.md §10): one command, on PostgreSQL.

    python -m bench.reports                # depot accounting statements of 1,000 and 10,000 lines
    python -m bench.reports --large        # ... and of 50,000 lines
    python -m bench.reports --lines 2000   # one statement of 2,000 lines
    python -m bench.reports --smoke        # tiny sizes, seconds (CI)

Like bench/ledger.py it never touches development or test data: it (re)creates its own database,
`stockpile_bench_reports` by default, migrates it, and runs Django against it with production
settings (DEBUG off), with MEDIA_ROOT in a temporary directory.

For each size, a depot of its own gets that many ledger lines dated in a one-year period (two
lines a document: receipts, issues, transfers and adjustments, over 5 storehouses and one lot per
20 lines), plus a tenth as many before the period (opening balances), generated with set-based
SQL. Its accounting statement is then requested and rendered in this process exactly as the
Celery task does (reports.services.report_render: digest, query, HTML, parts rendered side by side
in worker processes, merge and page numbering, files), and the seconds, pages, parts and the time
of each phase are printed. Nothing is asserted: the figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta

from bench import common
from bench.common import say
from bench.ledger import reserve_ids

DEFAULT_DATABASE = "stockpile_bench_reports"
PERIOD_DAYS = 365
PHASES = ("digest", "query", "html", "pdf", "merge_and_number", "files")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reports",
        description="Depot accounting statement rendering time at 1,000 and 10,000 ledger lines "
        "(50,000 with --large).",
    )
    parser.add_argument("--lines", type=int, action="append", help="a size to measure (repeat)")
    parser.add_argument("--large", action="store_true", help="also measure 50,000 lines")
    parser.add_argument("--processes", type=int, help="parts rendered at once (default: CPUs)")
    parser.add_argument("--part-rows", type=int, help="most table rows per part (default 4,000)")
    common.add_arguments(parser, DEFAULT_DATABASE)
    args = parser.parse_args(argv)
    if args.lines:
        sizes = args.lines
    elif args.smoke:
        sizes = [60, 400]
    else:
        sizes = [1_000, 10_000] + ([50_000] if args.large else [])
    if any(size < 2 for size in sizes):
        parser.error("--lines must be 2 or more")
    common.check_arguments(parser, args)
    args.sizes = sizes
    return args


def generate(cur, *, index: int, lines: int, user_id: int, type_id: int) -> int:
    """A depot with `lines` ledger lines dated in the period and lines // 10 before it; returns
    the depot's id. Two lines a document; hashes are synthetic (the report digest recomputes the
    canonical encodings from the lines' content, never from stored hashes)."""
    depot_id = reserve_ids(cur, "inventory_depot", 1)
    code = f"R{index:02d}"
    cur.execute(
        "INSERT INTO inventory_depot (id, code, name, region, created_at) "
        "VALUES (%s, %s, %s, 'Bench', now())",
        [depot_id, code, f"Report bench depot {index}"],
    )
    sh0 = reserve_ids(cur, "inventory_storehouse", 5)
    cur.execute(
        "INSERT INTO inventory_storehouse (id, depot_id, code, name, kind, is_active) "
        "SELECT %s + i, %s, 'SH' || (i + 1), 'Storehouse ' || (i + 1), 'container', true "
        "FROM generate_series(0, 4) AS i",
        [sh0, depot_id],
    )
    lots = max(1, lines // 20)
    lot0 = reserve_ids(cur, "inventory_lot", lots)
    cur.execute(
        "INSERT INTO inventory_lot (id, ammunition_type_id, manufacturer, lot_number, "
        "country_of_manufacture, manufactured_on, batch, expiry_overridden, condition, "
        "identity_lost, created_at) "
        "SELECT %s + i, %s, 'Bench maker', %s || '-LOT-' || lpad(i::text, 5, '0'), '', "
        "date '2015-01-01', '', false, 'A', false, now() FROM generate_series(0, %s - 1) AS i",
        [lot0, type_id, code, lots],
    )
    before = max(1, lines // 10)
    total = before + lines
    documents = (total + 1) // 2
    doc0 = reserve_ids(cur, "inventory_document", documents)
    line0 = reserve_ids(cur, "inventory_ledgerline", documents * 2)
    end = date.today()
    start = end - timedelta(days=PERIOD_DAYS - 1)
    # Documents 0 .. before/2 - 1 are dated before the period (receipts: the opening stock).
    cur.execute(
        """
        INSERT INTO inventory_document (id, depot_id, kind, number, status, occurred_on,
            posted_at, posted_by_id, reference, counterparty, purpose, reason, note)
        SELECT %(doc0)s + j, %(depot)s, x.kind,
               %(code)s || '-' || to_char(x.day, 'YYYY') || '-' || lpad((j + 1)::text, 6, '0'),
               'posted', x.day, (x.day + time '10:00') AT TIME ZONE 'UTC', %(user)s, 'BENCH',
               CASE WHEN x.kind = 'receipt' THEN 'Bench manufacturer' ELSE 'Bench unit' END,
               '', CASE WHEN x.kind = 'adjustment' THEN 'count_variance' ELSE '' END, ''
        FROM generate_series(0, %(documents)s - 1) AS j
        CROSS JOIN LATERAL (SELECT
            CASE WHEN j < %(opening)s THEN %(start)s::date - 30 + (j %% 30)
                 ELSE %(start)s::date + ((j - %(opening)s) * %(days)s
                                         / greatest(1, %(documents)s - %(opening)s))::int
            END AS day,
            CASE WHEN j < %(opening)s THEN 'receipt'
                 ELSE (ARRAY['receipt', 'issue', 'issue', 'receipt', 'transfer', 'issue',
                             'receipt', 'adjustment', 'issue', 'return'])[1 + j %% 10]
            END AS kind) x
        """,
        {
            "doc0": doc0, "depot": depot_id, "code": code, "user": user_id,
            "documents": documents, "opening": (before + 1) // 2, "start": start,
            "days": PERIOD_DAYS - 1,
        },
    )  # fmt: skip
    cur.execute(
        """
        INSERT INTO inventory_ledgerline (id, document_id, depot_id, lot_id, storehouse_id,
            quantity, balance_after, occurred_on, posted_at, prev_hash, hash)
        SELECT %(line0)s + 2 * d.id - 2 * %(doc0)s + k, d.id, d.depot_id,
               %(lot0)s + ((d.id - %(doc0)s) * 7 + k * 3) %% %(lots)s,
               %(sh0)s + ((d.id - %(doc0)s) + k) %% 5,
               CASE WHEN d.kind IN ('receipt', 'return') THEN 100 + (d.id %% 50)
                    WHEN d.kind = 'adjustment' THEN -1 - (d.id %% 3)
                    ELSE -(1 + (d.id %% 20)) END,
               0, d.occurred_on, d.posted_at,
               md5('prev' || d.id || ':' || k) || md5(k || ':' || d.id || 'prev'),
               md5('line' || d.id || ':' || k) || md5(k || ':' || d.id || 'line')
        FROM inventory_document d CROSS JOIN generate_series(0, 1) AS k
        WHERE d.depot_id = %(depot)s
        """,
        {"line0": line0, "doc0": doc0, "lot0": lot0, "lots": lots, "sh0": sh0, "depot": depot_id},
    )
    return depot_id


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    media = tempfile.mkdtemp(prefix="stockpile-bench-reports-")
    say(
        f"Report benchmark: accounting statements of {', '.join(f'{n:,}' for n in args.sizes)} "
        f"ledger lines{' (smoke sizes)' if args.smoke else ''}; {os.cpu_count()} CPUs"
    )
    with common.BenchDatabase(args.database, drop=args.drop, extra_env={"MEDIA_ROOT": media}):
        from django.conf import settings

        if args.processes:
            settings.REPORTS_RENDER_PROCESSES = args.processes
        if args.part_rows:
            settings.REPORTS_PART_ROWS = args.part_rows
        figures = run(args)
    common.write_json(args.json, figures)
    return 0


def run(args) -> list[dict]:
    from django.conf import settings
    from django.db import connection, transaction

    from accounts.models import User
    from core.roles import Role
    from inventory.models import AmmunitionType
    from reports import pdf
    from reports.services import report_request

    auditor = User.objects.create(username="bench-auditor", roles=[Role.AUDITOR])
    type_ = AmmunitionType.objects.create(
        code="BENCH-556", name="Cartridge 5.56 mm ball (bench)", category="other",
        hazard_division="1.4", compatibility_group="S", neq_per_unit_kg="0.0016",
        shelf_life_months=300,
    )  # fmt: skip
    say(f"Parts of at most {getattr(settings, 'REPORTS_PART_ROWS', 4000):,} table rows, "
        f"{pdf.render_processes()} rendered at once")  # fmt: skip
    say()
    say(f"{'lines':>8} {'documents':>9} {'pages':>6} {'parts':>5} {'seconds':>8}   phases (s)")
    figures = []
    for index, size in enumerate(args.sizes, start=1):
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            depot_id = generate(cur, index=index, lines=size, user_id=auditor.pk,
                                type_id=type_.pk)  # fmt: skip
        with connection.cursor() as cur:
            cur.execute("ANALYZE inventory_ledgerline; ANALYZE inventory_document")
        generated = time.perf_counter() - started
        end = date.today()
        parameters = {
            "depot": depot_id,
            "period_start": (end - timedelta(days=PERIOD_DAYS - 1)).isoformat(),
            "period_end": end.isoformat(),
        }
        started = time.perf_counter()
        report = report_request(
            kind="accounting_statement", parameters=parameters, requested_by=auditor, inline=True
        )
        seconds = time.perf_counter() - started
        if report.status != "done":
            raise SystemExit(f"The statement of {size:,} lines failed: {report.error}")
        documents = report.line_count and (report.line_count + 1) // 2
        phases = ", ".join(f"{name} {report.timings[name]:g}" for name in PHASES)
        say(
            f"{report.line_count:>8,} {documents:>9,} {report.page_count:>6,} {report.parts:>5} "
            f"{seconds:>8.1f}   {phases} (data generated in {generated:.1f} s)"
        )
        figures.append({
            "size": size, "lines": report.line_count, "pages": report.page_count,
            "parts": report.parts, "seconds": round(seconds, 2), "timings": report.timings,
            "processes": pdf.render_processes(),
        })  # fmt: skip
    return figures


if __name__ == "__main__":
    sys.exit(main())
