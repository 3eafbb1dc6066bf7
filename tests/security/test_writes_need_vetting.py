"""Every service that writes enforces the vetting rule (issue 15, part B): a user whose vetting
has lapsed is refused with 409 `vetting_expired`, whichever role they act in.

The enumeration test reads every public function of every services module that takes the acting
user, and proves each one calls `require` or `require_any` (core.scoping), directly or through a
named helper that does, instead of `can` alone. The behaviour tests then take the writes that used
to call `can` and show a lapsed user refused, through the services and through the API.
"""

import importlib
import inspect
import pkgutil
from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import AlertKind
from alerts.services import alert_acknowledge, alert_raise
from core.errors import VettingExpired
from inventory.models import IncidentKind
from inventory.services.lots import NewLot, lot_create
from inventory.services.posting import lot_split
from stockchecks.models import StockCheckKind
from stockchecks.services import (
    incident_report,
    stock_check_cancel,
    stock_check_line_annotate,
    stock_check_plan,
    stock_check_start,
)
from surveillance.services import ban_impose, ban_lift

pytestmark = pytest.mark.django_db

APPS = ["inventory", "surveillance", "stockchecks", "surplus", "diversion", "audit", "alerts",
        "imports", "reports", "accounts", "core"]  # fmt: skip
# The acting user, as the services name them.
ACTOR_PARAMS = {
    "user", "posted_by", "created_by", "recorded_by", "decided_by", "approved_by",
    "rejected_by", "cancelled_by", "planned_by", "started_by", "counted_by", "submitted_by",
    "reported_by", "imposed_by", "lifted_by", "set_by", "added_by", "removed_by", "executed_by",
    "closed_by", "changed_by", "authenticated_by", "dispatched_by", "author", "answered_by",
    "override_by", "scheduled_by", "uploaded_by", "tested_by", "inspector", "requested_by",
    "retried_by",
}  # fmt: skip
# Helpers that call `require` themselves.
GUARDS = (
    "require(", "require_any(", "_require_ban_scope(", "_require_binding_scope(",
    "_pending_adjustment(", "_proposal_to_decide(", "_require_reverse_right(",
    "_require_import_right(",
)  # fmt: skip
# Writes that need no vetting, and why.
EXEMPT = {
    # Queues the snapshot that snapshot_request creates, and snapshot_request requires.
    "surplus.services.snapshot_queue",
    # Called inside a posting that has already required the poster's vetting.
    "inventory.services.incidents.incident_open_for_adjustment",
    "inventory.services.incidents.incident_open_for_transfer",
    # Inventory's record writers: called by the workflow that required the actor's role and
    # vetting first (stockchecks, surveillance, diversion services).
    "inventory.services.incidents.incident_open",
    "inventory.services.bans.ban_create",
    "inventory.services.bans.ban_mark_lifted",
    # The ledger side of a condition change, posted (possibly as the system user) inside
    # surveillance's condition_change_post once it has required the decider's vetting.
    "inventory.services.conditions.lot_condition_post",
    # Records who downloaded an attachment (an audit record of a read).
    "surveillance.services.attachment_download_record",
    # Verifying a report reads (core.roles: verifying needs no vetting); it leaves an audit record.
    "reports.services.report_verify",
    # Questions about the user, not writes.
    "surveillance.services.may_decide_nationally",
    "audit.services.ledger_verification_progress",
    # A user's own API tokens: signing in and out. A lapsed user may still read (and sign out).
    "accounts.services.api_token_create",
    "accounts.services.api_tokens_revoke",
    # A user's own language preference: any signed-in user, lapsed or not, reads in their language.
    "accounts.services.user_language_set",
}


def _service_modules():
    for app in APPS:
        try:
            package = importlib.import_module(f"{app}.services")
        except ModuleNotFoundError:
            continue
        yield package
        if hasattr(package, "__path__"):  # a package, and the packages in it (services.posting)
            for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}.services."):
                yield importlib.import_module(info.name)


def _writing_services():
    for module in _service_modules():
        for name, function in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(function):
                continue
            if function.__module__ != module.__name__:
                continue
            if ACTOR_PARAMS & set(inspect.signature(function).parameters):
                yield f"{module.__name__}.{name}", function


WRITING = dict(_writing_services())


