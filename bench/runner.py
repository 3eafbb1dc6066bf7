"""`python -m bench` (`make bench`): every benchmark, then one table against issue 20's goals.

    make bench                                    # every benchmark at its default size
    .venv/bin/python -m bench --smoke --drop      # tiny sizes, a few minutes (CI)
    .venv/bin/python -m bench --only documents    # one benchmark (repeat --only for more)
    .venv/bin/python -m bench --json var/bench.json --lines 10000000

Each benchmark runs in its own process and its own database, as `python -m bench.NAME` would
(bench/common.py), with `--json` into a temporary file; the runner reads those figures and prints
one row per goal: the work, the size measured, the figure, the goal, PASS or FAIL, and the ratio
to the baseline measured in the same run. A goal that names a size (1 s at 200,000 lots, 10 s
daily at 1 million lots ...) is judged only at that size or above: at a smaller one the verdict
is printed in parentheses, "(PASS)" or "(FAIL)". Nothing is asserted: the exit status is 0 unless
a benchmark itself failed (ERROR rows).

The databases are copied from one migrated template, `<prefix>_template`, made (or brought up to
date) first and kept for the next run: migrating from scratch is the slowest part of a smoke run.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.common import BASE_DIR, TEMPLATE_VARIABLE, Row, say


@dataclass
class Bench:
    name: str
    module: str
    suffix: str  # database: <prefix><suffix>
    rows: Callable[[object], list[Row]]
    keys: tuple[str, ...]  # the rows it yields, whatever its figures


# --- Judging ------------------------------------------------------------------------------------


def verdict(ok: bool, size: float = 1, goal_size: float = 0) -> str:
    """PASS/FAIL; in parentheses when the run's size is below the size the goal names."""
    word = "PASS" if ok else "FAIL"
    return word if size >= goal_size else f"({word})"


