"""Ledger verification asked for on the page runs in Celery, not in the web worker (issue 15,
part B); the page follows its progress and then shows the result."""

from urllib.parse import parse_qs, urlparse

import pytest

from audit.models import LedgerVerification
from audit.services import ledger_verification_perform, ledger_verification_progress
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_page_queues_the_run_and_follows_it(
    client, auditor, world, django_capture_on_commit_callbacks
):
    client.force_login(auditor)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post("/audit/ledger/verify/")
    assert response.status_code == 302
    assert len(queued) == 1  # the Celery task, sent after commit
    assert LedgerVerification.objects.count() == 0  # nothing ran in the web worker
    token = parse_qs(urlparse(response["Location"]).query)["job"][0]
    page = client.get(response["Location"]).content.decode()
    assert "Verification queued" in page
    assert f'hx-get="/audit/ledger/verify/{token}/"' in page
    # The worker runs it (the task's body), keeping its progress.
    record = ledger_verification_perform(token=token, user_id=auditor.pk)
    assert record.requested_by == auditor
    assert record.ok
    assert ledger_verification_progress(token=token, user=auditor)["progress"] == 100
    done = client.get(f"/audit/ledger/verify/{token}/").content.decode()
    assert "Ledger intact" in done
    assert "hx-get" not in done  # polling stops
    # Run twice (a redelivered task): nothing more.
    assert ledger_verification_perform(token=token, user_id=auditor.pk) is None
    assert LedgerVerification.objects.count() == 1


def test_another_user_does_not_see_the_run(client, auditor, world):
    client.force_login(auditor)
    response = client.post("/audit/ledger/verify/")
    token = parse_qs(urlparse(response["Location"]).query)["job"][0]
    other = UserFactory(roles=["auditor"])
    assert ledger_verification_progress(token=token, user=other) is None
    client.force_login(other)
    assert (
        "Verification queued" not in client.get(f"/audit/ledger/verify/{token}/").content.decode()
    )


def test_a_clerk_may_not_queue_one(client, clerk):
    client.force_login(clerk)
    assert client.post("/audit/ledger/verify/").status_code == 403
