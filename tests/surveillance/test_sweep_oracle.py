"""The daily sweep made fast (issue 20) finds exactly what it found before: on random stockpiles,
the lots it suspends and the alerts it leaves open are those of the previous implementation, kept
here as the oracle (the due-date detectors each reading the view through the ORM, the J step's
own read of it, `suspect_mixed` as a self-join). Its SQL statements do not grow with the lots,
and a sweep that finds nothing new writes no alert row."""

import random
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Max, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import Alert, AlertKind
from alerts.services import Subject
from alerts.sweep import registered_detectors, surveillance_sweep, sweep_context
from inventory.models import AmmunitionType, Balance, Lot
from inventory.models.reference import WaiverRule
from surveillance.models import ConditionChange, LotSurveillance

pytestmark = pytest.mark.django_db

# --- The oracle: the previous implementation ----------------------------------------------------


def _old_held(due: str, **lot_filter):
    return (
        Balance.objects.filter(quantity__gt=0, **lot_filter)
        .values("depot_id", "lot_id", "lot__lot_number", "lot__ammunition_type__code")
        .annotate(held=Sum("quantity"), due=Max(f"lot__due__{due}"))
        .order_by()
    )


def _old_subject(row, text: str) -> Subject:
    due = row["due"]
    return Subject(
        depot_id=row["depot_id"],
        lot_id=row["lot_id"],
        message=text
        % {
            "lot": row["lot__lot_number"],
            "type": row["lot__ammunition_type__code"],
            "due": f"{due:%Y-%m-%d}",
            "held": row["held"],
        },
        details={
            "lot_number": row["lot__lot_number"],
            "ammunition_type": row["lot__ammunition_type__code"],
            "due_on": due.isoformat(),
            "quantity": row["held"],
        },
    )


def _old_due_detectors(today) -> dict[str, list[Subject]]:
    overdue = "Lot %(lot)s (%(type)s): the stability test due on %(due)s is overdue; %(held)s held."
    missing = (
        "Lot %(lot)s (%(type)s): no stability test on record; the first was due on %(due)s; "
        "%(held)s held."
    )
    inspection = "Lot %(lot)s (%(type)s): the inspection due on %(due)s is overdue; %(held)s held."
    return {
        AlertKind.STABILITY_TEST_OVERDUE: [
            _old_subject(row, overdue)
            for row in _old_held(
                "stability_due",
                lot__due__stability_due__lt=today,
                lot__due__never_stability_tested=False,
            )
        ],
        AlertKind.STABILITY_TEST_MISSING: [
            _old_subject(row, missing)
            for row in _old_held(
                "stability_due",
                lot__due__stability_due__lt=today,
                lot__due__never_stability_tested=True,
            )
        ],
        AlertKind.INSPECTION_OVERDUE: [
            _old_subject(row, inspection)
            for row in _old_held("inspection_due", lot__due__inspection_due__lt=today)
        ],
    }


_OLD_SUSPECT_MIXED = """
    WITH held AS MATERIALIZED (
        SELECT b.depot_id, b.storehouse_id, l.id AS lot_id, l.lot_number, l.ancestry, c.isolate
        FROM inventory_balance b
        JOIN inventory_lot l ON l.id = b.lot_id
        JOIN inventory_conditioncode c ON c.code = l.condition
        WHERE b.quantity > 0
          AND b.storehouse_id IN (
              SELECT i.storehouse_id FROM inventory_balance i
              JOIN inventory_lot il ON il.id = i.lot_id
              JOIN inventory_conditioncode ic ON ic.code = il.condition
              WHERE i.quantity > 0 AND ic.isolate
          )
          AND NOT EXISTS (
              SELECT 1 FROM inventory_waiver w
              WHERE w.storehouse_id = b.storehouse_id AND w.rule = %(rule)s
                AND w.expires_on >= %(today)s
          )
    )
    SELECT s.depot_id, s.storehouse_id, sh.code,
           array_agg(DISTINCT s.lot_number ORDER BY s.lot_number),
           array_agg(DISTINCT o.lot_number ORDER BY o.lot_number)
    FROM held s
    JOIN held o
      ON o.storehouse_id = s.storehouse_id AND o.lot_id <> s.lot_id
     AND NOT (s.lot_id = ANY(o.ancestry))
    JOIN inventory_storehouse sh ON sh.id = s.storehouse_id
    WHERE s.isolate
    GROUP BY s.depot_id, s.storehouse_id, sh.code
    ORDER BY s.storehouse_id
"""


