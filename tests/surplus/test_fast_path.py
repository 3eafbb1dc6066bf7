"""The fast surplus computation (issue 20) against the straightforward one, on random
stockpiles: every figure of every row identical, nationally, for some depots and for one subject.

surplus_by_depot runs the first-expiry-first windows only over the serviceable stock expiring
within the horizon and sums the rest per class in one pass over the balances;
surplus_by_depot_reference runs every item through the windows (the definition, DESIGN.md §9).
The stockpiles mix what changes a figure: ties in expiry dates, expired lots, lots without
expiry, every condition, lost identities, NEQ overrides, obsolete types, bans and constraints on
types, lots and ancestors (lifted or not, disposal recommended or not), a lot in two storehouses
of one depot and in two depots, empty balance rows, interchangeable groups (one mixing units),
requirements with and without training, subjects with a requirement and no stock, and both
policy switches. The stock is written straight into balance rows, as bench/surplus.py does:
the property is about reading balances, not about posting them.
"""

import random
from dataclasses import astuple
from datetime import date, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.models import AmmunitionType, Balance, Ban, Lot
from surplus.computation import surplus_by_depot, surplus_by_depot_reference
from surplus.models import GroupMember, InterchangeableGroup, Requirement
from surplus.policy import SurplusPolicy

pytestmark = pytest.mark.django_db

CONDITIONS = ["A", "A", "A", "B", "C", "D", "E", "F", "H", "J", "P", "S"]


def _stockpile(rnd: random.Random, world, officer, inspector, today: date, horizon) -> list[int]:
    """A random stockpile over the world's depots; returns the subject keys. Expiry dates
    include the last day of the policy horizon and the day after it."""
    types = [world.ball, world.tnt]
    for i in range(rnd.randint(1, 4)):
        types.append(
            AmmunitionType.objects.create(
                code=f"RND-{i}",
                name=f"Random {i}",
                category=rnd.choice(["small_arms", "mortar", "other"]),
                hazard_division="1.4",
                compatibility_group="S",
                neq_per_unit_kg=Decimal(rnd.randint(0, 900_000)) / 1_000_000,
                shelf_life_months=240,
                obsolete=rnd.random() < 0.2,
                unit=rnd.choice(["round", "round", "box"]),
            )
        )
    subjects = {t.pk: t.pk for t in types}
    if rnd.random() < 0.7:
        group = InterchangeableGroup.objects.create(code="G-RND", name="Random group")
        for member in rnd.sample(types[2:] or types, min(2, len(types) - 2) or 1):
            GroupMember.objects.create(group=group, ammunition_type=member)
            subjects[member.pk] = -group.pk
    for sk in set(subjects.values()):
        for version in range(1, rnd.randint(1, 3)):
            Requirement.objects.create(
                ammunition_type_id=sk if sk > 0 else None,
                group_id=-sk if sk < 0 else None,
                version=version,
                effective_from=today - timedelta(days=rnd.choice([400, 30, 0, -5])),
                operational=rnd.randint(0, 2_000),
                training_per_year=rnd.choice([0, 0, 50, 300, 1_000]),
                training_years=rnd.randint(0, 3),
                testing=rnd.randint(0, 50),
                contingency=rnd.randint(0, 50),
                approval_reference=f"RND/{sk}/{version}",
                set_by=officer,
            )
    # Few distinct expiry dates, so that items tie on expiry (then lot, then depot order).
    expiries = [None, today - timedelta(days=40), today, horizon, horizon + timedelta(days=1)] + [
        today + timedelta(days=rnd.randint(2, 2_000)) for _ in range(4)
    ]
    storehouses = [world.sh1, world.sh2, world.sh3]
    lots = []
    for i in range(rnd.randint(1, 25)):
        lot = Lot.objects.create(
            ammunition_type=rnd.choice(types),
            manufacturer="Maker",
            lot_number=f"R-{i:03d}",
            manufactured_on=date(2020, 1, 1),
            condition_id=rnd.choice(CONDITIONS),
            expires_on=rnd.choice(expiries),
            identity_lost=rnd.random() < 0.05,
            neq_per_unit_kg=(
                Decimal(rnd.randint(0, 500_000)) / 1_000_000 if rnd.random() < 0.2 else None
            ),
            parent=rnd.choice(lots) if lots and rnd.random() < 0.25 else None,
        )
        lots.append(lot)
        for storehouse in rnd.sample(storehouses, rnd.choice([1, 1, 1, 2, 3])):
            Balance.objects.create(
                lot=lot,
                storehouse=storehouse,
                depot_id=storehouse.depot_id,
                quantity=rnd.choice([0, rnd.randint(1, 40), rnd.randint(1, 900)]),
            )
    for _ in range(rnd.randint(0, 4)):
        on_type = rnd.random() < 0.3
        lifted = rnd.random() < 0.2
        Ban.objects.create(
            kind=rnd.choice(["ban", "ban", "constraint"]),
            ammunition_type=rnd.choice(types) if on_type else None,
            lot=None if on_type else rnd.choice(lots),
            reason="r",
            reference="x",
            imposed_by=inspector,
            disposal_recommended=rnd.random() < 0.6,
            lifted_at=timezone.now() if lifted else None,
            lifted_by=inspector if lifted else None,
        )
    return sorted(set(subjects.values()))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 2**32 - 1),
    months=st.sampled_from([1, 12, 30]),
    count_reparable=st.booleans(),
)
def test_fast_path_equals_reference(
    world, officer, inspector, today, seed, months, count_reparable
):
    rnd = random.Random(seed)
    policy = SurplusPolicy(
        expiry_horizon_months=months,
        count_reparable=count_reparable,
        reparable_conditions=("F",),
    )
    with transaction.atomic():
        horizon = today + relativedelta(months=months)
        subjects = _stockpile(rnd, world, officer, inspector, today, horizon)
        cases = [
            {},
            {"depot_ids": [world.depot_a.pk]},
            {"depot_ids": [world.depot_a.pk, world.depot_b.pk]},
            {"sk": rnd.choice(subjects)},
        ]
        for case in cases:
            fast = surplus_by_depot(today=today, policy=policy, **case)
            reference = surplus_by_depot_reference(today=today, policy=policy, **case)
            # Every field, Decimals by value and by exponent (as printed and exported).
            assert [tuple(map(repr, astuple(row))) for row in fast] == [
                tuple(map(repr, astuple(row))) for row in reference
            ], case
        transaction.set_rollback(True)


