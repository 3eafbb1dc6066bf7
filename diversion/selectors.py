"""Reads of diversion control, in a fixed number of queries whatever the data size.

Who reads what: the register of parties, their documents, risk assessments, verifications, the
trace and tracing requests are for national readers (officers, auditors, administrators);
transfer cases are also read by the staff of the case's depot (the clerk who dispatches), through
core.scoping.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber, Upper
from django.utils.translation import gettext as _

from accounts.models import User
from core.scoping import NATIONAL_READERS, scope
from diversion.models import (
    AssessmentStatus,
    CaseLine,
    CaseParty,
    Party,
    PartyDocument,
    RiskAnswer,
    RiskAssessment,
    TracingRequest,
    TrainingAllocation,
    TransferCase,
    Verification,
    VerificationResult,
)
from inventory.models import Balance, LedgerLine, Lot
from inventory.models.ledger import DocumentKind

TRACE_LOT_LIMIT = 20
TRACE_EVENT_LIMIT = 2000
LAST_HOLDERS = 5


def reads_register(user: User) -> bool:
    """May the user read the register, assessments, verifications, traces and tracing requests?"""
    return bool(user.is_authenticated and user.is_active and user.role_set & NATIONAL_READERS)


def require_register_reader(user: User) -> None:
    if not reads_register(user):
        raise PermissionDenied(_("Your role does not allow this action here."))


def party_list(*, user: User) -> QuerySet[Party]:
    require_register_reader(user)
    return Party.objects.select_related("status_changed_by")


def party_document_list(*, user: User) -> QuerySet[PartyDocument]:
    require_register_reader(user)
    return PartyDocument.objects.select_related("party", "authenticated_by", "recorded_by")


def transfer_case_list(*, user: User) -> QuerySet[TransferCase]:
    """Cases of the user's depots (every case for national readers)."""
    return scope(
        TransferCase.objects.select_related(
            "depot",
            "consignee",
            "end_user",
            "end_user_certificate",
            "recipient",
            "created_by",
            "dispatch_document",
            "dispatched_by",
        ),
        user,
    )


def transfer_case_detail(*, user: User) -> QuerySet[TransferCase]:
    return transfer_case_list(user=user).prefetch_related(
        Prefetch(
            "lines",
            queryset=CaseLine.objects.select_related("lot__ammunition_type", "storehouse"),
        ),
        Prefetch("chain", queryset=CaseParty.objects.select_related("party")),
    )


def assessment_in_force(*, case: TransferCase, on: date) -> RiskAssessment | None:
    """The approved assessment of the case whose approval has not expired on `on`, if any."""
    return (
        RiskAssessment.objects.filter(
            case=case, status=AssessmentStatus.APPROVED, expires_on__gte=on
        )
        .order_by("-expires_on", "-id")
        .first()
    )


def risk_assessment_list(*, user: User) -> QuerySet[RiskAssessment]:
    require_register_reader(user)
    answered = Count("answers", distinct=True)
    high = Count("answers", filter=Q(answers__risk="high"), distinct=True)
    medium = Count("answers", filter=Q(answers__risk="medium"), distinct=True)
    return RiskAssessment.objects.select_related(
        "case__depot", "checklist", "author", "approved_by", "override_by"
    ).annotate(
        answered=answered,
        high_items=high,
        medium_items=medium,
        item_count=Count("checklist__items", distinct=True),
    )


def risk_assessment_answers(*, assessment: RiskAssessment) -> list[dict]:
    """Every item of the assessment's checklist with its answer (or None), in checklist order."""
    answers = {
        answer.item_id: answer
        for answer in RiskAnswer.objects.filter(assessment=assessment).select_related("answered_by")
    }
    return [
        {"item": item, "answer": answers.get(item.pk)}
        for item in assessment.checklist.items.order_by("position", "id")
    ]


def overall_risk_of(assessment) -> str | None:
    """From the list annotations: the highest item risk answered."""
    if assessment.high_items:
        return "high"
    if assessment.medium_items:
        return "medium"
    return "low" if assessment.answered else None


