"""Surveillance sweep benchmark (issue 4, DESIGN.md §8 and §12): one command, on PostgreSQL.

    python -m bench.surveillance                 # 10,000 lots, then 1,000,000 lots
    python -m bench.surveillance --lots 200000   # 10,000 lots, then 200,000 (national scale)
    python -m bench.surveillance --smoke         # tiny sizes, seconds (CI)

Like bench/ledger.py it never touches development or test data: it (re)creates its own database,
`stockpile_bench_surveillance` by default, on the PostgreSQL server the settings name
(DATABASE_URL, or the embedded server of a first run), migrates it, and runs Django against it
with production settings (DEBUG off).

1. Lots are generated with set-based SQL (INSERT ... SELECT generate_series) across 100 depots of
   5 licensed storehouses, 500 types of which 40 % carry propellant. Each lot is held in one
   storehouse (3 % in a second depot too, 10 % emptied to a zero balance), with a surveillance
   row and, for propellant lots, its last stability test. A fixed share of lots is due: 2 % of
   tested propellant lots overdue for their next test, 1 % of propellant lots never tested (most
   of them past their first test), 4 % overdue for inspection, 0.1 % of propellant lots unstable,
   1 % expiring within the horizon and 0.5 % expired; 2 % are restricted (B), 1 % suspended (D),
   1 % condemned (H). Balances are written directly, without ledger lines: the sweep reads
   balances, never lines (the ledger benchmark measures those).
2. The sweep (alerts.sweep.surveillance_sweep: the J-suspension step, then every detector of the
   daily sweep) is timed and its SQL statements counted twice at each size: the first run
   works off the whole backlog (raises every alert, suspends every overdue lot: one
   condition-change document per lot and depot holding it), the second is a daily run where
   nothing changed (every alert refreshed, nothing suspended). The time of each step and
   detector, and of syncing its alerts, is printed.
3. The sizes: 10 thousand lots, then the same database grown to 1 million (`--lots`). The lots
   of the first size have been swept already when the second is measured.

Nothing is asserted: timings depend on the machine, and the figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import psycopg

from bench import common
from bench.common import SqlTimer, say
from bench.ledger import reserve_ids

DEFAULT_DATABASE = "stockpile_bench_surveillance"


@dataclass
class Sizes:
    small: int = 10_000  # lots at the first measuring point
    lots: int = 1_000_000  # lots at the second
    depots: int = 100
    storehouses: int = 5  # per depot
    types: int = 500
    batch: int = 250_000  # lots generated per transaction

    @classmethod
    def smoke(cls) -> Sizes:
        return cls(small=200, lots=2_000, depots=4, storehouses=3, types=20, batch=1_000)


def parse_args(argv: list[str] | None) -> tuple[Sizes, argparse.Namespace]:
    parser = argparse.ArgumentParser(
        prog="python -m bench.surveillance",
        description="Surveillance sweep benchmark: sweep time and SQL statements at 10 thousand "
        "and 1 million lots (issue 4, DESIGN.md §12).",
    )
    defaults = Sizes()
    parser.add_argument("--lots", type=int, help=f"lots at the large size ({defaults.lots:,})")
    parser.add_argument("--small", type=int, help=f"lots at the small size ({defaults.small:,})")
    parser.add_argument("--depots", type=int, help=f"depots ({defaults.depots})")
    common.add_arguments(parser, DEFAULT_DATABASE)
    args = parser.parse_args(argv)
    sizes = Sizes.smoke() if args.smoke else Sizes()
    common.apply_sizes(parser, args, sizes, ("lots", "small", "depots"))
    sizes.small = min(sizes.small, sizes.lots)
    if sizes.small < sizes.depots:
        parser.error("there must be at least one lot per depot")
    common.check_arguments(parser, args)
    return sizes, args


# --- Generating the stockpile with set-based SQL ------------------------------------------------


@dataclass
class World:
    depot0: int
    sh0: int
    type0: int
    tester: int
    lots: int = 0  # lots generated so far
    lot0: int = 0  # the first lot's id


def create_world(conn, sizes: Sizes, tester: int) -> World:
    """Depots with licensed storehouses (no NEQ limit), counters and chain heads; types."""
    cur = conn.cursor()
    type0 = reserve_ids(cur, "inventory_ammunitiontype", sizes.types)
    cur.execute(
        """
        INSERT INTO inventory_ammunitiontype (id, code, name, category, calibre, hazard_division,
            compatibility_group, neq_per_unit_kg, unit, packaging, shelf_life_months,
            contains_propellant, shaped_charge, high_energy_propellant, obsolete)
        SELECT %(first)s + t, 'SV-' || lpad(t::text, 4, '0'), 'Surveillance type ' || t, 'other',
               '', CASE WHEN t %% 5 < 2 THEN '1.3' ELSE '1.4' END,
               CASE WHEN t %% 5 < 2 THEN 'C' ELSE 'S' END, 0.5, 'round', '', 300,
               t %% 5 < 2, false, false, false
        FROM generate_series(0, %(types)s - 1) AS t
        """,
        {"first": type0, "types": sizes.types},
    )
    depot0 = reserve_ids(cur, "inventory_depot", sizes.depots)
    sh0 = reserve_ids(cur, "inventory_storehouse", sizes.depots * sizes.storehouses)
    params = {
        "depot0": depot0,
        "depots": sizes.depots,
        "sh0": sh0,
        "shs": sizes.storehouses,
        "year": date.today().year,
    }
    cur.execute(
        """
        INSERT INTO inventory_depot (id, code, name, region, created_at)
        SELECT %(depot0)s + d, 'S' || lpad((d + 1)::text, 3, '0'), 'Bench depot ' || (d + 1),
               'Region ' || (d %% 5), now()
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
    cur.execute(
        """
        INSERT INTO inventory_licence (storehouse_id, number, issuing_authority, valid_from,
            valid_until)
        SELECT id, 'SL-' || id, 'Benchmark authority', date '2000-01-01', date '2099-12-31'
        FROM inventory_storehouse WHERE id >= %(sh0)s
        """,
        params,
    )
    cur.execute(
        """
        INSERT INTO inventory_licencelimit (licence_id, hazard_division, max_neq_kg)
        SELECT l.id, division, NULL
        FROM inventory_licence l
        CROSS JOIN unnest(ARRAY['1.1', '1.2.1', '1.2.2', '1.3', '1.4']) AS division
        WHERE l.storehouse_id >= %(sh0)s
        """,
        params,
    )
    # Each depot has posted documents this year already; its chain head exists.
    cur.execute(
        """
        INSERT INTO inventory_documentcounter (depot_id, year, last_number)
        SELECT %(depot0)s + d, %(year)s, 1000 FROM generate_series(0, %(depots)s - 1) AS d
        """,
        params,
    )
    cur.execute(
        """
        INSERT INTO inventory_chainhead (depot_id, last_hash, line_count)
        SELECT %(depot0)s + d, repeat('0', 64), 0 FROM generate_series(0, %(depots)s - 1) AS d
        """,
        params,
    )
    conn.commit()
    return World(depot0=depot0, sh0=sh0, type0=type0, tester=tester)