def _old_suspect_mixed(today) -> list[Subject]:
    from alerts.detectors import LISTED_LOTS, _some

    with connection.cursor() as cursor:
        cursor.execute(_OLD_SUSPECT_MIXED, {"rule": WaiverRule.ISOLATION.value, "today": today})
        rows = cursor.fetchall()
    return [
        Subject(
            depot_id=depot_id,
            storehouse_id=storehouse_id,
            message=(
                f"Storehouse {code}: {_some(suspect)} must be stored apart (suspect or condemned) "
                f"but {'shares' if len(suspect) == 1 else 'share'} the storehouse with "
                f"{_some(others)}. Move lot {suspect[0]} or record an isolation waiver "
                f"(quarantine store); receipts into {code} are refused until then."
            ),
            details={
                "suspect_lots": suspect[:LISTED_LOTS],
                "suspect_count": len(suspect),
                "other_lots": others[:LISTED_LOTS],
                "other_count": len(others),
            },
        )
        for depot_id, storehouse_id, code, suspect, others in rows
    ]


def _old_overdue_lots(today) -> set[int]:
    """The lots the J step suspends, as it chose them: overdue for a stability test (its own read
    of the view), issuable or restricted, held somewhere."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT due.lot_id FROM surveillance_lotdue due
            JOIN inventory_lot l ON l.id = due.lot_id
            JOIN inventory_conditioncode c ON c.code = l.condition
            WHERE due.stability_due < %s AND c.availability IN ('issuable', 'restricted')
              AND EXISTS (SELECT 1 FROM inventory_balance b
                          WHERE b.lot_id = l.id AND b.quantity > 0)
            """,
            [today],
        )
        return {row[0] for row in cursor.fetchall()}


def _oracle() -> dict[str, dict]:
    """What the previous implementation's detectors find now, per kind: {key: (severity,
    message, details)}; the detectors this work did not change are run as they are."""
    from alerts.models import DEFAULT_SEVERITY

    ctx = sweep_context()
    found = {
        registered.kind: list(registered.function(ctx))
        for registered in registered_detectors().values()
        if registered.in_sweep
    }
    found.update(_old_due_detectors(ctx.today))
    found[AlertKind.SUSPECT_MIXED] = _old_suspect_mixed(ctx.today)
    return {
        kind: {
            s.key: (str(s.severity or DEFAULT_SEVERITY[kind]), s.message, _json(s.details))
            for s in subjects
        }
        for kind, subjects in found.items()
    }


def _json(details):
    import json

    return json.loads(json.dumps(details, default=str))


def _open_alerts() -> dict[str, dict]:
    found: dict[str, dict] = {}
    for alert in Alert.objects.filter(resolved_at__isnull=True):
        key = (
            alert.depot_id,
            alert.lot_id or 0,
            alert.storehouse_id or 0,
            alert.document_id or 0,
        )
        found.setdefault(alert.kind, {})[key] = (alert.severity, alert.message, alert.details)
    return found


def _assert_as_oracle():
    expected = {kind: subjects for kind, subjects in _oracle().items() if subjects}
    assert _open_alerts() == expected


# --- Random stockpiles --------------------------------------------------------------------------


@pytest.fixture
def propellant(world, surveillance_policy):
    return AmmunitionType.objects.create(
        code="CHG-122",
        name="122 mm propelling charge",
        category="other",
        hazard_division="1.4",
        compatibility_group="S",
        neq_per_unit_kg=Decimal("0.5"),
        shelf_life_months=240,
        contains_propellant=True,
    )


@contextmanager
def _receiving():
    """Receipts beside suspect stock are refused: every lot is made serviceable (A) while the
    test receives, and given its condition back after."""
    conditions = dict(Lot.objects.exclude(condition_id="A").values_list("pk", "condition_id"))
    Lot.objects.filter(pk__in=conditions).update(condition_id="A")
    yield
    for pk, condition in conditions.items():
        Lot.objects.filter(pk=pk).update(condition_id=condition)


def _random_lots(world, clerk, clerk_b, propellant, rng: random.Random, count: int, tag: str):
    """`count` lots of random surveillance state, held in one or two storehouses; stocked in
    condition A, then given their random condition."""
    with _receiving():
        return _new_lots(world, clerk, clerk_b, propellant, rng, count, tag)


