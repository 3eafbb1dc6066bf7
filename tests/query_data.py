"""More rows in every list, on top of the demo stockpile (tests/test_query_baselines.py).

`grow(n)` adds a round of records to each list the baseline test requests, through the services
(factories for reference data). The demo leaves some lists empty, and an empty list skips its
prefetches: the test grows once before it measures, then twice more. Each record is copied from
what the demo holds (a line of a posted document, a lot, a party), so the rules hold; a candidate
a rule refuses is skipped for the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from alerts.services import alert_raise
from audit.services import checkpoint_take, ledger_verification_run
from core.errors import ApplicationError
from core.jobs import job_run
from diversion import services as diversion
from diversion.models import ChecklistItem, Party, PartyDocument
from inventory.models import AmmunitionType, Balance, Document, Lot, Recipient, Storehouse
from inventory.models.incidents import IncidentKind
from inventory.models.ledger import AdjustmentReason, DocumentKind
from inventory.services import posting
from inventory.services.lots import NewLot
from inventory.services.reversals import document_reverse
from qd.services import exposed_site_create
from reports.services import report_request
from stockchecks.models import StockCheckKind
from stockchecks.services import incident_report, stock_check_plan
from surplus import services as surplus
from surveillance import services as surveillance
from tests.factories import (
    AmmunitionTypeFactory,
    DepotFactory,
    LicenceFactory,
    RecipientFactory,
    StorehouseFactory,
    WaiverFactory,
)

REFUSALS = (ApplicationError, ValidationError, PermissionDenied)


def _first(candidates: Iterable, make: Callable):
    """`make` the first candidate the rules accept (each try in its own savepoint)."""
    refusal = None
    for candidate in candidates:
        try:
            with transaction.atomic():
                return make(candidate)
        except REFUSALS as exc:
            refusal = exc
    raise AssertionError(f"no candidate accepted by {make.__name__}: {refusal!r}")


def _one_line(document: Document) -> tuple[int, int]:
    line = document.lines.order_by("id").first()
    return line.lot_id, line.storehouse_id


def _documents(kind: str):
    return Document.objects.filter(kind=kind, reversal__isnull=True).order_by("-id")[:40]


def grow(n: int) -> None:
    today = timezone.localdate()
    users = {user.username: user for user in User.objects.all()}
    admin, officer, inspector = users["admin"], users["officer"], users["inspector"]
    new_type = _reference(n, admin)
    _ledger(n, today, admin, new_type)
    _surveillance(n, today, inspector)
    _stockchecks(n, today, admin)
    _alerts_and_audit(n, admin)
    _surplus(n, today, officer)
    _diversion(n, today, users)
    _reports(admin)
    _qd(n, admin)
    _imports(n, admin)


def _reference(n: int, admin: User) -> AmmunitionType:
    depot = DepotFactory(code=f"G{n:02d}")
    storehouse = StorehouseFactory(depot=depot)
    LicenceFactory(storehouse=storehouse)
    WaiverFactory(storehouse=storehouse)
    RecipientFactory()
    return AmmunitionTypeFactory()


def _ledger(n: int, today, admin: User, new_type: AmmunitionType) -> None:
    def receipt_of_a_new_lot(document):
        lot_id, storehouse_id = _one_line(document)
        lot = Lot.objects.get(pk=lot_id)
        posting.receipt_post(
            depot=document.depot,
            lines=[
                posting.ReceiptLine(
                    NewLot(
                        ammunition_type_id=lot.ammunition_type_id,
                        manufacturer=lot.manufacturer,
                        lot_number=f"{lot.lot_number}-G{n}",
                        manufactured_on=lot.manufactured_on,
                    ),
                    storehouse_id,
                    1,
                )
            ],
            occurred_on=today,
            posted_by=admin,
            reference=f"GROW-{n}",
        )

    def receipt_of_a_new_type(document):
        """A lot of the round's new type: one more row in every per-type list (surplus, the
        surveillance work list: its propellant was never tested)."""
        _lot_id, storehouse_id = _one_line(document)
        posting.receipt_post(
            depot=document.depot,
            lines=[
                posting.ReceiptLine(
                    NewLot(
                        ammunition_type_id=new_type.pk,
                        manufacturer="Grown Works",
                        lot_number=f"NEW-G{n}",
                        manufactured_on=today - timedelta(days=3650),
                    ),
                    storehouse_id,
                    100,
                )
            ],
            occurred_on=today,
            posted_by=admin,
        )

    def propose_reversal(document):
        """Reversing a receipt takes stock off the books: a proposal for a second person."""
        document_reverse(document=document, reason=f"Round {n}: keyed twice.", posted_by=admin)

    def again(post):
        """One unit of the document's first line, to or from the same recipient."""

        def post_again(document):
            lot_id, storehouse_id = _one_line(document)
            post(
                depot=document.depot,
                lines=[posting.Movement(lot_id, storehouse_id, 1)],
                recipient=document.recipient,
                occurred_on=today,
                posted_by=admin,
            )

        return post_again

    def move_one(balance):
        other = (
            Storehouse.objects.filter(depot=balance.depot)
            .exclude(pk=balance.storehouse_id)
            .order_by("id")
        )
        for destination in other:
            try:
                with transaction.atomic():
                    posting.move_post(
                        depot=balance.depot,
                        lines=[
                            posting.MoveLine(
                                balance.lot_id, balance.storehouse_id, destination.pk, 1
                            )
                        ],
                        occurred_on=today,
                        posted_by=admin,
                    )
                return
            except REFUSALS:
                continue
        raise ApplicationError("no storehouse takes it")

    def dispatch_one(balance):
        destination = Document.objects.exclude(depot=balance.depot).order_by("id").first().depot
        posting.transfer_dispatch(
            depot=balance.depot,
            destination_depot=destination,
            lines=[posting.Movement(balance.lot_id, balance.storehouse_id, 1)],
            occurred_on=today,
            posted_by=admin,
        )

    def adjust_one(balance):
        posting.adjustment_create(
            depot=balance.depot,
            lines=[posting.Movement(balance.lot_id, balance.storehouse_id, -1)],
            reason=AdjustmentReason.COUNT_VARIANCE,
            occurred_on=today,
            posted_by=admin,
            note="Grown for the query baselines.",
        )

    held = Balance.objects.filter(quantity__gte=10).order_by("-quantity", "id")[:40]
    _first(_documents(DocumentKind.RECEIPT), receipt_of_a_new_lot)
    _first(_documents(DocumentKind.RECEIPT), receipt_of_a_new_type)
    _first(_documents(DocumentKind.RECEIPT), propose_reversal)
    _first(_documents(DocumentKind.ISSUE), again(posting.issue_post))
    _first(_documents(DocumentKind.RETURN), again(posting.return_post))
    _first(held, move_one)
    _first(held, dispatch_one)
    _first(held, adjust_one)


