"""A transfer to prepare: depot A holds 100 rounds of lot BALL-7 in SH2; an end user (a foreign
ministry of defence, verified) with a valid, authenticated end-user certificate; a broker and a
carrier; a second officer to approve."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from core.roles import Role
from diversion import services
from diversion.models import ChecklistItem, Party, PartyDocument, RiskAssessment, TransferCase
from diversion.reference_data import load as load_checklist
from inventory.models import Lot
from tests.factories import UserFactory
from tests.inventory.ledger_world import World


@dataclass
class Transfer:
    world: World
    lot: Lot
    end_user: Party
    broker: Party
    carrier: Party
    certificate: PartyDocument

    def case(self, officer, quantity=40, **extra) -> TransferCase:
        values = {
            "depot": self.world.depot_a,
            "purpose": "export",
            "consignee": self.end_user,
            "end_user": self.end_user,
            "end_user_certificate": self.certificate,
            "lines": [services.CaseLineInput(self.lot, self.world.sh2, quantity)],
            "destination_country": "KE",
            "transit_states": ["TZ"],
            "route": "Road to Dar es Salaam, sea to Mombasa",
            "transport": "Road, then MV Example",
            "chain": [(self.broker, "broker"), (self.carrier, "carrier")],
            "created_by": officer,
        }
        values.update(extra)
        return services.transfer_case_create(**values)

    def approved(self, case, author, approver, risk="low") -> RiskAssessment:
        assessment = services.risk_assessment_create(case=case, author=author)
        for item in ChecklistItem.objects.filter(checklist=assessment.checklist):
            services.risk_answer_set(
                assessment=assessment, item=item, risk=risk, evidence="Checked.",
                answered_by=author,
            )  # fmt: skip
        if risk == "high":
            services.risk_assessment_override(
                assessment=assessment, reason="Escorted delivery", override_by=approver
            )
        return services.risk_assessment_approve(assessment=assessment, approved_by=approver)


@pytest.fixture
def checklist(db):
    """The seed checklist (the data migration loads it; a transactional flush empties it)."""
    from diversion.models import ChecklistItem as Item
    from diversion.models import ChecklistVersion

    load_checklist(ChecklistVersion=ChecklistVersion, ChecklistItem=Item)


@pytest.fixture
def officer2(db):
    return UserFactory(username="officer2", roles=[Role.OFFICER])


@pytest.fixture
def transfer(world, clerk, officer, checklist):
    lot = world.lot(world.ball, "BALL-7", manufacturer="Arsenal 10")
    world.stock(clerk, lot, world.sh2, 100)
    end_user = services.party_create(
        kind="state_end_user", name="Ministry of Defence of Kenya", country="KE",
        identifiers={"registration": "MOD-KE-1"}, status="verified",
        status_reason="Checked with the embassy", status_source="Embassy note 12/2026",
        created_by=officer,
    )  # fmt: skip
    broker = services.party_create(
        kind="broker", name="Brokerage Ltd", country="GB", created_by=officer
    )
    carrier = services.party_create(
        kind="vessel", name="MV Example", country="PA", identifiers={"IMO": "9074729"},
        created_by=officer,
    )  # fmt: skip
    today = timezone.localdate()
    certificate = services.party_document_add(
        party=end_user, kind="end_user_certificate", number="EUC-2026-17",
        issuer="Ministry of Defence of Kenya", valid_from=today - timedelta(days=10),
        valid_until=today + timedelta(days=90), recorded_by=officer,
    )  # fmt: skip
    certificate = services.party_document_authenticate(
        document=certificate, result="authentic", method="Confirmed by the issuing ministry",
        authenticated_by=officer,
    )  # fmt: skip
    return Transfer(
        world=world, lot=lot, end_user=end_user, broker=broker, carrier=carrier,
        certificate=certificate,
    )  # fmt: skip