def _new_lots(world, clerk, clerk_b, propellant, rng: random.Random, count: int, tag: str):
    today = timezone.localdate()
    storehouses = [(world.sh1, clerk), (world.sh2, clerk), (world.sh3, clerk_b)]
    lots = []
    for n in range(count):
        kind = rng.choice([world.ball, propellant, propellant])
        lot = Lot.objects.create(
            ammunition_type=kind,
            manufacturer="Maker",
            lot_number=f"R{tag}-{n:03d}",
            manufactured_on=date(2010, 1, 1) + timedelta(days=rng.randrange(0, 5000)),
            condition_id="A",
            expires_on=rng.choice(
                [None, today + timedelta(days=rng.randrange(-60, 400)), date(2040, 1, 1)]
            ),
        )
        for storehouse, user in rng.sample(storehouses, rng.choice([1, 1, 2])):
            world.stock(user, lot, storehouse, rng.randrange(1, 50))
        inspected = rng.random() < 0.7
        tested = kind.contains_propellant and rng.random() < 0.7
        if inspected or tested:
            LotSurveillance.objects.create(
                lot=lot,
                last_inspected_on=today - timedelta(days=400) if inspected else None,
                next_inspection_due=(
                    today + timedelta(days=rng.randrange(-30, 30)) if inspected else None
                ),
                last_stability_test_on=today - timedelta(days=700) if tested else None,
                last_stability_category=rng.choice(["stable", "monitor"]) if tested else "",
                next_stability_test_due=(
                    today + timedelta(days=rng.randrange(-30, 30)) if tested else None
                ),
            )
        lots.append(lot)
    for n, lot in enumerate(lots):
        condition = rng.choice("AAAAABBCDHJ")
        if condition != "A":
            Lot.objects.filter(pk=lot.pk).update(condition_id=condition)
        if n >= 2 and rng.random() < 0.2:  # split off one or two earlier lots (its ancestry)
            parent = rng.choice(lots[:n])
            ancestry = [parent.pk, *Lot.objects.get(pk=parent.pk).ancestry][:2]
            Lot.objects.filter(pk=lot.pk).update(ancestry=ancestry)
    return lots


def _snapshot_conditions() -> dict[int, str]:
    return dict(Lot.objects.values_list("pk", "condition_id"))


@pytest.mark.parametrize("seed", [1, 2])
def test_the_sweep_finds_what_the_previous_implementation_found(
    world, clerk, clerk_b, propellant, seed
):
    rng = random.Random(seed)
    _random_lots(world, clerk, clerk_b, propellant, rng, 40, "a")
    today = timezone.localdate()

    before = _snapshot_conditions()
    expected_suspended = _old_overdue_lots(today)
    assert expected_suspended, "the random stockpile has lots to suspend"
    counts = surveillance_sweep()
    after = _snapshot_conditions()
    suspended = {pk for pk, condition in after.items() if condition != before[pk]}
    assert suspended == expected_suspended
    assert all(after[pk] == "J" for pk in suspended)
    held_pairs = set(
        Balance.objects.filter(lot_id__in=suspended, quantity__gt=0).values_list(
            "lot_id", "depot_id"
        )
    )
    changes = ConditionChange.objects.filter(lot_id__in=suspended)
    assert {(c.lot_id, c.document.depot_id) for c in changes} == held_pairs
    assert counts["suspend_overdue_stability.documents"] == len(held_pairs)
    _assert_as_oracle()

    # The next day's data: more lots, some inspected or tested, some received again.
    _random_lots(world, clerk, clerk_b, propellant, rng, 15, "b")
    for row in LotSurveillance.objects.order_by("pk")[:: rng.choice([3, 4])]:
        LotSurveillance.objects.filter(pk=row.pk).update(
            next_inspection_due=today + timedelta(days=100),
            next_stability_test_due=today + timedelta(days=rng.choice([-3, 100])),
        )
    with _receiving():
        for lot in Lot.objects.filter(lot_number__startswith="Ra-").order_by("pk")[::4]:
            world.stock(clerk, lot, world.sh1, 3)  # more held: the lot's messages change
    before = _snapshot_conditions()
    expected_suspended = _old_overdue_lots(today)
    surveillance_sweep()
    after = _snapshot_conditions()
    assert {pk for pk, c in after.items() if c != before.get(pk, c)} == expected_suspended
    _assert_as_oracle()

    surveillance_sweep()  # nothing new
    _assert_as_oracle()


