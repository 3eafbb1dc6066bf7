"""The surveillance sweep: a registry of detectors, each returning the current subjects of one
alert kind, and the job that runs them all and syncs the alerts (DESIGN.md §8).

Adding a detector (in any installed app, in a module named `detectors.py`, found automatically):

    from alerts.models import AlertKind
    from alerts.services import Subject
    from alerts.sweep import SweepContext, detector

    @detector(AlertKind.INSPECTION_OVERDUE)
    def inspection_overdue(ctx: SweepContext) -> list[Subject]:
        # a fixed number of queries whatever the number of lots; ctx.today, ctx.policy;
        # ctx.once(key, compute) for a read other detectors of the sweep share
        return [Subject(depot_id=..., lot_id=..., message=...) for row in ...]

A detector returns *every* subject that is wrong now (the sweep resolves the open alerts of its
kind that are not in the list), must be set-based (a fixed number of queries), and must not write.
Work that changes data before alerts are computed (suspending lots overdue for a stability test)
registers with `@sweep_step("name")` and returns counts; steps run first, each in its own
transaction, and must be idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from alerts.models import AlertKind
from alerts.services import Subject, alerts_sync
from core.jobs import job_run
from inventory.policy import policy_values

logger = logging.getLogger(__name__)

T = TypeVar("T")

SWEEP_JOB = "surveillance_sweep"


@dataclass(frozen=True)
class SweepContext:
    """What every detector may read: today's date and the policy settings (read once), and what
    the steps and detectors of one sweep share (`once`)."""

    today: date
    policy: Mapping[str, object]
    shared: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    def policy_int(self, key: str, default: int) -> int:
        return int(self.policy.get(key, default))

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` the first time a step or detector of this sweep asks for `key`, the same
        value after: one read that several of them need (the surveillance due dates: one pass
        over the due-date view per sweep, not one per detector). Only for what the sweep's own
        writes do not change (the J step changes conditions, not due dates or stock)."""
        if key not in self.shared:
            self.shared[key] = compute()
        return self.shared[key]  # type: ignore[return-value]


Detector = Callable[[SweepContext], Iterable[Subject]]
Step = Callable[[SweepContext], Mapping[str, int] | None]


@dataclass(frozen=True)
class Registered:
    kind: str
    function: Detector
    in_sweep: bool


_DETECTORS: dict[str, Registered] = {}
_STEPS: dict[str, Step] = {}
_discovered = False


def detector(kind: str, *, in_sweep: bool = True) -> Callable[[Detector], Detector]:
    """Register `function` as the detector of `kind` (one per kind; a later one replaces it).

    `in_sweep=False` keeps it out of the daily sweep: another job runs it (ledger drift is the
    nightly reconciliation's).
    """
    if kind not in AlertKind.values:
        raise ValueError(f"unknown alert kind {kind!r}")

    def register(function: Detector) -> Detector:
        _DETECTORS[str(kind)] = Registered(str(kind), function, in_sweep)
        return function

    return register


def sweep_step(name: str) -> Callable[[Step], Step]:
    """Register a step that changes data before the detectors run (idempotent, set-based)."""

    def register(function: Step) -> Step:
        _STEPS[name] = function
        return function

    return register


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("detectors")
        _discovered = True


def registered_detectors() -> dict[str, Registered]:
    _discover()
    return dict(_DETECTORS)


def registered_steps() -> dict[str, Step]:
    _discover()
    return dict(_STEPS)


def sweep_context(today: date | None = None) -> SweepContext:
    return SweepContext(today=today or timezone.localdate(), policy=policy_values())


def run_detectors(
    kinds: Iterable[str] | None = None, *, ctx: SweepContext | None = None
) -> dict[str, int]:
    """Run the detectors of `kinds` (default: those in the sweep) and sync their alerts, each kind
    in its own transaction. Returns counts "<kind>.raised", "<kind>.refreshed", "<kind>.resolved".
    A detector that fails does not stop the others; the first failure is raised at the end."""
    detectors = registered_detectors()
    if kinds is None:
        chosen = [d for d in detectors.values() if d.in_sweep]
    else:
        chosen = [detectors[str(kind)] for kind in kinds]
    ctx = ctx or sweep_context()
    counts: dict[str, int] = {}
    failures: list[BaseException] = []
    for registered in sorted(chosen, key=lambda d: d.kind):
        try:
            with transaction.atomic():
                subjects = list(registered.function(ctx))
                result = alerts_sync(kind=registered.kind, subjects=subjects)
        except Exception as exc:
            logger.exception("detector %s failed", registered.kind)
            failures.append(exc)
            continue
        for name, value in result.as_dict().items():
            counts[f"{registered.kind}.{name}"] = value
    if failures:
        raise failures[0]
    return counts


@contextmanager
def _no_jit():
    """PostgreSQL's JIT compiles the sweep's passes over every lot for longer than it saves (0.7 s
    of 3 s for the due-date view at 1 M lots): off for this session while the sweep runs, then
    put back. Two statements."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', false)")
        (previous, _off) = cursor.fetchone()
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('jit', %s, false)", [previous])


def surveillance_sweep(*, today: date | None = None) -> dict[str, int]:
    """The daily sweep's body: the registered steps, then every detector in the sweep."""
    ctx = sweep_context(today)
    counts: dict[str, int] = {}
    with _no_jit():
        for name, step in sorted(registered_steps().items()):
            with transaction.atomic():
                for key, value in (step(ctx) or {}).items():
                    counts[f"{name}.{key}"] = int(value)
        counts.update(run_detectors(ctx=ctx))
    return counts


def surveillance_sweep_run(*, today: date | None = None, attempt: int = 1):
    """Run the sweep as a recorded job under its advisory lock (core.jobs.job_run)."""

    return job_run(SWEEP_JOB, lambda: surveillance_sweep(today=today), attempt=attempt)


RECONCILE_JOB = "reconcile_ledger"


def reconcile_ledger() -> dict[str, int]:
    """Compare every balance with the sum of its ledger lines (one query) and make the open
    `ledger_drift` alerts exactly the differences found: raised when new, resolved when gone."""
    counts = run_detectors([AlertKind.LEDGER_DRIFT])
    drift = counts["ledger_drift.raised"] + counts["ledger_drift.refreshed"]
    if drift:
        logger.critical("ledger drift: %s balance(s) differ from their ledger lines", drift)
    return {"drift": drift, **counts}


def reconcile_ledger_run(*, attempt: int = 1):
    """Run the reconciliation as a recorded job under its advisory lock (core.jobs.job_run)."""

    return job_run(RECONCILE_JOB, reconcile_ledger, attempt=attempt)