def _fmt(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def ledger_rows(data: dict) -> list[Row]:
    rates, lines = data["rates"], data.get("lines_total", 0)
    size = f"{lines:,} lines"
    rows = []
    for key, layer, figure, baseline, goal in (
        ("http_clients", "HTTP API issue posting, 8 clients", "http_clients", "raw_threads", 0.25),
        ("service_threads", "service layer posting, 8 threads", "service_threads",
         "raw_threads", 0.5),
        ("service_sequential", "service layer posting, sequential", "service_sequential",
         "raw_sequential", 0.5),
    ):  # fmt: skip
        ratio = rates[figure] / rates[baseline] if rates[baseline] else 0.0
        rows.append(
            Row(
                work=layer,
                size=size,
                figure=f"{rates[figure]:,.1f} postings/s",
                goal=f"≥ {goal} of raw SQL",
                status=verdict(ratio >= goal),
                baseline=f"{ratio:.3f} of raw SQL ({rates[baseline]:,.0f}/s)",
                value=round(ratio, 4),
                key=f"ledger.{key}",
            )
        )
    small, full = data["latency"]["small"], data["latency"]["full"]
    for key, label in (("stock_list", "stock list"), ("stock_card_hot_lot", "stock card")):
        growth = full[key]["p95_ms"] / max(small[key]["p95_ms"], 1e-9)
        fixed = full[key]["queries"] == small[key]["queries"]
        rows.append(
            Row(
                work=f"{label}, p95 (GET, in process)",
                size=size,
                figure=f"{full[key]['p95_ms']:.1f} ms, {full[key]['queries']} queries",
                goal="≤ 1.5× at 10 M lines, fixed queries",
                status=verdict(growth <= 1.5 and fixed, lines, 10_000_000),
                baseline=f"{growth:.2f}× the p95 at {small['lines']:,} lines "
                f"({small[key]['p95_ms']:.1f} ms, {small[key]['queries']} queries)",
                value=round(growth, 3),
                key=f"ledger.{key}",
            )
        )
    queries = data["queries_per_posting"]
    fixed = queries["small"] == queries["full"]
    rows.append(
        Row(
            work="queries per one-line issue",
            size=size,
            figure=f"service {queries['full']['service']}, HTTP {queries['full']['http']}",
            goal="fixed whatever the ledger size",
            status=verdict(fixed),
            baseline=f"at {small['lines']:,} lines: service {queries['small']['service']}, "
            f"HTTP {queries['small']['http']}",
            key="ledger.queries_per_posting",
        )
    )
    one = data["one_lot"]
    ok = one["lost_updates"] == 0 and one["balance_after"] == one["ledger_sum"]
    rows.append(
        Row(
            work="lost updates, 8 threads on one lot",
            size=f"{one['issues']} issues",
            figure=f"{one['lost_updates']} lost; {data['drift_rows']} balances ≠ ledger sums",
            goal="none; balances = ledger sums",
            status=verdict(ok and data["drift_rows"] == 0),
            key="ledger.lost_updates",
        )
    )
    return rows


def surplus_rows(data: dict) -> list[Row]:
    points = data["points"]
    rows = []
    ratios = [p["ratio"] for p in points]
    largest = points[-1]
    rows.append(
        Row(
            work="national surplus vs holdings aggregate",
            size=" / ".join(f"{p['lots']:,}" for p in points) + " lots",
            figure=" / ".join(_fmt(p["national"]["seconds"]) for p in points),
            goal="≤ 2× the aggregate at every size",
            status=verdict(all(r <= 2 for r in ratios)),
            baseline=" / ".join(f"{p['ratio']}×" for p in points)
            + " the aggregate ("
            + " / ".join(_fmt(p["baseline"]["seconds"]) for p in points)
            + ")",
            value=max(ratios),
            key="surplus.ratio",
        )
    )
    rows.append(
        Row(
            work="national surplus, time",
            size=f"{largest['lots']:,} lots",
            figure=_fmt(largest["national"]["seconds"])
            + f", {largest['national']['queries']} statements",
            goal="≤ 1 s at 200,000 lots",
            status=verdict(largest["national"]["seconds"] <= 1, largest["lots"], 200_000),
            baseline=f"{largest['ratio']}× the aggregate",
            value=largest["national"]["seconds"],
            key="surplus.time",
        )
    )
    rows.append(
        Row(
            work="surplus dashboard page /surplus/",
            size=f"{largest['lots']:,} lots",
            figure=_fmt(largest["dashboard"]["seconds"])
            + f", {largest['dashboard']['queries']} statements",
            goal="≤ 1.5 s at 200,000 lots",
            status=verdict(largest["dashboard"]["seconds"] <= 1.5, largest["lots"], 200_000),
            value=largest["dashboard"]["seconds"],
            key="surplus.dashboard",
        )
    )
    return rows


def verify_rows(data: list) -> list[Row]:
    last = data[-1]
    best = min(last["full_seconds"], last["full_parallel_seconds"])
    cpu = last.get("full_parallel_cpu_seconds")
    rows = [
        Row(
            work="ledger verification, full",
            size=f"{last['lines']:,} lines",
            figure=f"{last['full_seconds_per_million']:.1f} s per M lines ({_fmt(best)})",
            goal="≤ 10 s per million lines",
            status=verdict(last["full_seconds_per_million"] <= 10, last["lines"], 1_000_000),
            baseline=f"1 connection {_fmt(last['full_seconds'])}, {last['workers']} "
            f"{_fmt(last['full_parallel_seconds'])}"
            + (f"; server CPU {cpu:.2f} s" if cpu is not None else ""),
            value=last["full_seconds_per_million"],
            key="verify.full",
        )
    ]
    ok = all(p["incremental_lines"] <= 1.1 * p["day_lines"] + 100 for p in data)
    rows.append(
        Row(
            work="ledger verification, incremental",
            size=" / ".join(f"{p['lines']:,}" for p in data) + " lines",
            figure=" / ".join(
                f"{p['incremental_lines']:,} lines in {_fmt(p['incremental_seconds'])}"
                for p in data
            ),
            goal="grows with the day's lines, not the ledger",
            status=verdict(ok),
            baseline="days of "
            + " / ".join(f"{p['day_lines']:,}" for p in data)
            + " lines; "
            + " / ".join(
                f"{p['incremental_seconds'] / max(p['full_seconds'], 1e-9):.2f}" for p in data
            )
            + " of the full check",
            value=last["incremental_seconds"],
            key="verify.incremental",
        )
    )
    return rows


def statement_rows(data: list) -> list[Row]:
    chosen = next((p for p in data if p["size"] == 10_000), max(data, key=lambda p: p["size"]))
    return [
        Row(
            work="accounting statement PDF",
            size=f"{chosen['lines']:,} lines",
            figure=f"{_fmt(chosen['seconds'])}, {chosen['pages']} pages, {chosen['parts']} parts",
            goal="≤ 15 s at 10,000 lines",
            status=verdict(chosen["seconds"] <= 15, chosen["lines"], 10_000),
            baseline=", ".join(
                f"{p['lines']:,} lines {_fmt(p['seconds'])}" for p in data if p is not chosen
            ),
            value=chosen["seconds"],
            key="statement.pdf",
        )
    ]


def documents_rows(data: dict) -> list[Row]:
    sizes, rates = data["sizes"], data["rates"]
    single = rates.get("single_issue_lines_per_s", 0)
    size = f"{sizes['clients']} clients × {sizes['documents']} docs"
    rows = []
    for kind in ("receipt", "issue"):
        lines = rates[f"{kind}_lines_per_s"]
        refused = data["refused"].get(kind, 0)
        rows.append(
            Row(
                work=f"{sizes['lines']}-line {kind}s, HTTP API",
                size=size,
                figure=f"{lines:,.0f} lines/s" + (f", {refused} refused" if refused else ""),
                goal="≥ 1,000 lines/s with 8 clients",
                status=verdict(lines >= 1_000 and not refused, sizes["clients"], 8),
                baseline=f"{lines / single:.1f}× one-line issues ({single:,.0f} lines/s)"
                if single
                else "",
                value=lines,
                key=f"documents.{kind}_rate",
            )
        )
    for kind in ("receipt", "issue"):
        counts = data["queries"][kind]
        growing = data["growing"].get(kind, [])
        fixed = len(set(counts.values())) == 1
        per_line = [g for g in growing if g.get("50", 0) - g.get("10", 0) >= 40]
        rows.append(
            Row(
                work=f"queries per {kind} document",
                size="1 / 10 / 50 lines",
                figure=" / ".join(str(v) for v in counts.values()),
                goal="fixed whatever the line count",
                status=verdict(fixed),
                baseline=(f"{len(per_line)} statement(s) run once per line; " if per_line else "")
                + (
                    f"CPU in process {cpu[-1]} ms per 50-line document"
                    if (cpu := list(data.get("cpu_ms", {}).get(kind, {}).values()))
                    else ""
                ),
                key=f"documents.{kind}_queries",
            )
        )
    return rows


def sweep_rows(data: dict) -> list[Row]:
    points = data["points"]
    small, largest = points[0], points[-1]
    daily, first = largest["daily"], largest["first"]
    return [
        Row(
            work="surveillance sweep, daily",
            size=f"{largest['lots']:,} lots",
            figure=f"{_fmt(daily['seconds'])}, {daily['queries']} statements",
            goal="≤ 10 s daily at 1,000,000 lots",
            status=verdict(daily["seconds"] <= 10, largest["lots"], 1_000_000),
            baseline=f"first run {_fmt(first['seconds'])}; at {small['lots']:,} lots "
            f"{_fmt(small['daily']['seconds'])}",
            value=daily["seconds"],
            key="sweep.daily",
        ),
        Row(
            work="surveillance sweep, statements",
            size=" / ".join(f"{p['lots']:,}" for p in points) + " lots",
            figure=" / ".join(str(p["daily"]["queries"]) for p in points) + " (daily)",
            goal="fixed whatever the lots",
            status=verdict(len({p["daily"]["queries"] for p in points}) == 1),
            baseline="first runs: " + " / ".join(str(p["first"]["queries"]) for p in points),
            key="sweep.statements",
        ),
    ]


BENCHES = [
    Bench("ledger", "bench.ledger", "", ledger_rows,
          ("ledger.http_clients", "ledger.service_threads", "ledger.service_sequential",
           "ledger.stock_list", "ledger.stock_card_hot_lot", "ledger.queries_per_posting",
           "ledger.lost_updates")),
    Bench("documents", "bench.documents", "_documents", documents_rows,
          ("documents.receipt_rate", "documents.issue_rate", "documents.receipt_queries",
           "documents.issue_queries")),
    Bench("surplus", "bench.surplus", "_surplus", surplus_rows,
          ("surplus.ratio", "surplus.time", "surplus.dashboard")),
    Bench("verify", "bench.verify", "_verify", verify_rows, ("verify.full", "verify.incremental")),
    Bench("statement", "bench.reports", "_reports", statement_rows, ("statement.pdf",)),
    Bench("sweep", "bench.surveillance", "_surveillance", sweep_rows,
          ("sweep.daily", "sweep.statements")),
]  # fmt: skip
NAMES = [b.name for b in BENCHES]


# --- The run ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Every benchmark, then one table of figures against the goals of issue 20.",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: it all runs (CI)")
    parser.add_argument("--json", metavar="PATH", help="write the table and every figure as JSON")
    parser.add_argument(
        "--only",
        action="append",
        choices=NAMES,
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(NAMES)}",
    )
    parser.add_argument("--drop", action="store_true", help="drop each benchmark's database")
    parser.add_argument(
        "--database-prefix",
        default="stockpile_bench",
        help="databases <prefix>, <prefix>_surplus, ... and the template <prefix>_template "
        "(default stockpile_bench; must contain 'bench')",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="show each benchmark's own printout as it runs (else: in its log)",
    )
    parser.add_argument(
        "--log-dir",
        default=str(BASE_DIR / "var" / "bench"),
        help="where each benchmark's printout is kept (default var/bench)",
    )
    sizes = parser.add_argument_group("sizes (default: each benchmark's own, or --smoke's)")
    sizes.add_argument("--lines", type=int, help="ledger benchmark: history lines (1,000,000)")
    sizes.add_argument("--surplus-lots", type=int, help="surplus: lots at the large size (200,000)")
    sizes.add_argument("--sweep-lots", type=int, help="sweep: lots at the large size (1,000,000)")
    sizes.add_argument(
        "--verify-lines",
        type=int,
        action="append",
        help="verification: a size (repeatable; 100,000 and 1,000,000)",
    )
    sizes.add_argument(
        "--statement-lines",
        type=int,
        action="append",
        help="statement PDF: a size (repeatable; 1,000 and 10,000)",
    )
    sizes.add_argument("--documents", type=int, help="documents: per client and kind (10)")
    sizes.add_argument(
        "--args",
        action="append",
        default=[],
        metavar="NAME=OPTIONS",
        help="more options for one benchmark, e.g. --args 'ledger=--rounds 1'",
    )
    args = parser.parse_args(argv)
    if "bench" not in args.database_prefix:
        parser.error("--database-prefix must contain 'bench': the databases are dropped")
    args.extra = {}
    for item in args.args:
        name, _, options = item.partition("=")
        if name not in NAMES:
            parser.error(f"--args: unknown benchmark {name!r} (one of {', '.join(NAMES)})")
        args.extra.setdefault(name, []).extend(shlex.split(options))
    return args


