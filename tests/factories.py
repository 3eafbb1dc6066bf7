import datetime
from decimal import Decimal

import factory

from accounts.models import DepotMembership, User
from inventory.models import (
    AmmunitionType,
    Depot,
    Licence,
    LicenceLimit,
    Recipient,
    Storehouse,
    Waiver,
)

PASSWORD = "correct-horse-battery"


class DepotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Depot
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:02d}")
    name = factory.Sequence(lambda n: f"Test depot {n}")
    region = "North"


class UserFactory(factory.django.DjangoModelFactory):
    """A user with `roles=[...]` and, for depot-bound roles, `depots=[...]`."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    roles = factory.LazyFunction(list)
    # Vetted for a year, as every user who posts must be (settings.VETTING_REQUIRED).
    vetting_level = "security"
    vetting_expires_on = factory.LazyFunction(
        lambda: datetime.date.today() + datetime.timedelta(days=365)
    )
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def depots(self, create, extracted, **kwargs):
        self.save()
        for depot in extracted or ():
            DepotMembership.objects.create(user=self, depot=depot)


class StorehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Storehouse

    depot = factory.SubFactory(DepotFactory)
    code = factory.Sequence(lambda n: f"SH{n:02d}")
    name = factory.Sequence(lambda n: f"Storehouse {n}")
    kind = "earth_covered_magazine"


class AmmunitionTypeFactory(factory.django.DjangoModelFactory):
    """A legal type: HD 1.4S small arms ammunition unless told otherwise."""

    class Meta:
        model = AmmunitionType

    code = factory.Sequence(lambda n: f"TYPE-{n:03d}")
    name = factory.Sequence(lambda n: f"Cartridge {n}")
    category = "small_arms"
    calibre = "7.62 x 39 mm"
    hazard_division = "1.4"
    compatibility_group = "S"
    neq_per_unit_kg = Decimal("0.001600")
    unit = "round"
    shelf_life_months = 240
    contains_propellant = True


class LicenceFactory(factory.django.DjangoModelFactory):
    """A licence in force from 2020 to 2099; `limits={"1.1": Decimal(...), "1.4": None}`."""

    class Meta:
        model = Licence
        skip_postgeneration_save = True

    storehouse = factory.SubFactory(StorehouseFactory)
    number = factory.Sequence(lambda n: f"EL-{n:04d}")
    issuing_authority = "National Explosives Inspectorate"
    valid_from = datetime.date(2020, 1, 1)
    valid_until = datetime.date(2099, 12, 31)

    @factory.post_generation
    def limits(self, create, extracted, **kwargs):
        for division, max_neq_kg in (extracted or {}).items():
            LicenceLimit.objects.create(
                licence=self, hazard_division=division, max_neq_kg=max_neq_kg
            )


class RecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recipient

    code = factory.Sequence(lambda n: f"U-{n:03d}")
    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = "unit"


class WaiverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Waiver

    storehouse = factory.SubFactory(StorehouseFactory)
    rule = "n2"
    reason = "Effective segregation by a protective traverse."
    authority_reference = factory.Sequence(lambda n: f"NEI-{n:04d}")
    expires_on = datetime.date(2099, 12, 31)
    recorded_by = factory.SubFactory(UserFactory)


def reverse_approved(document, *, reason, posted_by, approved_by):
    """Reverse a document that takes stock off the books: proposed by `posted_by`, approved by
    `approved_by` (an inspector of the depot). Returns the posted reversal document."""
    from inventory.models import ReversalProposal
    from inventory.services.reversals import document_reverse, reversal_approve

    proposal = document_reverse(document=document, reason=reason, posted_by=posted_by)
    assert isinstance(proposal, ReversalProposal), "this reversal did not need approval"
    return reversal_approve(proposal=proposal, approved_by=approved_by).reversal