def test_fast_path_reads_stock_that_moves_windows(world, officer, inspector, today):
    """A fixed case where the windows matter: a training rate, items tied on expiry in two
    depots, one item past the horizon and one banned by its parent."""
    policy = SurplusPolicy(expiry_horizon_months=12, count_reparable=False)
    Requirement.objects.create(
        ammunition_type=world.ball,
        version=1,
        effective_from=today - timedelta(days=1),
        operational=100,
        training_per_year=120,
        training_years=1,
        testing=0,
        contingency=0,
        approval_reference="R/1",
        set_by=officer,
    )
    soon = today + timedelta(days=200)
    lots = []
    for i, (expires_on, places) in enumerate(
        [
            (soon, [(world.sh1, 90), (world.sh3, 70)]),
            (soon, [(world.sh2, 40)]),
            (today + timedelta(days=800), [(world.sh3, 500)]),
        ]
    ):
        lot = Lot.objects.create(
            ammunition_type=world.ball,
            manufacturer="Maker",
            lot_number=f"W-{i}",
            manufactured_on=date(2020, 1, 1),
            condition_id="A",
            expires_on=expires_on,
            parent=lots[0] if i == 2 else None,
        )
        lots.append(lot)
        for storehouse, quantity in places:
            Balance.objects.create(
                lot=lot, storehouse=storehouse, depot_id=storehouse.depot_id, quantity=quantity
            )
    fast = surplus_by_depot(today=today, policy=policy)
    assert fast == surplus_by_depot_reference(today=today, policy=policy)
    expiring = sum(row.expiring_before_use for row in fast)
    assert expiring > 0
    Ban.objects.create(
        kind="ban", lot=lots[0], reason="r", reference="x", imposed_by=inspector,
        disposal_recommended=True,
    )  # fmt: skip
    fast = surplus_by_depot(today=today, policy=policy)
    assert fast == surplus_by_depot_reference(today=today, policy=policy)
    assert sum(row.obsolete_or_banned for row in fast) == 90 + 70 + 500
