import io

import pytest
from django.core.management import call_command

from accounts.models import User
from core.roles import Role
from inventory.models import Depot

pytestmark = pytest.mark.django_db


def seed(monkeypatch, password="demo-pass-123"):
    monkeypatch.setenv("DEMO_PASSWORD", password)
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_creates_depots_and_one_user_per_role(monkeypatch):
    seed(monkeypatch)
    assert Depot.objects.count() == 3
    assert Depot.objects.values("region").distinct().count() == 2
    roles = {user.username: user.roles for user in User.objects.all()}
    assert roles == {
        "clerk": ["clerk"],
        "clerk2": ["clerk"],
        "inspector": ["inspector"],
        "officer": ["officer"],
        "auditor": ["auditor"],
        "admin": ["admin"],
    }
    first = Depot.objects.order_by("code").first()
    assert User.objects.get(username="clerk").depot_ids == {first.pk}
    assert User.objects.get(username="inspector").depot_ids == {first.pk}
    assert User.objects.get(username="clerk2").depot_ids != {first.pk}
    assert User.objects.get(username="officer").depot_ids == frozenset()
    assert all(user.check_password("demo-pass-123") for user in User.objects.all())
    assert User.objects.get(username="admin").has_role(Role.ADMIN)


def test_seed_demo_is_idempotent_and_takes_a_new_password(monkeypatch):
    seed(monkeypatch)
    seed(monkeypatch, password="another-pass-456")
    assert Depot.objects.count() == 3
    assert User.objects.count() == 6
    assert User.objects.get(username="clerk").memberships.count() == 1
    assert User.objects.get(username="clerk").check_password("another-pass-456")