def test_the_enumeration_finds_the_writes():
    assert len(WRITING) > 50
    assert {
        "inventory.services.posting.lots.lot_split",
        "inventory.services.lots.lot_create",
        "surveillance.services.ban_lift",
        "stockchecks.services.stock_check_cancel",
        "diversion.services.verifications.transfer_case_dispatch_reversed",
        "alerts.services.alert_acknowledge",
    } <= set(WRITING)


@pytest.mark.parametrize("name", sorted(set(WRITING) - EXEMPT))
def test_every_writing_service_requires_the_role_and_vetting(name):
    source = inspect.getsource(WRITING[name])
    assert any(guard in source for guard in GUARDS), (
        f"{name} writes for a user but never calls require(): a lapsed user could write"
    )


# --- Behaviour: the writes that only asked can() ---------------------------------------------


def lapse(user):
    user.vetting_expires_on = timezone.localdate() - timedelta(days=1)
    user.save(update_fields=["vetting_expires_on"])
    return user


def assert_vetting_refused(call):
    with pytest.raises(VettingExpired) as refused:
        call()
    assert refused.value.code == "vetting_expired"
    assert refused.value.status == 409


def test_lot_creation(world, clerk):
    lapse(clerk)
    spec = NewLot(world.ball.pk, "Maker", "NEW-1", timezone.localdate())
    assert_vetting_refused(lambda: lot_create(spec=spec, created_by=clerk))


def test_lot_split(world, clerk):
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 10)
    lapse(clerk)
    assert_vetting_refused(
        lambda: lot_split(
            lot=lot, quantities={world.sh1.pk: 3}, suffix="/A", condition="D",
            occurred_on=timezone.localdate(), posted_by=clerk,
        )
    )  # fmt: skip


def test_ban_impose_and_lift(world, inspector):
    lot = world.lot(world.ball)
    world.stock(_clerk_of(world), lot, world.sh1, 5)
    ban = ban_impose(kind="ban", reason="r", reference="x", imposed_by=inspector, lot=lot)
    lapse(inspector)
    assert_vetting_refused(
        lambda: ban_impose(kind="ban", reason="r", reference="y", imposed_by=inspector, lot=lot)
    )
    assert_vetting_refused(lambda: ban_lift(ban=ban, reason="ok", lifted_by=inspector))


def _clerk_of(world):
    from tests.factories import UserFactory

    return UserFactory(roles=["clerk"], depots=[world.depot_a])


def _counting_check(world, clerk):
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 10)
    check = stock_check_plan(depot=world.depot_a, planned_by=clerk, kind=StockCheckKind.FULL)
    return stock_check_start(stock_check=check, started_by=clerk)


def test_stock_check_cancel_and_reason_edit(world, clerk):
    check = _counting_check(world, clerk)
    line = check.lines.get()
    lapse(clerk)
    assert_vetting_refused(lambda: stock_check_cancel(stock_check=check, cancelled_by=clerk))
    assert_vetting_refused(
        lambda: stock_check_line_annotate(line=line, user=clerk, reason="count_variance")
    )


def test_incident_report(world, clerk):
    lapse(clerk)
    assert_vetting_refused(
        lambda: incident_report(
            depot=world.depot_a, reported_by=clerk, kind=IncidentKind.THEFT, title="Theft",
            occurred_on=timezone.localdate(),
        )
    )  # fmt: skip


def test_closing_an_event_alert(world, inspector):
    lot = world.lot(world.ball)
    alert = alert_raise(
        kind=AlertKind.LOSS_RECORDED, depot_id=world.depot_a.pk, lot_id=lot.pk, message="Loss."
    )
    lapse(inspector)
    assert_vetting_refused(lambda: alert_acknowledge(alert=alert, user=inspector))


def test_the_api_answers_409_vetting_expired(api_as, world, clerk):
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 10)
    lapse(clerk)
    response = api_as(clerk).post(
        f"/api/v1/lots/{lot.pk}/split/",
        {"quantity": [{"storehouse": world.sh1.pk, "quantity": 2}], "suffix": "/A",
         "condition": "D", "occurred_on": str(timezone.localdate())},
    )  # fmt: skip
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "vetting_expired"
    response = api_as(clerk).post(
        "/api/v1/lots/",
        {"ammunition_type": world.ball.pk, "manufacturer": "M", "lot_number": "N-9",
         "manufactured_on": "2020-01-01"},
    )  # fmt: skip
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "vetting_expired"