def options_for(bench: Bench, args) -> list[str]:
    options = ["--smoke"] if args.smoke else []
    if args.drop:
        options.append("--drop")
    sized = {
        "ledger": [("--lines", args.lines)],
        "surplus": [("--lots", args.surplus_lots)],
        "sweep": [("--lots", args.sweep_lots)],
        "verify": [("--lines", n) for n in args.verify_lines or []],
        "statement": [("--lines", n) for n in args.statement_lines or []],
        "documents": [("--documents", args.documents)],
    }[bench.name]
    for option, value in sized:
        if value is not None:
            options += [option, str(value)]
    return options + args.extra.get(bench.name, [])


def run_bench(bench: Bench, args, env: dict, workdir: Path, log_dir: Path) -> tuple[object, float]:
    figures = workdir / f"{bench.name}.json"
    command = [
        sys.executable, "-m", bench.module, *options_for(bench, args),
        "--database", f"{args.database_prefix}{bench.suffix}", "--json", str(figures),
    ]  # fmt: skip
    log = log_dir / f"{bench.name}.log"
    started = time.perf_counter()
    say(f"-- {bench.name}: {shlex.join(command[1:])}")
    if args.verbose:
        done = subprocess.run(command, cwd=BASE_DIR, env=env, check=False)
    else:
        with log.open("w") as out:
            done = subprocess.run(
                command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
            )
    seconds = time.perf_counter() - started
    if done.returncode != 0 or not figures.exists():
        if not args.verbose:
            say(f"   FAILED (exit {done.returncode}); the end of {log}:")
            for line in log.read_text(errors="replace").splitlines()[-30:]:
                say(f"   | {line}")
        return None, seconds
    say(f"   done in {seconds:.0f} s" + ("" if args.verbose else f" (printout: {log})"))
    return json.loads(figures.read_text()), seconds