def _r(salt: int, k: str = "k") -> str:
    """A pseudo-random draw in 0..999 from a lot's id: each decision draws with its own salt, so
    the shares of the module's docstring do not depend on each other (or on the type)."""
    return f"mod(abs(hashint8({k} * 31 + {salt})), 1000)"


def add_lots(conn, world: World, sizes: Sizes, count: int) -> None:
    """`count` more lots, with balances, surveillance rows and last stability tests; the patterns
    that make a lot due depend on its id (see the module's docstring for the shares)."""
    cur = conn.cursor()
    superuser = cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if superuser.fetchone()[0]:
        # Skip the deferred foreign-key checks of a bulk load: the rows are correct by
        # construction.
        cur.execute("SET LOCAL session_replication_role = replica")
    first = reserve_ids(cur, "inventory_lot", count)
    if not world.lot0:
        world.lot0 = first
    today = date.today()
    params = {
        "first": first,
        "last": first + count - 1,
        "type0": world.type0,
        "types": sizes.types,
        "depot0": world.depot0,
        "depots": sizes.depots,
        "sh0": world.sh0,
        "shs": sizes.storehouses,
        "today": today,
        "tester": world.tester,
    }
    cur.execute(
        f"""
        INSERT INTO inventory_lot (id, ammunition_type_id, manufacturer, lot_number,
            country_of_manufacture, manufactured_on, batch, expires_on, expiry_overridden,
            condition, identity_lost, created_at)
        SELECT k, %(type0)s + (k * 7) %% %(types)s, 'Maker ' || (k %% 7),
               'SV' || lpad(k::text, 9, '0'), 'XX',
               date '2008-01-01' + ({_r(1)} * 6)::int, '',
               CASE WHEN {_r(2)} < 10 THEN %(today)s::date + 90
                    WHEN {_r(2)} < 15 THEN %(today)s::date - 30
                    ELSE date '2032-01-01' + ({_r(2)} * 3)::int END,
               false,
               CASE WHEN {_r(3)} < 20 THEN 'B' WHEN {_r(3)} < 30 THEN 'D'
                    WHEN {_r(3)} < 40 THEN 'H' ELSE 'A' END,
               false,
               now() - make_interval(days => CASE WHEN {_r(5)} >= 700 AND {_r(6)} < 60 THEN 400
                                                  ELSE ({_r(4)} %% 300)::int END)
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS k
        """,
        params,
    )
    # Held in one storehouse of its depot; 3 % also in the next depot; 10 % emptied.
    cur.execute(
        f"""
        INSERT INTO inventory_balance (lot_id, storehouse_id, depot_id, quantity)
        SELECT k, %(sh0)s + x.d * %(shs)s + ((k / %(depots)s) %% %(shs)s), %(depot0)s + x.d,
               CASE WHEN {_r(10)} < 100 THEN 0 ELSE 100 + (k %% 1000) END
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS k
        CROSS JOIN LATERAL (SELECT (k %% %(depots)s)::int AS d) x
        UNION ALL
        SELECT k, %(sh0)s + x.d * %(shs)s + ((k / %(depots)s) %% %(shs)s), %(depot0)s + x.d, 10
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS k
        CROSS JOIN LATERAL (SELECT ((k + 1) %% %(depots)s)::int AS d) x
        WHERE {_r(9)} < 30 AND %(depots)s > 1
        """,
        params,
    )
    # 70 % of lots inspected (3 % of them overdue); propellant lots tested, except 1 % never
    # tested; 2 % of the tested overdue for the next test, 0.1 % unstable.
    cur.execute(
        f"""
        INSERT INTO surveillance_lotsurveillance (lot_id, last_inspected_on, next_inspection_due,
            last_stability_test_on, last_stability_category, next_stability_test_due)
        SELECT l.id,
               CASE WHEN f.inspected THEN %(today)s::date - ({_r(4, "l.id")} %% 300)::int END,
               CASE WHEN NOT f.inspected THEN NULL
                    WHEN {_r(6, "l.id")} < 30 THEN %(today)s::date - 10
                    ELSE %(today)s::date - ({_r(4, "l.id")} %% 300)::int + 365 END,
               CASE WHEN f.tested THEN %(today)s::date - {_r(11, "l.id")}::int END,
               CASE WHEN NOT f.tested THEN '' WHEN f.unstable THEN 'unstable' ELSE 'stable' END,
               CASE WHEN NOT f.tested OR f.unstable THEN NULL
                    WHEN {_r(8, "l.id")} < 21 THEN %(today)s::date - 5
                    ELSE %(today)s::date - {_r(11, "l.id")}::int + 1825 END
        FROM inventory_lot l
        JOIN inventory_ammunitiontype t ON t.id = l.ammunition_type_id
        CROSS JOIN LATERAL (
            SELECT {_r(5, "l.id")} < 700 AS inspected,
                   t.contains_propellant AND {_r(7, "l.id")} >= 10 AS tested,
                   {_r(8, "l.id")} < 1 AS unstable
        ) f
        WHERE l.id BETWEEN %(first)s AND %(last)s AND (f.inspected OR t.contains_propellant)
        """,
        params,
    )
    cur.execute(
        """
        INSERT INTO surveillance_stabilitytest (lot_id, depot_id, sampled_on, laboratory, method,
            stabiliser, initial_content_pct, measured_content_pct, passed, remaining_pct,
            category, action, resulting_condition, next_test_due, dispose_by, tested_by_id, note,
            recorded_at)
        SELECT s.lot_id, %(depot0)s + (s.lot_id %% %(depots)s)::int, s.last_stability_test_on,
               'Bench laboratory', 'hplc', 'DPA', 1.000,
               CASE WHEN s.last_stability_category = 'unstable' THEN 0.100 ELSE 0.800 END, NULL,
               CASE WHEN s.last_stability_category = 'unstable' THEN 10 ELSE 80 END,
               s.last_stability_category,
               CASE WHEN s.last_stability_category = 'unstable' THEN 'condemn' ELSE 'none' END,
               CASE WHEN s.last_stability_category = 'unstable' THEN 'H' ELSE '' END,
               s.next_stability_test_due,
               CASE WHEN s.last_stability_category = 'unstable'
                    THEN s.last_stability_test_on + 90 END,
               %(tester)s, '', now()
        FROM surveillance_lotsurveillance s
        WHERE s.lot_id BETWEEN %(first)s AND %(last)s AND s.last_stability_test_on IS NOT NULL
        """,
        params,
    )
    conn.commit()
    world.lots += count


