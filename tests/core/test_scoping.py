"""The role and depot-scope matrix of DESIGN.md §1, written out independently of core.roles."""

import pytest

from core.roles import Action, Role
from core.scoping import action_depot_ids, can, read_depot_ids, require, scope
from inventory.models import Depot
from tests.factories import DepotFactory, UserFactory

A = Action
OWN, OTHER = "own", "other"

# role -> {action: depots where allowed ("own": own depot only, "all": every depot)}
EXPECTED = {
    "clerk": {A.RECORD_MOVEMENT: OWN, A.REQUEST_REPORT: OWN},
    "inspector": {
        A.RECORD_SURVEILLANCE: OWN,
        A.APPROVE: OWN,
        A.RECORD_WAIVER: OWN,
        A.REQUEST_REPORT: OWN,
    },
    "national_inspector": {
        A.RECORD_SURVEILLANCE: "all",
        A.APPROVE: "all",
        A.RECORD_WAIVER: "all",
        A.REQUEST_REPORT: "all",
    },
    # A depot role with no depot fails closed (issue 15): not national, nowhere.
    "depotless_clerk": {},
    "depotless_inspector": {},
    "officer": {A.MANAGE_OVERSIGHT: "all", A.MANAGE_RECIPIENTS: "all", A.REQUEST_REPORT: "all"},
    "auditor": {A.REQUEST_REPORT: "all", A.VERIFY_LEDGER: "all", A.READ_AUDIT: "all"},
    "admin": dict.fromkeys(Action, "all"),
}
READS = {
    "clerk": OWN,
    "inspector": OWN,
    "national_inspector": "all",
    "depotless_clerk": None,
    "depotless_inspector": None,
    "officer": "all",
    "auditor": "all",
    "admin": "all",
}


@pytest.fixture
def people(db, depot_a):
    return {
        "clerk": UserFactory(roles=[Role.CLERK], depots=[depot_a]),
        "inspector": UserFactory(roles=[Role.INSPECTOR], depots=[depot_a]),
        "national_inspector": UserFactory(roles=[Role.INSPECTOR], national=True),
        "depotless_clerk": UserFactory(roles=[Role.CLERK]),
        "depotless_inspector": UserFactory(roles=[Role.INSPECTOR]),
        "officer": UserFactory(roles=[Role.OFFICER]),
        "auditor": UserFactory(roles=[Role.AUDITOR]),
        "admin": UserFactory(roles=[Role.ADMIN]),
    }


@pytest.mark.parametrize("who", list(EXPECTED))
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("where", [OWN, OTHER])
def test_action_matrix(people, depot_a, depot_b, who, action, where):
    user = people[who]
    depot = depot_a if where == OWN else depot_b
    grant = EXPECTED[who].get(action)
    expected = grant == "all" or (grant == OWN and where == OWN)
    assert can(user, action, depot.pk) is expected


@pytest.mark.parametrize("who", list(READS))
def test_read_scope(people, depot_a, depot_b, who):
    visible = set(scope(Depot.objects.all(), people[who], depot_field="pk"))
    expected = {None: set(), OWN: {depot_a}, "all": {depot_a, depot_b}}[READS[who]]
    assert visible == expected


def test_several_roles_combine_each_with_its_own_scope(depot_a, depot_b):
    user = UserFactory(roles=[Role.CLERK, Role.OFFICER], depots=[depot_a])
    assert can(user, Action.RECORD_MOVEMENT, depot_a.pk)
    assert not can(user, Action.RECORD_MOVEMENT, depot_b.pk)  # officer does not record movements
    assert can(user, Action.MANAGE_OVERSIGHT, depot_b.pk)
    assert read_depot_ids(user) is None


def test_clerk_without_depot_sees_and_does_nothing(db, depot_a):
    user = UserFactory(roles=[Role.CLERK])
    assert read_depot_ids(user) == frozenset()
    assert not can(user, Action.RECORD_MOVEMENT)
    assert list(scope(Depot.objects.all(), user, depot_field="pk")) == []


def test_user_without_roles_has_no_scope(db, depot_a):
    user = UserFactory(roles=[], depots=[depot_a])
    assert read_depot_ids(user) == frozenset()
    assert all(action_depot_ids(user, action) == frozenset() for action in Action)


def test_inactive_user_has_no_scope(db, depot_a):
    user = UserFactory(roles=[Role.ADMIN], is_active=False)
    assert read_depot_ids(user) == frozenset()
    assert not can(user, Action.MANAGE_REFERENCE)


def test_superuser_counts_as_admin(db, depot_b):
    user = UserFactory(roles=[], is_superuser=True)
    assert can(user, Action.RECORD_MOVEMENT, depot_b.pk)


def test_require_raises_permission_denied(clerk, depot_b):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        require(clerk, Action.RECORD_MOVEMENT, depot_b.pk)


def test_depot_ids_read_with_one_query(clerk, django_assert_num_queries):
    DepotFactory.create_batch(5)
    with django_assert_num_queries(1):
        read_depot_ids(clerk)
        can(clerk, Action.RECORD_MOVEMENT, 1)
        can(clerk, Action.REQUEST_REPORT, 2)


def test_an_inspector_without_a_depot_is_not_national(db, depot_a, depot_b):
    """Forgetting an inspector's depot once made them a national inspector (issue 15)."""
    user = UserFactory(roles=[Role.INSPECTOR])
    assert read_depot_ids(user) == frozenset()
    assert not can(user, Action.RECORD_SURVEILLANCE)
    assert not can(user, Action.APPROVE, depot_b.pk)
    assert list(scope(Depot.objects.all(), user, depot_field="pk")) == []


def test_a_national_inspector_is_marked_so_on_the_user(db, depot_a, depot_b):
    user = UserFactory(roles=[Role.INSPECTOR], national=True)
    assert read_depot_ids(user) is None
    assert can(user, Action.RECORD_SURVEILLANCE, depot_b.pk)


def test_only_an_inspector_can_be_national(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(roles=[Role.CLERK], national=True)