def verification_list(*, user: User) -> QuerySet[Verification]:
    require_register_reader(user)
    return Verification.objects.select_related(
        "case__depot", "case__end_user", "recorded_by", "incident"
    )


def verification_overdue(*, today: date) -> QuerySet[Verification]:
    return Verification.objects.filter(result=VerificationResult.PENDING, due_on__lt=today)


def tracing_request_list(*, user: User) -> QuerySet[TracingRequest]:
    require_register_reader(user)
    return TracingRequest.objects.select_related("recorded_by", "answered_by")


def history_of(obj) -> list:
    """The object's history records, newest first, each with its changes against the one
    before (`changes`: field → [before, after])."""
    records = list(obj.history.select_related("history_user").order_by("history_date", "pk"))
    previous = None
    for record in records:
        if previous is None:
            record.changes = {}
        else:
            delta = record.diff_against(previous)
            record.changes = {c.field: [_plain(c.old), _plain(c.new)] for c in delta.changes}
        previous = record
    return list(reversed(records))


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


# --- Trace ---------------------------------------------------------------------------------------


def _lots_matching(marking: str, limit: int) -> list[Lot]:
    """Lots whose number contains `marking`, in any letter case (the lot_number_trgm trigram
    index serves it: docs/performance.md)."""
    return list(
        Lot.objects.filter(lot_number__icontains=marking.strip())
        .select_related("ammunition_type")
        .order_by(Upper("lot_number"), "id")[:limit]
    )


def _party_of(line: LedgerLine) -> str:
    document = line.document
    if document.recipient_id is not None:
        return document.recipient.name
    if document.destination_depot_id is not None:
        return document.destination_depot.code
    if document.transfer_id is not None:
        return document.transfer.depot.code
    return document.counterparty


def lot_trace(
    *,
    user: User,
    lot_number: str = "",
    lot_ids: list[int] | None = None,
    posted_until=None,
    all_events: bool = False,
) -> list[dict]:
    """The chain of custody of every lot whose number contains `lot_number` (any letter case),
    or of the lots `lot_ids`: each ledger line in posting order (receipt or import, transfers
    between depots, moves, issues, returns, adjustments, transfers out under a case, disposals),
    current balances, and the transfer cases it left under with their parties and verification
    status. A lot's first TRACE_EVENT_LIMIT events are given (`events_complete` false when it
    has more), or all of them with `all_events`. The trace report passes `posted_until` (its
    cut-off): only lines posted by then are events.

    Six queries whatever the number of lots and lines."""
    require_register_reader(user)
    event_limit = None if all_events else TRACE_EVENT_LIMIT
    if lot_ids is not None:
        lots = list(
            Lot.objects.filter(pk__in=lot_ids)
            .select_related("ammunition_type")
            .order_by(Upper("lot_number"), "id")
        )
    else:
        lots = _lots_matching(lot_number, TRACE_LOT_LIMIT)
    if not lots:
        return []
    ids = [lot.pk for lot in lots]
    balances = defaultdict(list)
    for row in (
        Balance.objects.filter(lot_id__in=ids, quantity__gt=0)
        .select_related("depot", "storehouse")
        .order_by("lot_id", "depot__code", "storehouse__code")
    ):
        balances[row.lot_id].append(
            {
                "depot": row.depot.code,
                "storehouse": row.storehouse.code,
                "quantity": row.quantity,
            }
        )
    events = defaultdict(list)
    lines = LedgerLine.objects.filter(lot_id__in=ids)
    if posted_until is not None:
        lines = lines.filter(posted_at__lte=posted_until)
    lines = lines.select_related(
        "document__recipient",
        "document__destination_depot",
        "document__transfer__depot",
        "depot",
        "storehouse",
    ).order_by("lot_id", "id")
    if event_limit is not None:
        lines = lines.annotate(
            seq=Window(RowNumber(), partition_by=[F("lot_id")], order_by=F("id").asc())
        ).filter(seq__lte=event_limit + 1)
    document_ids = set()
    truncated = set()
    for line in lines:
        if event_limit is not None and line.seq > event_limit:
            truncated.add(line.lot_id)
            continue
        document = line.document
        document_ids.add(document.pk)
        events[line.lot_id].append(
            {
                "line_id": line.pk,
                "document": document.number,
                "document_id": document.pk,
                "kind": document.kind,
                "occurred_on": line.occurred_on,
                "depot": line.depot.code,
                "storehouse": line.storehouse.code,
                "quantity": line.quantity,
                "party": _party_of(line),
                "transfer_case": None,
            }
        )
    cases = {
        case.dispatch_document_id: case
        for case in TransferCase.objects.filter(dispatch_document_id__in=document_ids)
        .select_related("consignee", "end_user")
        .prefetch_related(
            Prefetch("chain", queryset=CaseParty.objects.select_related("party")),
            Prefetch("verifications", queryset=Verification.objects.order_by("due_on", "id")),
        )
    }
    answer = []
    for lot in lots:
        lot_events = events[lot.pk]
        for event in lot_events:
            case = cases.get(event["document_id"])
            if case is not None and event["kind"] == DocumentKind.ISSUE:
                event["transfer_case"] = _case_summary(case)
        answer.append(
            {
                "id": lot.pk,
                "lot_number": lot.lot_number,
                "ammunition_type": lot.ammunition_type.code,
                "manufacturer": lot.manufacturer,
                "balances": balances[lot.pk],
                "events": lot_events,
                "events_complete": lot.pk not in truncated,
            }
        )
    return answer


