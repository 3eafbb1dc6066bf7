"""Stock to compute surplus on: the ledger world's types with lots of chosen expiry and
condition, received into depot A (SH1) or B (SH3)."""

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from core.roles import Role
from inventory.models import Lot, PolicySetting, Waiver
from inventory.models.reference import WaiverRule
from surplus import reference_data
from surplus.policy import surplus_policy
from tests.factories import UserFactory


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def policy(world):
    reference_data.load(PolicySetting=PolicySetting)
    return surplus_policy()


@pytest.fixture
def officer2(db):
    return UserFactory(username="officer2", roles=[Role.OFFICER])


class Stocker:
    def __init__(self, world, clerk, clerk_b):
        self.world = world
        self.clerk = clerk
        self.clerk_b = clerk_b
        self.count = 0

    def __call__(
        self,
        quantity,
        *,
        ammunition_type=None,
        expires_in=None,
        expires_on=None,
        condition="A",
        depot="a",
        lot=None,
    ):
        """Receive `quantity` of a new lot (or `lot`) expiring `expires_in` (a relativedelta)."""
        world = self.world
        if lot is None:
            self.count += 1
            if expires_in is not None:
                expires_on = timezone.localdate() + expires_in
            lot = Lot.objects.create(
                ammunition_type=ammunition_type or world.ball,
                manufacturer="Maker",
                lot_number=f"S-{self.count:03d}",
                manufactured_on=date(2020, 1, 1),
                condition_id="A",
                expires_on=expires_on,
            )
        storehouse = world.sh1 if depot == "a" else world.sh3
        world.stock(self.clerk if depot == "a" else self.clerk_b, lot, storehouse, quantity)
        if condition != "A":
            Lot.objects.filter(pk=lot.pk).update(condition_id=condition)
            lot.refresh_from_db()
        return lot


@pytest.fixture
def stock(world, clerk, clerk_b, inspector, policy):
    """Unserviceable and serviceable lots share the storehouses here (an isolation waiver)."""
    for storehouse in (world.sh1, world.sh3):
        Waiver.objects.create(
            storehouse=storehouse,
            rule=WaiverRule.ISOLATION,
            reason="Test stockpile",
            authority_reference="W-1",
            expires_on=date(2099, 12, 31),
            recorded_by=inspector,
        )
    return Stocker(world, clerk, clerk_b)


def years(n):
    return relativedelta(years=n)


def months(n):
    return relativedelta(months=n)