def _surveillance(n: int, today, inspector: User) -> None:
    lots = (
        Lot.objects.filter(balances__quantity__gt=0, balances__depot__in=inspector.depot_ids)
        .distinct()
        .order_by("id")
    )
    lot_depots = {
        balance.lot_id: balance.depot
        for balance in Balance.objects.filter(lot__in=lots, quantity__gt=0).select_related("depot")
    }

    def inspect(lot):
        return surveillance.inspection_record(
            lot=lot,
            depot=lot_depots[lot.pk],
            kind="routine",
            inspected_on=today,
            sample_size=5,
            findings=f"Round {n}: no defects.",
            condition=lot.condition_id,
            inspector=inspector,
        )

    def stability_test(lot):
        surveillance.stability_test_record(
            lot=lot,
            depot=lot_depots[lot.pk],
            sampled_on=today - timedelta(days=7),
            laboratory="National propellant laboratory",
            method="heat_flow_calorimetry",
            tested_by=inspector,
            passed=True,
        )

    def ban(lot):
        surveillance.ban_impose(
            kind="constraint",
            lot=lot,
            reason=f"Round {n}: training use only.",
            reference=f"TC-GROW-{n}-{lot.pk}",
            permitted_recipient_kinds=["range"],
            imposed_by=inspector,
        )

    def extend(inspection):
        lot = Lot.objects.get(pk=inspection.lot_id)
        surveillance.shelf_life_extend(
            lot=lot,
            new_expires_on=lot.expires_on + timedelta(days=365),
            reason=f"Round {n}: extended after inspection.",
            decided_by=inspector,
            inspection=inspection,
        )

    def condition_change(lot):
        surveillance.condition_change_post(
            lot=lot,
            condition="B" if lot.condition_id == "A" else "A",
            reason=f"Round {n}: reclassified.",
            depot=lot_depots[lot.pk],
            posted_by=inspector,
        )

    propellant = lots.filter(ammunition_type__contains_propellant=True)
    inspection = _first(lots.filter(expires_on__isnull=False), inspect)
    _first(propellant, stability_test)
    _first(lots.filter(bans__isnull=True), ban)
    _first([inspection], extend)
    _first(lots.filter(condition_id__in=["A", "B"]), condition_change)