def _case_summary(case: TransferCase) -> dict:
    return {
        "id": case.pk,
        "number": case.number,
        "consignee": case.consignee.name,
        "end_user": case.end_user.name,
        "destination_country": case.destination_country,
        "parties": [
            {"name": link.party.name, "role": link.role, "country": link.party.country}
            for link in case.chain.all()
        ],
        "verifications": [
            {"kind": v.kind, "due_on": v.due_on.isoformat(), "result": v.result}
            for v in case.verifications.all()
        ],
    }


def tracing_candidates(marking: str) -> list[dict]:
    """For a tracing request: the lots whose number contains the marking (any letter case) and
    their last accountable holders: the depots holding stock now, and the last recipients (units,
    agencies, consignees) and depots the lot left for. Three queries."""
    lots = _lots_matching(marking, TRACE_LOT_LIMIT)
    if not lots:
        return []
    ids = [lot.pk for lot in lots]
    held_quantity = defaultdict(dict)
    for row in Balance.objects.filter(lot_id__in=ids, quantity__gt=0).values(
        "lot_id", "depot__code", "quantity"
    ):
        depots = held_quantity[row["lot_id"]]
        depots[row["depot__code"]] = depots.get(row["depot__code"], 0) + row["quantity"]
    outgoing = defaultdict(list)
    latest = Window(RowNumber(), partition_by=[F("lot_id")], order_by=F("id").desc())
    for line in (
        LedgerLine.objects.filter(
            lot_id__in=ids,
            quantity__lt=0,
            document__kind__in=[DocumentKind.ISSUE, DocumentKind.TRANSFER],
        )
        .select_related("document__recipient", "document__destination_depot", "depot")
        .annotate(recent=latest)
        .filter(recent__lte=LAST_HOLDERS)
        .order_by("lot_id", "-id")
    ):
        document = line.document
        outgoing[line.lot_id].append(
            {
                "document": document.number,
                "kind": document.kind,
                "occurred_on": line.occurred_on.isoformat(),
                "from_depot": line.depot.code,
                "to": _party_of(line),
                "quantity": -line.quantity,
            }
        )
    return [
        {
            "lot": lot.pk,
            "lot_number": lot.lot_number,
            "ammunition_type": lot.ammunition_type.code,
            "manufacturer": lot.manufacturer,
            "held_by": [
                {"depot": depot, "quantity": quantity}
                for depot, quantity in sorted(held_quantity[lot.pk].items())
            ],
            "last_outgoing": outgoing[lot.pk],
        }
        for lot in lots
    ]


def training_allocation_list(*, user: User) -> QuerySet[TrainingAllocation]:
    """Every unit's training allocations (national reference: officers, auditors, admins)."""
    require_register_reader(user)
    return TrainingAllocation.objects.select_related("recipient", "ammunition_type", "set_by")