def analyze(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "VACUUM (ANALYZE) inventory_lot, inventory_balance, inventory_document, "
            "surveillance_lotsurveillance, surveillance_stabilitytest, "
            "surveillance_conditionchange, alerts_alert, inventory_documentcounter"
        )


def grow(conn, url: str, world: World, sizes: Sizes, to_lots: int) -> float:
    started = time.perf_counter()
    while world.lots < to_lots:
        add_lots(conn, world, sizes, min(sizes.batch, to_lots - world.lots))
    analyze(url)
    return time.perf_counter() - started


# --- Measuring ----------------------------------------------------------------------------------


@dataclass
class SweepRun:
    seconds: float
    sql_seconds: float
    queries: int
    parts: dict[str, float]  # seconds per step, detector and alert sync
    counts: dict[str, int]
    alerts_written: int = 0  # alert rows inserted or rewritten (a new tuple: xmin or ctid moved)


@dataclass
class Point:
    lots: int
    held_lots: int
    balance_rows: int
    generation_seconds: float
    first: SweepRun | None = None
    daily: SweepRun | None = None


@dataclass
class Report:
    sizes: dict
    server: str = ""
    cpus: int = 1
    points: list[Point] = field(default_factory=list)


def timed_sweep() -> SweepRun:
    """One surveillance sweep, with the time of each part (steps, detectors, alert syncs)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alerts import sweep

    parts: dict[str, float] = defaultdict(float)

    def timing(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                parts[name] += time.perf_counter() - started

        return wrapper

    def alert_tuples() -> dict[int, tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, xmin::text, ctid::text FROM alerts_alert")
            return {pk: (xmin, ctid) for pk, xmin, ctid in cursor.fetchall()}

    before = alert_tuples()
    detectors = sweep.registered_detectors()
    steps = sweep.registered_steps()
    saved = (dict(sweep._DETECTORS), dict(sweep._STEPS), sweep.alerts_sync)
    try:
        for kind, registered in detectors.items():
            sweep._DETECTORS[kind] = sweep.Registered(
                registered.kind, timing(f"detect {kind}", registered.function), registered.in_sweep
            )
        for name, step in steps.items():
            sweep._STEPS[name] = timing(f"step {name}", step)

        def sync(*, kind, **kwargs):
            started = time.perf_counter()
            try:
                return saved[2](kind=kind, **kwargs)
            finally:
                parts[f"sync {kind}"] += time.perf_counter() - started

        sweep.alerts_sync = sync
        timer = SqlTimer()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
            started = time.perf_counter()
            counts = sweep.surveillance_sweep()
            seconds = time.perf_counter() - started
    finally:
        sweep._DETECTORS.clear()
        sweep._DETECTORS.update(saved[0])
        sweep._STEPS.clear()
        sweep._STEPS.update(saved[1])
        sweep.alerts_sync = saved[2]
    after = alert_tuples()
    return SweepRun(
        alerts_written=sum(1 for pk, row in after.items() if before.get(pk) != row),
        seconds=round(seconds, 3),
        sql_seconds=round(timer.seconds, 3),
        queries=len(captured),
        parts={name: round(value, 3) for name, value in sorted(parts.items())},
        counts=counts,
    )


def show(label: str, run: SweepRun) -> None:
    touched = {k: v for k, v in run.counts.items() if v and not k.endswith(".refreshed")}
    refreshed = sum(v for k, v in run.counts.items() if k.endswith(".refreshed"))
    say(f"    {label}: {run.seconds:.2f} s ({run.sql_seconds:.2f} s in SQL), "
        f"{run.queries} SQL statements; {refreshed:,} alerts refreshed, "
        f"{run.alerts_written:,} alert rows written")  # fmt: skip
    for key, value in sorted(touched.items()):
        say(f"      {key}: {value:,}")
    slow = sorted(run.parts.items(), key=lambda item: -item[1])[:6]
    say("      slowest parts: " + ", ".join(f"{name} {value:.2f} s" for name, value in slow))


def main(argv: list[str] | None = None) -> int:
    sizes, args = parse_args(argv)
    report = Report(sizes=asdict(sizes), cpus=os.cpu_count() or 1)
    say(f"Surveillance sweep benchmark: {sizes.small:,} then {sizes.lots:,} lots, "
        f"{sizes.depots} depots{' (smoke sizes)' if args.smoke else ''}")  # fmt: skip
    with common.BenchDatabase(args.database, drop=args.drop) as bench:
        run(sizes, args, bench.url, report)
    common.write_json(args.json, report)
    return 0


def run(sizes: Sizes, args, url: str, report: Report) -> None:
    from accounts.services import system_user, user_upsert
    from core.roles import Role

    tester = user_upsert(
        username="bench_inspector",
        password=secrets.token_urlsafe(24),
        roles=[Role.INSPECTOR],
        vetting=("security", date.today() + timedelta(days=365), "BENCH"),
    )
    system_user()
    with psycopg.connect(url) as conn:
        report.server = conn.execute("SHOW server_version").fetchone()[0]
        say(f"PostgreSQL {report.server}, database {args.database}; {report.cpus} CPUs")
        world = create_world(conn, sizes, tester.pk)
        for target in (sizes.small, sizes.lots):
            if target <= world.lots:
                continue
            seconds = grow(conn, url, world, sizes, target)
            held, rows = conn.execute(
                "SELECT count(DISTINCT lot_id) FILTER (WHERE quantity > 0), count(*) "
                "FROM inventory_balance"
            ).fetchone()
            conn.commit()  # no transaction left open while the sweep runs
            point = Point(
                lots=world.lots,
                held_lots=held,
                balance_rows=rows,
                generation_seconds=round(seconds, 1),
            )
            say(f"  {world.lots:,} lots ({held:,} held, {rows:,} balance rows), generated in "
                f"{seconds:.1f} s")  # fmt: skip
            point.first = timed_sweep()
            show("first sweep (the backlog)", point.first)
            analyze(url)  # as autovacuum would, between one day's run and the next
            point.daily = timed_sweep()
            show("daily sweep (nothing new)", point.daily)
            report.points.append(point)
    summary(report)


def summary(report: Report) -> None:
    if len(report.points) < 2:
        return
    small, large = report.points[0], report.points[-1]
    say()
    say("Summary (DESIGN.md §12: nightly jobs are set-based):")
    for label in ("first", "daily"):
        a, b = getattr(small, label), getattr(large, label)
        same = (
            "the same"
            if a.queries == b.queries
            else "different: a kind with no subject at one size skips its upsert"
        )
        say(f"  {label} sweep: {a.seconds:.2f} s at {small.lots:,} lots, {b.seconds:.2f} s at "
            f"{large.lots:,} ({b.seconds / max(a.seconds, 1e-9):.0f}x for "
            f"{large.lots / small.lots:.0f}x the lots); SQL statements {a.queries} and "
            f"{b.queries}: {same}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
