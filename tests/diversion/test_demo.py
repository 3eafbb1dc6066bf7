"""The demo diversion data (diversion/demo.py) on top of the demo stockpile: loads, keeps the
rules (the case is dispatchable by the demo clerk), and a second run adds nothing."""

import pytest
from django.utils import timezone

from accounts.models import User
from demo import seeding
from diversion import demo, services
from diversion.models import Party, RiskAssessment, TracingRequest, TransferCase

pytestmark = pytest.mark.django_db


def test_demo_register_and_case(checklist):
    # The demo's seed runs the diversion demo after the stockpile's.
    summary = seeding.seed(password="demo-password-1")
    users = {user.username: user for user in User.objects.all()}
    assert len([note for note in summary.notes if note.startswith("Diversion")]) == 2
    assert Party.objects.count() == 4
    assert Party.objects.filter(status="denied").count() == 1
    case = TransferCase.objects.get()
    assert RiskAssessment.objects.get(case=case).status == "approved"
    assert TracingRequest.objects.get().candidates
    assert demo.seed(users=users) == [
        "Diversion: the register already has parties; nothing was added."
    ]
    document = services.transfer_case_dispatch(
        case=case, occurred_on=timezone.localdate(), dispatched_by=users["clerk"]
    )
    assert document.kind == "issue"
