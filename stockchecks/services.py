"""The only code that writes stock checks, and the investigation of incidents (DESIGN.md §7).

Stock checks: plan → start (book snapshot, optional freeze) → blind counts and recounts → submit →
approve (variances posted as adjustments through inventory.services.posting) or reject (back to
counting). Incidents: opened automatically for every loss (stock-check losses, lost or stolen
adjustments, transit shortfalls) or reported by hand; investigated and closed with findings.
Incidents and the depot freeze are inventory's records, opened and set through its services.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import SelfApproval
from core.roles import Action
from core.scoping import can, require, require_any
from core.validation import date_not_future
from inventory import locks
from inventory.errors import InvalidState
from inventory.models import (
    INCIDENT_TRANSITIONS,
    Balance,
    Depot,
    Document,
    Incident,
    IncidentDocument,
    IncidentKind,
    IncidentStatus,
    LedgerLine,
    Lot,
    Storehouse,
)
from inventory.models.ledger import AdjustmentReason
from inventory.services import counts, freezes, incidents, posting
from inventory.services.incidents import neq_per_unit
from inventory.services.states import status_require
from stockchecks.models import (
    OPEN_STATUSES,
    Count,
    StockCheck,
    StockCheckKind,
    StockCheckLine,
    StockCheckStatus,
)

MAX_SEED = 2**53

# --- Stock checks --------------------------------------------------------------------------------


def sample_select(
    candidates: Iterable[tuple[int, int]], size: int, seed: int
) -> list[tuple[int, int]]:
    """The random sample of `size` (lot, storehouse) pairs drawn with `seed`: the same candidates
    and seed always give the same pairs (candidates are put in a fixed order first)."""
    ordered = sorted(set(candidates))
    if size >= len(ordered):
        return ordered
    return sorted(random.Random(seed).sample(ordered, size))  # noqa: S311 (selection, not secrecy)


def _locked(stock_check: StockCheck) -> StockCheck:
    return (
        StockCheck.objects.select_for_update(of=("self",))
        .select_related("depot")
        .get(pk=stock_check.pk)
    )


def _require_status(stock_check: StockCheck, *statuses: StockCheckStatus) -> None:
    status_require(stock_check, statuses, _("Stock check %(number)s is %(status)s."))


@transaction.atomic
def stock_check_plan(
    *,
    depot: Depot,
    planned_by: User,
    kind: StockCheckKind,
    storehouse: Storehouse | None = None,
    sample_size: int | None = None,
    seed: int | None = None,
    freeze_depot: bool = False,
    note: str = "",
) -> StockCheck:
    """Plan a 100 % check of a depot or one storehouse, or a random sample check. A sample's seed
    is drawn here when not given, and recorded."""
    require(planned_by, Action.RECORD_MOVEMENT, depot.pk)
    if kind not in StockCheckKind.values:
        raise ValidationError({"kind": [_("Unknown kind of stock check.")]})
    if storehouse is not None and storehouse.depot_id != depot.pk:
        raise ValidationError({"storehouse": [_("This storehouse is not in the depot.")]})
    if kind == StockCheckKind.FULL:
        if sample_size is not None or seed is not None:
            # xgettext:no-python-format
            raise ValidationError({"sample_size": [_("A 100 % check has no sample.")]})
    else:
        if sample_size is None or sample_size < 1:
            raise ValidationError({"sample_size": [_("A sample check counts at least one line.")]})
        if freeze_depot:
            # xgettext:no-python-format
            raise ValidationError({"freeze_depot": [_("Only a 100 % check freezes the depot.")]})
        if seed is None:
            seed = secrets.randbelow(MAX_SEED)
        elif not 0 <= seed < MAX_SEED:
            raise ValidationError({"seed": [_("A seed is a whole number from 0 to 2^53 − 1.")]})
    return StockCheck.objects.create(
        depot=depot,
        storehouse=storehouse,
        kind=kind,
        sample_size=sample_size,
        seed=seed,
        freeze_depot=freeze_depot,
        note=note.strip(),
        planned_by=planned_by,
        planned_at=timezone.now(),
    )


@transaction.atomic
def stock_check_start(*, stock_check: StockCheck, started_by: User) -> StockCheck:
    """Start counting: snapshot the book of every line to count, and freeze the depot if planned.

    Taken under the depot's document-counter lock, which every posting of the depot holds until
    it commits: the snapshot sees every posting before it, none after, and the depot's last
    ledger line id is the cut-off (lines after it are movements during the check)."""
    stock_check = _locked(stock_check)
    _require_status(stock_check, StockCheckStatus.PLANNED)
    depot = stock_check.depot
    require(started_by, Action.RECORD_MOVEMENT, depot.pk)
    locks.counter_lock(depot_id=depot.pk, year=timezone.now().year)
    if stock_check.freeze_depot:
        freezes.depot_freeze(depot=depot, reference=stock_check.number)
    now = timezone.now()
    # Ids are drawn in commit order within a depot (its postings queue on the counter we hold),
    # so every line of this depot above the current maximum is posted after this moment.
    start_line_id = LedgerLine.objects.aggregate(last=Max("id"))["last"] or 0
    balances = Balance.objects.filter(depot=depot, quantity__gt=0)
    if stock_check.storehouse_id is not None:
        balances = balances.filter(storehouse_id=stock_check.storehouse_id)
    book = {
        (lot, sh): qty
        for lot, sh, qty in balances.values_list("lot_id", "storehouse_id", "quantity")
    }
    pairs = sorted(book)
    if stock_check.kind == StockCheckKind.SAMPLE:
        pairs = sample_select(pairs, stock_check.sample_size, stock_check.seed)
    StockCheckLine.objects.bulk_create(
        StockCheckLine(
            stock_check=stock_check, lot_id=lot, storehouse_id=sh, book_at_start=book[(lot, sh)]
        )
        for lot, sh in pairs
    )
    stock_check.population = len(book)
    _book_hidden_while_counting(stock_check)
    stock_check.status = StockCheckStatus.COUNTING
    stock_check.frozen = stock_check.freeze_depot
    stock_check.started_by = started_by
    stock_check.started_at = now
    stock_check.start_line_id = start_line_id
    stock_check.save(
        update_fields=[
            "population", "status", "frozen", "started_by", "started_at", "start_line_id"
        ]
    )  # fmt: skip
    return stock_check


def _book_hidden_while_counting(stock_check: StockCheck) -> None:
    """Counting is blind everywhere, not only on the count pages: the stock list, stock cards,
    lot search and reports hide the book of the storehouses counted from the depot's counters
    until the counts are submitted (inventory.models.counts)."""
    counts.blind_count_begin(
        depot=stock_check.depot, storehouse=stock_check.storehouse, reference=stock_check.number
    )


def _book_at_start(stock_check: StockCheck, lot_id: int, storehouse_id: int) -> int:
    last = (
        LedgerLine.objects.filter(
            lot_id=lot_id, storehouse_id=storehouse_id, id__lte=stock_check.start_line_id
        )
        .order_by("-id")
        .values_list("balance_after", flat=True)
        .first()
    )
    return last or 0


def _movements_since_start(stock_check: StockCheck, lot_id: int, storehouse_id: int) -> int:
    total = LedgerLine.objects.filter(
        lot_id=lot_id, storehouse_id=storehouse_id, id__gt=stock_check.start_line_id
    ).aggregate(total=Sum("quantity"))["total"]
    return total or 0


@transaction.atomic
def stock_check_count(
    *,
    stock_check: StockCheck,
    counted_by: User,
    lot: Lot,
    storehouse: Storehouse,
    quantity: int,
    note: str | None = None,
) -> StockCheckLine:
    """Record a count of one line. A line counted again keeps its earlier counts as history (the
    latest wins). Stock found that is not on the list is added as an extra line. The movements
    posted for the line since the start are recorded with the count, so the variance is
    counted - (book at start + movements), never absorbing them."""
    stock_check = _locked(stock_check)
    require(counted_by, Action.RECORD_MOVEMENT, stock_check.depot_id)
    _require_status(stock_check, StockCheckStatus.COUNTING)
    if quantity < 0:
        raise ValidationError({"quantity": [_("A count is zero or more.")]})
    if storehouse.depot_id != stock_check.depot_id or (
        stock_check.storehouse_id is not None and storehouse.pk != stock_check.storehouse_id
    ):
        raise ValidationError({"storehouse": [_("This storehouse is not part of the check.")]})
    line = (
        StockCheckLine.objects.select_for_update()
        .filter(stock_check=stock_check, lot=lot, storehouse=storehouse)
        .first()
    )
    if line is None:
        line = StockCheckLine.objects.create(
            stock_check=stock_check,
            lot=lot,
            storehouse=storehouse,
            extra=True,
            book_at_start=_book_at_start(stock_check, lot.pk, storehouse.pk),
        )
    now = timezone.now()
    movements = _movements_since_start(stock_check, lot.pk, storehouse.pk)
    Count.objects.create(
        stock_check=stock_check,
        line=line,
        quantity=quantity,
        movements=movements,
        counted_by=counted_by,
        counted_at=now,
    )
    line.counted_quantity = quantity
    line.movements = movements
    line.counts += 1
    fields = ["counted_quantity", "movements", "counts"]
    if note is not None:
        line.note = note.strip()
        fields.append("note")
    line.save(update_fields=fields)
    return line


@transaction.atomic
def stock_check_line_annotate(
    *, line: StockCheckLine, user: User, note: str | None = None, reason: str | None = None
) -> StockCheckLine:
    """Investigation notes on a line, and the reason code its variance will be posted with.

    Once the counts are submitted the reason is the approver's to set: a counter may no longer
    change it (403), only add notes."""
    line = StockCheckLine.objects.select_for_update().select_related("stock_check").get(pk=line.pk)
    stock_check = line.stock_check
    require_any(user, (Action.RECORD_MOVEMENT, Action.APPROVE), stock_check.depot_id)
    _require_status(stock_check, StockCheckStatus.COUNTING, StockCheckStatus.SUBMITTED)
    if (
        reason is not None
        and reason != line.reason
        and stock_check.status == StockCheckStatus.SUBMITTED
        and not can(user, Action.APPROVE, stock_check.depot_id)
    ):
        raise PermissionDenied(
            _("The counts are submitted: the variance reason is now set by the approver.")
        )
    fields = []
    if reason is not None:
        if reason not in AdjustmentReason.values:
            raise ValidationError({"reason": [_("Unknown reason code.")]})
        line.reason = reason
        fields.append("reason")
    if note is not None:
        line.note = note.strip()
        fields.append("note")
    if fields:
        line.save(update_fields=fields)
    return line


@transaction.atomic
def stock_check_submit(*, stock_check: StockCheck, submitted_by: User) -> StockCheck:
    """Hand the counts over for approval: every line must have been counted."""
    stock_check = _locked(stock_check)
    require(submitted_by, Action.RECORD_MOVEMENT, stock_check.depot_id)
    _require_status(stock_check, StockCheckStatus.COUNTING)
    uncounted = stock_check.lines.filter(counted_quantity__isnull=True).count()
    if uncounted:
        raise InvalidState(
            _("%(count)s line(s) of stock check %(number)s are not counted yet.")
            % {"count": uncounted, "number": stock_check.number},
            uncounted=uncounted,
        )
    if not stock_check.lines.exists():
        raise InvalidState(
            _("Stock check %(number)s has no line.") % {"number": stock_check.number}
        )
    counts.blind_count_end(reference=stock_check.number)
    stock_check.status = StockCheckStatus.SUBMITTED
    stock_check.submitted_by = submitted_by
    stock_check.submitted_at = timezone.now()
    stock_check.save(update_fields=["status", "submitted_by", "submitted_at"])
    return stock_check


def _check_second_person(stock_check: StockCheck, user: User) -> None:
    authors = {stock_check.planned_by_id, stock_check.submitted_by_id}
    counted = Count.objects.filter(stock_check=stock_check, counted_by=user).exists()
    if user.pk in authors or counted:
        raise SelfApproval(
            _(
                "Stock check %(number)s is decided by someone who neither planned, counted nor "
                "submitted it."
            )
            % {"number": stock_check.number}
        )


@transaction.atomic
def stock_check_reject(
    *,
    stock_check: StockCheck,
    rejected_by: User,
    note: str,
    recount: Sequence[int] = (),
) -> StockCheck:
    """Send a submitted check back to counting; the lines named in `recount` (ids) must be
    counted again (their counts so far stay in the history)."""
    stock_check = _locked(stock_check)
    require(rejected_by, Action.APPROVE, stock_check.depot_id)
    _require_status(stock_check, StockCheckStatus.SUBMITTED)
    _check_second_person(stock_check, rejected_by)
    if not note.strip():
        raise ValidationError({"note": [_("Say why the counts are sent back.")]})
    recount = set(recount)
    if recount:
        lines = stock_check.lines.filter(pk__in=recount)
        if lines.count() != len(recount):
            raise ValidationError({"recount": [_("A line named is not a line of this check.")]})
        lines.update(counted_quantity=None)
    _book_hidden_while_counting(stock_check)
    stock_check.status = StockCheckStatus.COUNTING
    stock_check.rejections += 1
    stock_check.rejection_note = note.strip()
    stock_check.submitted_by = None
    stock_check.submitted_at = None
    stock_check.save(
        update_fields=["status", "rejections", "rejection_note", "submitted_by", "submitted_at"]
    )
    return stock_check


@transaction.atomic
def stock_check_approve(*, stock_check: StockCheck, approved_by: User) -> StockCheck:
    """Approve a submitted check: unfreeze the depot, post each variance as an adjustment (one
    document per reason code, proposed by the submitter and approved by `approved_by`), open an
    incident for the losses, and record the accuracy figures."""
    stock_check = _locked(stock_check)
    require(approved_by, Action.APPROVE, stock_check.depot_id)
    _require_status(stock_check, StockCheckStatus.SUBMITTED)
    _check_second_person(stock_check, approved_by)
    depot = stock_check.depot
    now = timezone.now()
    if stock_check.frozen:
        freezes.depot_unfreeze(reference=stock_check.number)
        stock_check.frozen = False
        stock_check.save(update_fields=["frozen"])
    lines = list(stock_check.lines.select_related("lot__ammunition_type", "storehouse"))
    by_reason: dict[str, list[StockCheckLine]] = defaultdict(list)
    for line in lines:
        if line.variance:
            by_reason[line.reason].append(line)
    documents: list[tuple[Document, list[StockCheckLine]]] = []
    for reason, reason_lines in sorted(by_reason.items()):
        document = posting.adjustment_create(
            depot=depot,
            lines=[
                posting.Movement(li.lot_id, li.storehouse_id, li.variance) for li in reason_lines
            ],
            reason=reason,
            occurred_on=timezone.localdate(now),
            posted_by=stock_check.submitted_by,
            note=_("Stock check %(number)s: counted against the book.")
            % {"number": stock_check.number},
        )
        documents.append((document, reason_lines))
    losses = [(doc, [li for li in ls if li.variance < 0]) for doc, ls in documents]
    losses = [(doc, ls) for doc, ls in losses if ls]
    if losses:
        units = -sum(li.variance for _doc, ls in losses for li in ls)
        neq = -sum(li.variance * neq_per_unit(li.lot) for _doc, ls in losses for li in ls)
        incidents.incident_open(
            depot_id=depot.pk,
            kind=IncidentKind.COUNT_VARIANCE,
            title=_("Stock check %(number)s: %(units)s units missing")
            % {"number": stock_check.number, "units": units},
            description="\n".join(
                f"{li.lot.lot_number} in {li.storehouse.code}: {li.variance} "
                f"({li.get_reason_display()}){' — ' + li.note if li.note else ''}"
                for _doc, ls in losses
                for li in ls
            ),
            occurred_on=timezone.localdate(now),
            units_lost=units,
            neq_lost_kg=neq,
            stock_check_id=stock_check.pk,
            reported_by=approved_by,
            reported_at=now,
            document_ids=[doc.pk for doc, _ls in losses],
        )
    for document, _ls in documents:
        posting.adjustment_approve(document=document, approved_by=approved_by)
    stock_check.adjustments.set([doc for doc, _ls in documents])
    variances = [line.variance for line in lines]
    stock_check.lines_counted = len(lines)
    stock_check.lines_correct = sum(1 for v in variances if v == 0)
    stock_check.units_variance = sum(variances)
    stock_check.units_variance_abs = sum(abs(v) for v in variances)
    stock_check.neq_variance_kg = sum(
        (line.variance * neq_per_unit(line.lot) for line in lines), Decimal(0)
    )
    stock_check.status = StockCheckStatus.APPROVED
    stock_check.approved_by = approved_by
    stock_check.approved_at = now
    stock_check.save(
        update_fields=[
            "lines_counted", "lines_correct", "units_variance", "units_variance_abs",
            "neq_variance_kg", "status", "approved_by", "approved_at",
        ]
    )  # fmt: skip
    return stock_check


@transaction.atomic
def stock_check_cancel(*, stock_check: StockCheck, cancelled_by: User) -> StockCheck:
    """Abandon an open check (nothing is posted) and unfreeze its depot."""
    stock_check = _locked(stock_check)
    require_any(cancelled_by, (Action.RECORD_MOVEMENT, Action.APPROVE), stock_check.depot_id)
    _require_status(stock_check, *OPEN_STATUSES)
    counts.blind_count_end(reference=stock_check.number)
    freezes.depot_unfreeze(reference=stock_check.number)
    stock_check.status = StockCheckStatus.CANCELLED
    stock_check.frozen = False
    stock_check.cancelled_by = cancelled_by
    stock_check.cancelled_at = timezone.now()
    stock_check.save(update_fields=["status", "frozen", "cancelled_by", "cancelled_at"])
    return stock_check


# --- Incidents -----------------------------------------------------------------------------------


@transaction.atomic
def incident_report(
    *,
    depot: Depot,
    reported_by: User,
    kind: IncidentKind,
    title: str,
    occurred_on: date,
    description: str = "",
    units_lost: int = 0,
    documents: Sequence[Document] = (),
) -> Incident:
    """Report a loss by hand (a theft, a loss found outside a count), optionally naming the
    documents it concerns (of this depot, and not already in another incident)."""
    require_any(reported_by, (Action.RECORD_MOVEMENT, Action.APPROVE), depot.pk)
    if kind not in (IncidentKind.THEFT, IncidentKind.OTHER):
        raise ValidationError({"kind": [_("Report a theft or another loss.")]})
    if not title.strip():
        raise ValidationError({"title": [_("Give the incident a title.")]})
    if units_lost < 0:
        raise ValidationError({"units_lost": [_("Units lost are zero or more.")]})
    date_not_future("occurred_on", occurred_on)
    _check_documents(depot, documents)
    return incidents.incident_open(
        depot_id=depot.pk,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        occurred_on=occurred_on,
        units_lost=units_lost,
        reported_by=reported_by,
        document_ids=[doc.pk for doc in documents],
    )


def _check_documents(depot: Depot, documents: Sequence[Document], incident=None) -> None:
    if any(doc.depot_id != depot.pk for doc in documents):
        raise ValidationError({"documents": [_("A document named is not of this depot.")]})
    taken = IncidentDocument.objects.filter(document__in=documents)
    if incident is not None:
        taken = taken.exclude(incident=incident)
    if taken.exists():
        raise ValidationError({"documents": [_("A document named is in another incident.")]})


@transaction.atomic
def incident_update(
    *,
    incident: Incident,
    user: User,
    status: IncidentStatus | None = None,
    findings: str | None = None,
    suspected_point_of_loss: str | None = None,
    documents: Sequence[Document] | None = None,
) -> Incident:
    """Investigate: move the status (open → under investigation → closed; a closed incident may be
    reopened), record findings and the suspected point of loss, link documents. Closing needs
    findings. Inspectors (and administrators) of the depot investigate."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    require(user, Action.APPROVE, incident.depot_id)
    fields = []
    if findings is not None:
        incident.findings = findings.strip()
        fields.append("findings")
    if suspected_point_of_loss is not None:
        incident.suspected_point_of_loss = suspected_point_of_loss.strip()
        fields.append("suspected_point_of_loss")
    if status is not None and status != incident.status:
        if (
            status not in IncidentStatus.values
            or (incident.status, status) not in INCIDENT_TRANSITIONS
        ):
            raise InvalidState(
                _("Incident %(number)s cannot go from %(from)s to %(to)s.")
                % {"number": incident.number, "from": incident.status, "to": status}
            )
        incident.status = status
        fields.append("status")
        if status == IncidentStatus.CLOSED:
            incident.closed_by = user
            incident.closed_at = timezone.now()
        else:
            incident.closed_by = None
            incident.closed_at = None
        fields += ["closed_by", "closed_at"]
    if incident.status == IncidentStatus.CLOSED and not incident.findings:
        raise ValidationError({"findings": [_("An incident is closed with its findings.")]})
    if documents is not None:
        _check_documents(incident.depot, documents, incident)
        IncidentDocument.objects.filter(incident=incident).exclude(document__in=documents).delete()
        IncidentDocument.objects.bulk_create(
            [IncidentDocument(incident=incident, document=doc) for doc in documents],
            ignore_conflicts=True,
        )
    if fields:
        incident.save(update_fields=fields)
    return incident
