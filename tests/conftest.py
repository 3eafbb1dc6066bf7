"""Fixtures every test module shares: depots, one user per role, API clients, a clean cache."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from core.roles import Role
from inventory import models as inventory_models
from inventory import reference_data
from tests.factories import DepotFactory, UserFactory
from tests.inventory.ledger_world import make_world

# CI runs a bounded, repeatable number of examples; HYPOTHESIS_PROFILE=ci selects it.
hypothesis_settings.register_profile("ci", max_examples=50, deadline=None, derandomize=True)
hypothesis_settings.register_profile("dev", max_examples=100, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with no throttle counters or cached values of this run."""
    yield
    client = cache._cache.get_client(write=True)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _english_after():
    """A request in another language leaves it active in the thread (LocaleMiddleware does not
    reset it): each test starts in the default language, whatever the one before asked for."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def depot_a(db):
    return DepotFactory(code="DA", name="Depot A", region="North")


@pytest.fixture
def depot_b(db):
    return DepotFactory(code="DB", name="Depot B", region="South")


@pytest.fixture
def clerk(depot_a):
    return UserFactory(username="clerk_a", roles=[Role.CLERK], depots=[depot_a])


@pytest.fixture
def clerk_b(depot_b):
    return UserFactory(username="clerk_b", roles=[Role.CLERK], depots=[depot_b])


@pytest.fixture
def inspector(depot_a):
    return UserFactory(username="inspector_a", roles=[Role.INSPECTOR], depots=[depot_a])


@pytest.fixture
def national_inspector(db):
    return UserFactory(username="inspector_nat", roles=[Role.INSPECTOR], national=True)


@pytest.fixture
def officer(db):
    return UserFactory(username="officer", roles=[Role.OFFICER])


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", roles=[Role.AUDITOR])


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", roles=[Role.ADMIN])


@pytest.fixture
def users_by_role(clerk, inspector, officer, auditor, admin_user):
    return {
        Role.CLERK: clerk,
        Role.INSPECTOR: inspector,
        Role.OFFICER: officer,
        Role.AUDITOR: auditor,
        Role.ADMIN: admin_user,
    }


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as():
    """api_as(user) -> an APIClient authenticated as that user (session)."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user=None)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def reference_policy(db):
    """The seed policy tables. The data migration loads them, but a transactional test's flush
    empties every table afterwards; loading is idempotent, so load them again."""
    reference_data.load(
        HazardCode=inventory_models.HazardCode,
        ConditionCode=inventory_models.ConditionCode,
        MixingMatrixVersion=inventory_models.MixingMatrixVersion,
        MixingCell=inventory_models.MixingCell,
        PolicySetting=inventory_models.PolicySetting,
    )


@pytest.fixture
def returns_into_the_lot(reference_policy):
    """The policy switch RETURNS_AWAIT_CLASSIFICATION off (DESIGN.md §6): a return goes back
    into the returned lot itself, as before the switch. For tests about something else that
    post returns beside stock of the lot (tests/inventory/services/test_returns.py has both)."""
    inventory_models.PolicySetting.objects.update_or_create(
        key="returns_await_classification", defaults={"value": False}
    )


@pytest.fixture
def surveillance_policy(reference_policy):
    """The seed stability policy and surveillance settings (reloaded after a flush, as above)."""
    from surveillance import reference_data as surveillance_reference
    from surveillance.models import StabilityMethodPolicy, StabilityPolicyBand

    surveillance_reference.load(
        StabilityPolicyBand=StabilityPolicyBand,
        PolicySetting=inventory_models.PolicySetting,
        StabilityMethodPolicy=StabilityMethodPolicy,
    )


@pytest.fixture
def world(reference_policy, depot_a, depot_b):
    """A small licensed stockpile to post against (tests/inventory/ledger_world.py)."""
    return make_world(depot_a, depot_b)
