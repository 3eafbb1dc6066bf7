"""The daily e-mail digest: alerts new in the user's depots since their last digest."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from alerts.digest import alert_digest_run, alert_digest_send
from alerts.models import AlertKind
from alerts.services import alert_raise
from core.models import JobOutcome
from core.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _raise(world, depot, number, kind=AlertKind.LOT_EXPIRED, severity=None):
    lot = world.lot(world.ball, number=number)
    return alert_raise(
        kind=kind, depot_id=depot.pk, lot_id=lot.pk, message=f"Lot {number} expired.",
        severity=severity,
    )  # fmt: skip


def test_each_user_gets_the_new_alerts_of_their_depots(world, depot_a, depot_b):
    UserFactory(email="a@example.org", roles=[Role.CLERK], depots=[depot_a])
    UserFactory(email="o@example.org", roles=[Role.OFFICER])
    UserFactory(email="", roles=[Role.OFFICER])  # no address: skipped
    _raise(world, depot_a, "A-1")
    _raise(world, depot_b, "B-1", kind=AlertKind.LOT_EXPIRING)

    counts = alert_digest_send()

    assert counts == {"sent": 2, "skipped_no_email": 1, "nothing_new": 0}
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"a@example.org", "o@example.org"}
    mine = by_address["a@example.org"]
    assert mine.subject == "[Stockpile] 1 new alert, 1 critical"
    assert "Lot A-1 expired." in mine.body
    assert "B-1" not in mine.body
    national = by_address["o@example.org"].body
    assert "Lot A-1 expired." in national
    assert "Lot B-1 expired." in national
    assert national.index("A-1") < national.index("B-1")  # critical first


def test_each_user_reads_the_digest_in_their_language(world, depot_a):
    UserFactory(email="f@example.org", roles=[Role.CLERK], depots=[depot_a], language="fr")
    UserFactory(email="e@example.org", roles=[Role.CLERK], depots=[depot_a])
    _raise(world, depot_a, "A-1")
    _raise(world, depot_a, "A-2")
    alert_digest_send()
    by_address = {message.to[0]: message for message in mail.outbox}
    with translation.override("fr"):
        subject = translation.ngettext(
            "[Stockpile] %(count)d new alert", "[Stockpile] %(count)d new alerts", 2
        ) % {"count": 2}
    assert subject != "[Stockpile] 2 new alerts"
    assert by_address["f@example.org"].subject.startswith(subject)
    assert by_address["e@example.org"].subject.startswith("[Stockpile] 2 new alerts")
    assert "See every alert" not in by_address["f@example.org"].body
    assert "See every alert" in by_address["e@example.org"].body


def test_a_second_digest_lists_only_what_is_new(world, depot_a):
    UserFactory(email="a@example.org", roles=[Role.CLERK], depots=[depot_a])
    _raise(world, depot_a, "A-1")
    alert_digest_send()
    mail.outbox.clear()

    assert alert_digest_send()["sent"] == 0  # running it again sends nothing
    assert mail.outbox == []

    _raise(world, depot_a, "A-2")
    alert_digest_send(now=timezone.now() + timedelta(seconds=1))
    [message] = mail.outbox
    assert "A-2" in message.body
    assert "A-1" not in message.body
    assert "2 open in all" in message.body


def test_the_digest_is_a_recorded_job(world, depot_a):
    UserFactory(email="a@example.org", roles=[Role.CLERK], depots=[depot_a])
    _raise(world, depot_a, "A-1")
    run = alert_digest_run()
    assert run.outcome == JobOutcome.SUCCEEDED
    assert run.rows_touched["sent"] == 1
    assert len(mail.outbox) == 1