def build_rows(bench: Bench, figures) -> list[Row]:
    if figures is None:
        return [Row(work=key, size="", figure="benchmark failed", goal="", status="ERROR", key=key)
                for key in bench.keys]  # fmt: skip
    try:
        rows = bench.rows(figures)
    except (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError) as exc:
        return [Row(work=key, size="", figure=f"figures unreadable: {exc!r}", goal="",
                    status="ERROR", key=key) for key in bench.keys]  # fmt: skip
    return rows


def machine_load() -> str:
    try:
        return subprocess.run(
            ["uptime"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def print_table(rows: list[Row]) -> None:
    heads = ("Work", "Size", "Figure", "Goal", "Result", "Baseline (same run)")
    cells = [(r.work, r.size, r.figure, r.goal, r.status, r.baseline) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h)
              for i, h in enumerate(heads)]  # fmt: skip
    widths[-1] = len(heads[-1])  # the last column is not padded

    def line(values) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    say(line(heads))
    say(line("-" * w for w in widths))
    for row in cells:
        say(line(row))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    chosen = [b for b in BENCHES if not args.only or b.name in args.only]
    log_dir = Path(args.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    started_at = datetime.now(UTC)
    load_before = machine_load()
    say(f"Benchmarks: {', '.join(b.name for b in chosen)}{' (smoke sizes)' if args.smoke else ''}")
    say(f"Load: {load_before}")
    template = f"{args.database_prefix}_template"
    env = dict(os.environ)
    env.pop("PYTEST_VERSION", None)
    say(f"-- template database {template} (migrated once, copied by each benchmark)")
    made = subprocess.run(
        [sys.executable, "-m", "bench.common", template], cwd=BASE_DIR, env=env, check=False
    )
    if made.returncode == 0:
        env[TEMPLATE_VARIABLE] = template
    else:
        say("   the template could not be made: each benchmark migrates its own database")
    rows: list[Row] = []
    raw: dict[str, object] = {}
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="stockpile-bench-") as workdir:
        for bench in chosen:
            figures, took = run_bench(bench, args, env, Path(workdir), log_dir)
            raw[bench.name], seconds[bench.name] = figures, round(took, 1)
            rows += build_rows(bench, figures)
    load_after = machine_load()
    say()
    say(
        f"Issue 20 goals — {started_at:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs"
        f"{', SMOKE SIZES (a check that it runs, not figures)' if args.smoke else ''}"
    )
    print_table(rows)
    say("(PASS)/(FAIL): met / not met at the size run, below the size the goal names.")
    say(f"Load at the end: {load_after}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "started_at": started_at.isoformat(timespec="seconds"),
                    "smoke": args.smoke,
                    "cpus": os.cpu_count(),
                    "load_before": load_before,
                    "load_after": load_after,
                    "seconds": seconds,
                    "rows": [asdict(r) for r in rows],
                    "figures": raw,
                },
                indent=2,
                default=str,
            )
        )
    return 1 if any(r.status == "ERROR" for r in rows) else 0
