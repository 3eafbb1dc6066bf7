import factory

from accounts.models import DepotMembership, User
from inventory.models import Depot

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
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def depots(self, create, extracted, **kwargs):
        self.save()
        for depot in extracted or ():
            DepotMembership.objects.create(user=self, depot=depot)