def _stockchecks(n: int, today, admin: User) -> None:
    depots = [document.depot for document in _documents(DocumentKind.RECEIPT)]

    def plan(depot):
        stock_check_plan(depot=depot, planned_by=admin, kind=StockCheckKind.FULL, note=f"R{n}")

    def report(depot):
        incident_report(
            depot=depot,
            reported_by=admin,
            kind=IncidentKind.OTHER,
            title=f"Round {n}: a broken seal",
            occurred_on=today,
        )

    _first(depots, plan)
    _first(depots, report)


def _alerts_and_audit(n: int, admin: User) -> None:
    lots = Lot.objects.filter(balances__quantity__gt=0).select_related().order_by("-id")[:40]

    def alert(lot):
        balance = lot.balances.filter(quantity__gt=0).first()
        if (
            alert_raise(
                kind="lot_expiring",
                depot_id=balance.depot_id,
                lot_id=lot.pk,
                message=f"Round {n}: expiring.",
            )
            is None
        ):
            raise ApplicationError("already open")

    _first(lots, alert)
    job_run("query_baselines", lambda: {"grown": 1})
    checkpoint_take(taken_by=admin)
    ledger_verification_run(requested_by=admin)


def _surplus(n: int, today, officer: User) -> None:
    group = surplus.group_create(code=f"GRP-G{n}", name=f"Group {n}", created_by=officer)
    types = [lot.ammunition_type for lot in Lot.objects.select_related("ammunition_type")]

    def requirement(ammunition_type):
        surplus.requirement_set(
            ammunition_type=ammunition_type,
            effective_from=today.replace(month=1, day=1) + timedelta(days=n),
            operational=10,
            training_per_year=1,
            training_years=1,
            testing=1,
            contingency=1,
            approval_reference=f"REQ-G{n}",
            set_by=officer,
        )

    def plan(balance):
        surplus.disposal_plan_create(
            depot=balance.depot,
            method="open_detonation",
            site="Range 4",
            scheduled_from=today + timedelta(days=7),
            scheduled_until=today + timedelta(days=14),
            lines=[surplus.PlanLineInput(balance.lot_id, balance.storehouse_id, 1)],
            created_by=officer,
        )

    _first(types, requirement)

    def member(ammunition_type):
        surplus.group_member_add(group=group, ammunition_type=ammunition_type, added_by=officer)

    _first(types, member)
    snapshot = surplus.snapshot_request(requested_by=None)
    surplus.snapshot_take(snapshot)
    condemned = Balance.objects.filter(quantity__gt=0, lot__condition__availability="unserviceable")
    _first(condemned.order_by("id")[:40], plan)


