"""Surplus computation benchmark (issue 5, DESIGN.md §9 and §12): one command, on PostgreSQL.

    python -m bench.surplus                       # 20,000 lots, then 200,000; 1 million lines
    python -m bench.surplus --lines 10000000      # the same with 10 million ledger lines
    python -m bench.surplus --smoke               # tiny sizes, seconds (CI)

Like bench/ledger.py it never touches development or test data: it (re)creates its own database,
`stockpile_bench_surplus` by default, on the PostgreSQL server the settings name (DATABASE_URL,
or the embedded server of a first run), migrates it, and runs Django against it with production
settings (DEBUG off).

1. A stockpile is generated with set-based SQL: 100 depots of 5 storehouses, 2,000 types (4 %
   obsolete, 4 % in groups of two interchangeable types), requirements for 60 % of the subjects
   (training rates included), one banned type and 0.5 % of lots banned. Lots: 85 % condition A,
   3 % B, 3 % D (suspended), 2 % F (reparable), 5 % H, 2 % E; expiries from a month ago to ten
   years on, 5 % with none; each held in one storehouse, 3 % also in a second depot. Ledger
   lines (`--lines`, posted filler documents) are there because a national database has them:
   the computation reads balances and in-transit documents, never the whole ledger.
2. At each size (`--small` then `--lots` lots) it times, median of three runs, with the SQL
   statements counted: the national computation (surplus.computation.surplus_by_depot, every
   type and depot), the same by the reference statement (surplus_by_depot_reference: every item
   through the windows, the definition the fast path is tested against), one depot, one
   type's lots, and a snapshot (compute and store); then the dashboard page as an officer
   (Django's test client, in process). A hand-written SQL aggregate of the same balances
   (holdings per type and condition class, no expiry, no apportionment) is the baseline; the
   ratio says what the full definition costs over it.

Nothing is asserted: timings depend on the machine, and the figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import psycopg

from bench import common
from bench.common import SqlTimer, say
from bench.ledger import reserve_ids

DEFAULT_DATABASE = "stockpile_bench_surplus"
PLAIN_STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"


@dataclass
class Sizes:
    small: int = 20_000
    lots: int = 200_000
    lines: int = 1_000_000
    depots: int = 100
    storehouses: int = 5
    types: int = 2_000
    batch: int = 100_000
    line_batch: int = 1_000_000
    runs: int = 3

    @classmethod
    def smoke(cls) -> Sizes:
        return cls(
            small=300,
            lots=3_000,
            lines=5_000,
            depots=4,
            storehouses=2,
            types=40,
            batch=1_000,
            line_batch=5_000,
            runs=1,
        )


def parse_args(argv: list[str] | None) -> tuple[Sizes, argparse.Namespace]:
    parser = argparse.ArgumentParser(
        prog="python -m bench.surplus",
        description="Surplus computation benchmark: time and SQL statements at 20 thousand and "
        "200 thousand lots, against a hand-written SQL aggregate (issue 5, DESIGN.md §12).",
    )
    defaults = Sizes()
    parser.add_argument("--lots", type=int, help=f"lots at the large size ({defaults.lots:,})")
    parser.add_argument("--small", type=int, help=f"lots at the small size ({defaults.small:,})")
    parser.add_argument("--lines", type=int, help=f"ledger lines ({defaults.lines:,})")
    common.add_arguments(parser, DEFAULT_DATABASE)
    args = parser.parse_args(argv)
    sizes = Sizes.smoke() if args.smoke else Sizes()
    common.apply_sizes(parser, args, sizes, ("lots", "small", "lines"))
    sizes.small = min(sizes.small, sizes.lots)
    common.check_arguments(parser, args)
    return sizes, args


# --- Generating the stockpile with set-based SQL ------------------------------------------------


@dataclass
class World:
    depot0: int
    sh0: int
    type0: int
    user: int
    lots: int = 0


def _r(salt: int, k: str = "k") -> str:
    """A pseudo-random draw in 0..999 from an id, its own per salt."""
    return f"mod(abs(hashint8({k} * 31 + {salt})), 1000)"


def create_world(conn, sizes: Sizes, user: int) -> World:
    cur = conn.cursor()
    type0 = reserve_ids(cur, "inventory_ammunitiontype", sizes.types)
    params = {
        "type0": type0,
        "types": sizes.types,
        "depots": sizes.depots,
        "shs": sizes.storehouses,
        "user": user,
        "today": date.today(),
    }
    cur.execute(
        f"""
        INSERT INTO inventory_ammunitiontype (id, code, name, category, calibre, hazard_division,
            compatibility_group, neq_per_unit_kg, unit, packaging, shelf_life_months,
            contains_propellant, shaped_charge, high_energy_propellant, obsolete)
        SELECT %(type0)s + t, 'SP-' || lpad(t::text, 5, '0'), 'Surplus type ' || t,
               (ARRAY['small_arms', 'mortar', 'artillery', 'grenade', 'rocket'])[1 + t %% 5],
               '', '1.4', 'S', 0.001 + (t %% 50) * 0.05, 'round', '', 240, false, false, false,
               {_r(1, "t")} < 40
        FROM generate_series(0, %(types)s - 1) AS t
        """,
        params,
    )
    depot0 = reserve_ids(cur, "inventory_depot", sizes.depots)
    sh0 = reserve_ids(cur, "inventory_storehouse", sizes.depots * sizes.storehouses)
    params.update(depot0=depot0, sh0=sh0)
    cur.execute(
        """
        INSERT INTO inventory_depot (id, code, name, region, created_at)
        SELECT %(depot0)s + d, 'P' || lpad((d + 1)::text, 3, '0'), 'Bench depot ' || (d + 1),
               'Region ' || (d %% 6), now()
        FROM generate_series(0, %(depots)s - 1) AS d
        """,
        params,
    )
    cur.execute(
        """
        INSERT INTO inventory_storehouse (id, depot_id, code, name, kind, is_active)
        SELECT %(sh0)s + d * %(shs)s + i, %(depot0)s + d, 'SH' || lpad((i + 1)::text, 2, '0'),
               'Storehouse ' || (i + 1), 'earth_covered_magazine', true
        FROM generate_series(0, %(depots)s - 1) AS d CROSS JOIN generate_series(0, %(shs)s - 1) i
        """,
        params,
    )
    # Groups of two interchangeable types: types 0-1, 50-51, 100-101, ...
    cur.execute(
        """
        INSERT INTO surplus_interchangeablegroup (id, code, name)
        SELECT g + 1, 'GRP-' || g, 'Bench group ' || g
        FROM generate_series(0, %(types)s / 50 - 1) AS g
        """,
        params,
    )
    cur.execute(
        """
        INSERT INTO surplus_groupmember (group_id, ammunition_type_id)
        SELECT g + 1, %(type0)s + g * 50 + i
        FROM generate_series(0, %(types)s / 50 - 1) AS g CROSS JOIN generate_series(0, 1) AS i
        """,
        params,
    )
    # Requirements for 60 % of the subjects: one version a year ago, a newer one for some.
    cur.execute(
        f"""
        INSERT INTO surplus_requirement (ammunition_type_id, group_id, version, effective_from,
            operational, training_per_year, training_years, testing, contingency,
            approval_reference, note, set_by_id, set_at)
        SELECT CASE WHEN m.id IS NULL THEN %(type0)s + t END, m.group_id, v,
               %(today)s::date - 365 + (v - 1) * 200, 20000 + {_r(2, "t")} * 40,
               {_r(3, "t")} * 20, 2, 500, 1000, 'BENCH/' || t || '/' || v, '', %(user)s, now()
        FROM generate_series(0, %(types)s - 1) AS t
        LEFT JOIN surplus_groupmember m ON m.ammunition_type_id = %(type0)s + t
        CROSS JOIN generate_series(1, 2) AS v
        WHERE {_r(4, "t")} < 600 AND (v = 1 OR {_r(5, "t")} < 300)
          AND (m.id IS NULL OR m.ammunition_type_id = %(type0)s + t - t %% 50)
        """,
        params,
    )
    cur.execute(
        """
        INSERT INTO surveillance_ban (kind, ammunition_type_id, reason, reference,
            permitted_recipient_kinds, imposed_by_id, imposed_at, lift_reason,
            disposal_recommended)
        VALUES ('ban', %(type0)s + 7, 'Bench ban', 'B-1', '[]', %(user)s, now(), '', true)
        """,
        params,
    )
    conn.commit()
    return World(depot0=depot0, sh0=sh0, type0=type0, user=user)


def add_lots(conn, world: World, sizes: Sizes, count: int) -> None:
    cur = conn.cursor()
    superuser = cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if superuser.fetchone()[0]:
        cur.execute("SET LOCAL session_replication_role = replica")
    first = reserve_ids(cur, "inventory_lot", count)
    params = {
        "first": first,
        "last": first + count - 1,
        "type0": world.type0,
        "types": sizes.types,
        "depot0": world.depot0,
        "depots": sizes.depots,
        "sh0": world.sh0,
        "shs": sizes.storehouses,
        "today": date.today(),
        "user": world.user,
    }
    cur.execute(
        f"""
        INSERT INTO inventory_lot (id, ammunition_type_id, manufacturer, lot_number,
            country_of_manufacture, manufactured_on, batch, expires_on, expiry_overridden,
            condition, identity_lost, created_at)
        SELECT k, %(type0)s + (k * 7) %% %(types)s, 'Maker ' || (k %% 7),
               'SP' || lpad(k::text, 9, '0'), 'XX', date '2015-01-01', '',
               CASE WHEN {_r(2)} < 50 THEN NULL
                    ELSE %(today)s::date - 30 + ({_r(3)} * 3.65)::int END,
               false,
               CASE WHEN {_r(4)} < 30 THEN 'B' WHEN {_r(4)} < 60 THEN 'D'
                    WHEN {_r(4)} < 80 THEN 'F' WHEN {_r(4)} < 130 THEN 'H'
                    WHEN {_r(4)} < 150 THEN 'E' ELSE 'A' END,
               false, now()
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS k
        """,
        params,
    )
    cur.execute(
        f"""
        INSERT INTO inventory_balance (lot_id, storehouse_id, depot_id, quantity)
        SELECT k, %(sh0)s + x.d * %(shs)s + ((k / %(depots)s) %% %(shs)s), %(depot0)s + x.d,
               100 + (k %% 5000)
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS k
        CROSS JOIN LATERAL (SELECT (k %% %(depots)s)::int AS d) x
        UNION ALL
        SELECT k, %(sh0)s + x.d * %(shs)s, %(depot0)s + x.d, 50
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS k
        CROSS JOIN LATERAL (SELECT ((k + 1) %% %(depots)s)::int AS d) x
        WHERE {_r(9)} < 30 AND %(depots)s > 1
        """,
        params,
    )
    cur.execute(
        f"""
        INSERT INTO surveillance_ban (kind, lot_id, reason, reference, permitted_recipient_kinds,
            imposed_by_id, imposed_at, lift_reason, disposal_recommended)
        SELECT 'ban', k, 'Bench lot ban', 'LB-' || k, '[]', %(user)s, now(), '', true
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS k WHERE {_r(11)} < 5
        """,
        params,
    )
    conn.commit()
    world.lots += count


def add_lines(conn, world: World, sizes: Sizes, count: int) -> None:
    """Posted receipt documents of ten lines each over the lots generated so far (filler: the
    computation never reads them, but they are in the tables and indexes it shares)."""
    cur = conn.cursor()
    done = 0
    while done < count:
        n = min(sizes.line_batch, count - done)
        docs = (n + 9) // 10
        superuser = cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if superuser.fetchone()[0]:
            cur.execute("SET LOCAL session_replication_role = replica")
        doc0 = reserve_ids(cur, "inventory_document", docs)
        line0 = reserve_ids(cur, "inventory_ledgerline", n)
        params = {
            "doc0": doc0,
            "docs": docs,
            "line0": line0,
            "n": n,
            "depot0": world.depot0,
            "depots": sizes.depots,
            "sh0": world.sh0,
            "shs": sizes.storehouses,
            "user": world.user,
            "lots": max(1, world.lots),
        }
        cur.execute(
            """
            INSERT INTO inventory_document (id, depot_id, kind, number, status, occurred_on,
                posted_at, posted_by_id, reference, counterparty, purpose, reason, note)
            SELECT %(doc0)s + i, %(depot0)s + i %% %(depots)s, 'receipt',
                   'FILL-' || (%(doc0)s + i), 'posted', date '2020-01-01' + (i %% 2000),
                   now(), %(user)s, '', 'Filler', '', '', ''
            FROM generate_series(0, %(docs)s - 1) AS i
            """,
            params,
        )
        cur.execute(
            """
            INSERT INTO inventory_ledgerline (id, document_id, depot_id, lot_id, storehouse_id,
                quantity, balance_after, occurred_on, posted_at, prev_hash, hash)
            SELECT %(line0)s + j, %(doc0)s + j / 10, %(depot0)s + (j / 10) %% %(depots)s,
                   (SELECT min(id) FROM inventory_lot) + j %% %(lots)s,
                   %(sh0)s + ((j / 10) %% %(depots)s) * %(shs)s, 1, 1,
                   date '2020-01-01' + ((j / 10) %% 2000), now(), repeat('0', 64),
                   md5('fill' || (%(line0)s + j)) || md5((%(line0)s + j) || 'fill')
            FROM generate_series(0, %(n)s - 1) AS j
            """,
            params,
        )
        conn.commit()
        done += n


def analyze(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "VACUUM (ANALYZE) inventory_lot, inventory_balance, inventory_document, "
            "inventory_ledgerline, surveillance_ban, surplus_requirement, surplus_groupmember"
        )


# --- Measuring ----------------------------------------------------------------------------------

BASELINE_SQL = """
SELECT lot.ammunition_type_id, cc.availability,
       sum(b.quantity), sum(b.quantity * coalesce(lot.neq_per_unit_kg, t.neq_per_unit_kg))
