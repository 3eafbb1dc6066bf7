"""Demo diversion data on top of the demo stockpile (inventory/demo.py): a register of parties,
an export case from D01 with an approved pre-transfer risk assessment, waiting for the clerk to
dispatch it, and a tracing request. Idempotent: nothing is added once a party exists.

Called by demo.seeding once the stockpile is loaded: `diversion.demo.seed(users=users)`.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from diversion import reference_data, services
from diversion.models import ChecklistItem, ChecklistVersion, Party
from inventory.models import Balance
from inventory.models.reference import AmmunitionCategory


@transaction.atomic
def seed(*, users: dict[str, User]) -> list[str]:
    """Load the demo register and one case; returns notes for the seeding summary."""
    reference_data.load(ChecklistVersion=ChecklistVersion, ChecklistItem=ChecklistItem)
    if Party.objects.exists():
        return ["Diversion: the register already has parties; nothing was added."]
    officer, admin = users["officer"], users["admin"]
    today = timezone.localdate()
    end_user = services.party_create(
        kind="state_end_user", name="Ministry of Defence, Republic of Kalmoria", country="KM",
        identifiers={"ministry code": "MOD-KM-01"}, address="Defence Plaza, Port Kalm",
        status="verified", status_reason="Confirmed by the embassy; previous licences honoured",
        status_source="Embassy note 2026/114", created_by=officer,
    )  # fmt: skip
    forwarder = services.party_create(
        kind="freight_forwarder", name="Meridian Freight Forwarding", country="GB",
        identifiers={"company number": "08123456"}, status="verified",
        status_reason="Registered forwarder, licensed for dangerous goods",
        status_source="Companies register; DG licence DG-7781", created_by=officer,
    )  # fmt: skip
    vessel = services.party_create(
        kind="vessel", name="MV Northern Star", country="PA", identifiers={"IMO": "9074729"},
        created_by=officer,
    )  # fmt: skip
    services.party_create(
        kind="broker", name="Atlas Brokerage Ltd", country="CY",
        identifiers={"registration": "HE-300112"}, status="denied",
        status_reason="Named in a UN panel of experts report for unauthorised re-transfers",
        status_source="UN panel of experts report, 2025", created_by=officer,
    )  # fmt: skip
    certificate = services.party_document_add(
        party=end_user, kind="end_user_certificate", number="KM-EUC-2026-031",
        issuer="Ministry of Defence, Republic of Kalmoria",
        valid_from=today - timedelta(days=20), valid_until=today + timedelta(days=160),
        recorded_by=officer,
    )  # fmt: skip
    services.party_document_authenticate(
        document=certificate, result="authentic",
        method="Confirmed with the issuing ministry through the embassy", authenticated_by=officer,
    )  # fmt: skip
    notes = ["Diversion: 4 parties (one denied broker) and an authenticated end-user certificate."]
    held = (
        Balance.objects.filter(
            depot__code="D01",
            quantity__gte=100,
            lot__condition__availability="issuable",
            lot__ammunition_type__category=AmmunitionCategory.SMALL_ARMS,
        )
        .select_related("lot", "storehouse")
        .order_by("lot__lot_number", "id")
        .first()
    )
    if held is None:
        return notes
    case = services.transfer_case_create(
        depot=held.depot, purpose="export", consignee=end_user, end_user=end_user,
        end_user_certificate=certificate,
        lines=[services.CaseLineInput(held.lot, held.storehouse, min(held.quantity // 10, 5000))],
        destination_country="KM", transit_states=["ZA"],
        route="Road to the port of Durban, sea to Port Kalm", transport="Sea: MV Northern Star",
        port_of_exit="Durban", reference="EXP-2026-007",
        chain=[(forwarder, "freight_forwarder"), (vessel, "vessel")], created_by=officer,
    )  # fmt: skip
    assessment = services.risk_assessment_create(case=case, author=officer)
    for item in ChecklistItem.objects.filter(checklist=assessment.checklist):
        risk = "medium" if item.code == "ammunition-nature" else "low"
        services.risk_answer_set(
            assessment=assessment, item=item, risk=risk, answered_by=officer,
            evidence="Checked for the demo: see the register and the route.",
            sources="Embassy; customs; UN panel reports",
        )  # fmt: skip
    services.risk_assessment_approve(assessment=assessment, approved_by=admin)
    services.tracing_request_record(
        reference="POL-2026-0412", requesting_authority="National Police, Firearms Unit",
        context="seizure", lot_marking=held.lot.lot_number[:4].lower(), quantity=60,
        place="Checkpoint on the northern highway", found_on=today, recorded_by=officer,
    )  # fmt: skip
    notes.append(
        f"Diversion: transfer case {case.number} (lot {held.lot.lot_number}, D01) has an approved "
        "risk assessment: sign in as clerk to dispatch it; a tracing request is on record."
    )
    return notes