def _diversion(n: int, today, users: dict[str, User]) -> None:
    officer, admin, clerk = users["officer"], users["admin"], users["clerk"]
    end_user = diversion.party_create(
        kind="state_end_user", name=f"Ministry {n}", country="KM", status="verified",
        status_reason="Confirmed", status_source="Embassy note", created_by=officer,
    )  # fmt: skip
    certificate = diversion.party_document_add(
        party=end_user, kind="end_user_certificate", number=f"EUC-G{n}", issuer="Ministry",
        valid_from=today - timedelta(days=5), valid_until=today + timedelta(days=100),
        recorded_by=officer,
    )  # fmt: skip
    diversion.party_document_authenticate(
        document=certificate, result="authentic", method="Embassy", authenticated_by=officer
    )

    def case(balance):
        created = diversion.transfer_case_create(
            depot=balance.depot, purpose="export", consignee=end_user, end_user=end_user,
            end_user_certificate=PartyDocument.objects.get(pk=certificate.pk),
            lines=[diversion.CaseLineInput(balance.lot, balance.storehouse, 1)],
            destination_country="KM", created_by=officer,
        )  # fmt: skip
        assessment = diversion.risk_assessment_create(case=created, author=officer)
        for item in ChecklistItem.objects.filter(checklist=assessment.checklist):
            diversion.risk_answer_set(
                assessment=assessment, item=item, risk="low", answered_by=officer,
                evidence="Checked.", sources="Register",
            )  # fmt: skip
        diversion.risk_assessment_approve(assessment=assessment, approved_by=admin)
        diversion.transfer_case_dispatch(case=created, occurred_on=today, dispatched_by=clerk)
        created.refresh_from_db()
        diversion.verification_schedule(
            case=created, kind="pre_delivery", due_on=today + timedelta(days=30),
            scheduled_by=officer,
        )  # fmt: skip

    issuable = Balance.objects.filter(
        depot__in=clerk.depot_ids, quantity__gte=10, lot__condition__availability="issuable"
    ).select_related("lot", "storehouse", "depot")
    _first(issuable.order_by("id")[:40], case)
    diversion.tracing_request_record(
        reference=f"POL-G{n}", requesting_authority="Police", context="seizure",
        lot_marking="ba", quantity=1, place="Road", found_on=today, recorded_by=officer,
    )  # fmt: skip
    recipients = Recipient.objects.order_by("id")
    types = [lot.ammunition_type for lot in Lot.objects.select_related("ammunition_type")]

    def allocation(recipient):
        diversion.training_allocation_set(
            recipient=recipient, ammunition_type=types[0], year=today.year + n, quantity=10,
            approval_reference=f"TA-G{n}", set_by=officer,
        )  # fmt: skip

    _first(recipients, allocation)
    assert Party.objects.filter(name=f"Ministry {n}").exists()


def _reports(admin: User) -> None:
    lot = Lot.objects.filter(balances__quantity__gt=0).order_by("id").first()
    report_request(kind="stock_card", parameters={"lot": lot.pk}, requested_by=admin, inline=False)


def _qd(n: int, admin: User) -> None:
    """One more exposed site by each storehouse of the demo depots."""
    for storehouse in Storehouse.objects.filter(depot__code__in=["D01", "D02", "D03"]):
        exposed_site_create(
            depot=storehouse.depot,
            name=f"Farm {n} by {storehouse.code}",
            kind="inhabited_building",
            distances=[{"storehouse": storehouse, "distance_m": Decimal(2000 + n)}],
            created_by=admin,
        )


def _imports(n: int, admin: User) -> None:
    """One more import: a recipient brought in from a file (the imports list, issue 19)."""
    from imports.services import import_submit

    data = (
        "code,name,kind,depot,permitted_restricted,is_active\n"
        f"IMP-{n},Imported unit {n},unit,,false,true\n"
    ).encode()
    outcome = import_submit(
        user=admin, kind="recipients", depot=None, file_name=f"units-{n}.csv", data=data
    )
    assert outcome.status == "imported", outcome.errors