FROM inventory_balance b
JOIN inventory_lot lot ON lot.id = b.lot_id
JOIN inventory_ammunitiontype t ON t.id = lot.ammunition_type_id
JOIN inventory_conditioncode cc ON cc.code = lot.condition
WHERE b.quantity > 0
GROUP BY lot.ammunition_type_id, cc.availability
"""


@dataclass
class Timing:
    seconds: float
    queries: int
    rows: int = 0


@dataclass
class Point:
    lots: int
    balance_rows: int
    ledger_lines: int
    national: Timing | None = None
    reference: Timing | None = None
    one_depot: Timing | None = None
    one_type_lots: Timing | None = None
    snapshot: Timing | None = None
    dashboard: Timing | None = None
    baseline: Timing | None = None
    ratio: float = 0.0
    reference_ratio: float = 0.0


@dataclass
class Report:
    sizes: dict
    server: str = ""
    cpus: int = 1
    points: list[Point] = field(default_factory=list)


def timed(function, runs: int) -> Timing:
    """Median time of `runs` calls, and the SQL statements of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, rows = [], 0, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - started)
        queries = len(captured)
        rows = len(result) if hasattr(result, "__len__") else 0
    return Timing(seconds=round(statistics.median(times), 3), queries=queries, rows=rows)


def measure(point: Point, world: World, sizes: Sizes, officer) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from surplus import computation, services
    from surplus.models import SurplusSnapshot
    from surplus.policy import surplus_policy

    today = timezone.localdate()
    policy = surplus_policy()
    point.national = timed(
        lambda: computation.surplus_by_depot(today=today, policy=policy), sizes.runs
    )
    point.reference = timed(
        lambda: computation.surplus_by_depot_reference(today=today, policy=policy), sizes.runs
    )
    point.one_depot = timed(
        lambda: computation.surplus_by_depot(
            today=today, policy=policy, depot_ids=[world.depot0 + 1]
        ),
        sizes.runs,
    )
    point.one_type_lots = timed(
        lambda: computation.surplus_lots(today=today, policy=policy, sk=world.type0 + 3),
        sizes.runs,
    )

    def snapshot():
        taken = SurplusSnapshot.objects.create(taken_on=today)
        services.snapshot_take(taken)
        return [taken]

    point.snapshot = timed(snapshot, 1)

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL)
            return cursor.fetchall()

    point.baseline = timed(baseline, sizes.runs)
    point.ratio = round(point.national.seconds / max(point.baseline.seconds, 1e-6), 1)
    point.reference_ratio = round(point.reference.seconds / max(point.baseline.seconds, 1e-6), 1)
    client = Client()
    client.force_login(officer)
    # Production settings want collected static files (a manifest); the page is timed without.
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN_STATIC}}
    plain_static = override_settings(STORAGES=storages)
    plain_static.enable()
    client.get("/surplus/")  # warm the templates

    def page():
        response = client.get("/surplus/")
        assert response.status_code == 200, response.status_code
        return []

    timer = SqlTimer()
    try:
        with connection.execute_wrapper(timer):
            point.dashboard = timed(page, sizes.runs)
    finally:
        plain_static.disable()