def _alert_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, ctid::text FROM alerts_alert ORDER BY id")
        return cursor.fetchall()


def _updates() -> int:
    """Rows of alerts_alert updated so far in this transaction (the test's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'alerts_alert'"
        )
        return cursor.fetchone()[0]


def test_a_sweep_that_finds_nothing_new_rewrites_no_alert(world, clerk, clerk_b, propellant):
    _random_lots(world, clerk, clerk_b, propellant, random.Random(3), 30, "n")
    surveillance_sweep()
    first = {a.pk: a.last_seen for a in Alert.objects.filter(resolved_at__isnull=True)}
    assert len(first) > 10
    rows, updates = _alert_rows(), _updates()

    counts = surveillance_sweep()

    assert _updates() == updates, "no alert row updated"
    assert _alert_rows() == rows, "no alert row rewritten (same tuples)"
    assert sum(v for k, v in counts.items() if k.endswith(".refreshed")) == len(first)
    assert not any(v for k, v in counts.items() if not k.endswith(".refreshed"))
    # Seen again all the same: last_seen moved with the sweep's marks.
    again = {a.pk: a.last_seen for a in Alert.objects.filter(resolved_at__isnull=True)}
    assert again.keys() == first.keys()
    assert all(again[pk] > first[pk] for pk in first)


def test_a_changed_alert_is_rewritten_and_a_resolved_one_keeps_when_it_was_last_seen(
    world, clerk, propellant
):
    today = timezone.localdate()
    lots = []
    for n in range(3):
        lot = world.lot(world.ball, number=f"X{n}")
        world.stock(clerk, lot, world.sh1, 10)
        lots.append(lot)
    Lot.objects.filter(pk__in=[lot.pk for lot in lots]).update(expires_on=today - timedelta(1))
    surveillance_sweep()
    surveillance_sweep()
    alerts = {a.lot_id: a for a in Alert.objects.filter(kind=AlertKind.LOT_EXPIRED)}
    rows = dict(_alert_rows())
    updates = _updates()

    world.stock(clerk, lots[0], world.sh2, 5)  # its message changes: 15 held
    Lot.objects.filter(pk=lots[1].pk).update(expires_on=None)  # its cause is gone
    surveillance_sweep()

    assert _updates() == updates + 2
    now = dict(_alert_rows())
    changed = Alert.objects.get(pk=alerts[lots[0].pk].pk)
    assert now[changed.pk] != rows[changed.pk]
    assert "15 held" in changed.message
    resolved = Alert.objects.get(pk=alerts[lots[1].pk].pk)
    assert resolved.resolved_at is not None
    assert resolved.last_seen == alerts[lots[1].pk].last_seen  # the sweep before, not this one
    kept = Alert.objects.get(pk=alerts[lots[2].pk].pk)
    assert now[kept.pk] == rows[kept.pk]
    assert kept.last_seen > alerts[lots[2].pk].last_seen

    surveillance_sweep()
    assert Alert.objects.get(pk=resolved.pk).last_seen == resolved.last_seen  # frozen


def test_sweep_statements_do_not_grow_with_the_lots(world, clerk, clerk_b, propellant):
    """The same kinds have subjects at both sizes (the same pattern, 20 then 70 more lots): the
    first sweep over a backlog and the daily sweep cost the same statements."""
    rng = random.Random(4)

    def measure():
        with CaptureQueriesContext(connection) as first:
            surveillance_sweep()
        with CaptureQueriesContext(connection) as daily:
            surveillance_sweep()
        return len(first), len(daily)

    _random_lots(world, clerk, clerk_b, propellant, rng, 20, "s")
    measure()  # the first sweep ever also creates the system user, counters and chain heads
    _random_lots(world, clerk, clerk_b, propellant, rng, 20, "t")
    small = measure()
    kinds = set(Alert.objects.values_list("kind", flat=True))
    _random_lots(world, clerk, clerk_b, propellant, rng, 70, "u")
    large = measure()
    assert set(Alert.objects.values_list("kind", flat=True)) == kinds
    assert Alert.objects.filter(kind=AlertKind.INSPECTION_OVERDUE).count() > 20
    assert large == small
