"""`POST ledger-verification/` with `Prefer: respond-async` queues the run in Celery and answers
202 with a job to follow (issue 15: long work out of the web worker); without the header it runs
in the request and answers 200 with the result, as DESIGN.md §11 promises."""

import pytest

from audit.models import LedgerVerification
from audit.services import ledger_verification_perform
from inventory.models import LedgerLine
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/ledger-verification/"


def test_respond_async_queues_the_run_and_the_job_follows_it(
    api_as, auditor, world, clerk, django_capture_on_commit_callbacks
):
    world.stock(clerk, world.lot(world.ball), world.sh1, 10)
    client = api_as(auditor)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(URL, HTTP_PREFER="respond-async")
    assert response.status_code == 202, response.content
    job = response.json()
    assert (job["status"], job["progress"], job["verification"], job["result"]) == (
        "queued",
        0,
        None,
        None,
    )
    assert response["Location"].endswith(f"{URL}jobs/{job['job']}/")
    assert len(queued) == 1  # the Celery task, sent after commit
    assert LedgerVerification.objects.count() == 0  # nothing ran in the web worker
    assert client.get(response["Location"]).json()["status"] == "queued"

    ledger_verification_perform(token=job["job"], user_id=auditor.pk)  # the worker's run
    done = client.get(f"{URL}jobs/{job['job']}/").json()
    assert (done["status"], done["progress"]) == ("done", 100)
    record = LedgerVerification.objects.get()
    assert done["verification"] == record.pk
    assert done["result"]["ok"] is True
    assert done["result"]["lines_checked"] == LedgerLine.objects.count() == 1


def test_without_the_preference_it_runs_in_the_request(api_as, auditor, world):
    response = api_as(auditor).post(URL)
    assert response.status_code == 200
    assert {"ok", "lines_checked", "first_broken"} <= set(response.json())


def test_only_the_auditor_who_queued_it_follows_it(api_as, auditor):
    job = api_as(auditor).post(URL, HTTP_PREFER="wait=5, respond-async").json()["job"]
    other = UserFactory(roles=["auditor"])
    assert api_as(other).get(f"{URL}jobs/{job}/").status_code == 404
    assert api_as(auditor).get(f"{URL}jobs/unknown-token-1234/").status_code == 404
    assert api_as(auditor).get(f"{URL}jobs/bad!token/").status_code == 404


def test_a_clerk_may_neither_queue_nor_follow(api_as, auditor, clerk):
    job = api_as(auditor).post(URL, HTTP_PREFER="respond-async").json()["job"]
    before = LedgerVerification.objects.count()
    assert api_as(clerk).post(URL, HTTP_PREFER="respond-async").status_code == 403
    assert api_as(clerk).get(f"{URL}jobs/{job}/").status_code == 403
    assert LedgerVerification.objects.count() == before