def show(point: Point) -> None:
    def line(label, t: Timing):
        say(f"    {label}: {t.seconds:.3f} s, {t.queries} SQL statement(s)"
            f"{f', {t.rows:,} rows' if t.rows else ''}")  # fmt: skip

    line("national surplus (every type x depot)", point.national)
    line("national, the reference statement (every item windowed)", point.reference)
    line("one depot", point.one_depot)
    line("one type's lots", point.one_type_lots)
    line("snapshot (compute and store)", point.snapshot)
    line("dashboard page /surplus/", point.dashboard)
    line("baseline: hand-written holdings aggregate", point.baseline)
    say(f"    ratio national / baseline: {point.ratio}x (goal 2x; the reference statement: "
        f"{point.reference_ratio}x)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    sizes, args = parse_args(argv)
    report = Report(sizes=asdict(sizes), cpus=os.cpu_count() or 1)
    say(f"Surplus benchmark: {sizes.small:,} then {sizes.lots:,} lots, {sizes.lines:,} ledger "
        f"lines, {sizes.depots} depots{' (smoke sizes)' if args.smoke else ''}")  # fmt: skip
    with common.BenchDatabase(args.database, drop=args.drop) as bench:
        run(sizes, bench.url, report, args)
    common.write_json(args.json, report)
    return 0


def run(sizes: Sizes, url: str, report: Report, args) -> None:
    from accounts.services import user_upsert
    from core.roles import Role

    officer = user_upsert(
        username="bench_officer",
        password=secrets.token_urlsafe(24),
        roles=[Role.OFFICER],
        vetting=("security", date.today() + timedelta(days=365), "BENCH"),
    )
    with psycopg.connect(url) as conn:
        report.server = conn.execute("SHOW server_version").fetchone()[0]
        say(f"PostgreSQL {report.server}, database {args.database}; {report.cpus} CPUs")
        world = create_world(conn, sizes, officer.pk)
        lines_added = 0
        for target in (sizes.small, sizes.lots):
            if target <= world.lots:
                continue
            started = time.perf_counter()
            while world.lots < target:
                add_lots(conn, world, sizes, min(sizes.batch, target - world.lots))
            if not lines_added:
                add_lines(conn, world, sizes, sizes.lines)
                lines_added = sizes.lines
            analyze(url)
            rows = conn.execute("SELECT count(*) FROM inventory_balance").fetchone()[0]
            conn.commit()
            say(f"  {world.lots:,} lots ({rows:,} balance rows), {lines_added:,} ledger lines; "
                f"generated in {time.perf_counter() - started:.1f} s")  # fmt: skip
            point = Point(lots=world.lots, balance_rows=rows, ledger_lines=lines_added)
            measure(point, world, sizes, officer)
            show(point)
            report.points.append(point)
    if len(report.points) == 2:
        small, large = report.points
        say()
        say(f"Summary: national surplus {small.national.seconds:.3f} s at {small.lots:,} lots, "
            f"{large.national.seconds:.3f} s at {large.lots:,} "
            f"({large.national.seconds / max(small.national.seconds, 1e-9):.1f}x for "
            f"{large.lots / small.lots:.0f}x the lots); SQL statements "
            f"{small.national.queries} and {large.national.queries}; dashboard "
            f"{small.dashboard.queries} and {large.dashboard.queries} statements.")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
