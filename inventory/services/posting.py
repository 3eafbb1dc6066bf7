"""The posting service: the only code that writes documents, ledger lines and balances.

Every public function here is one transaction that takes its locks through inventory.locks in the
fixed order, checks every rule before it writes, and either posts the whole document or raises
(an ApplicationError -> 409, a ValidationError -> 400, PermissionDenied -> 403) having written
nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import SelfApproval
from core.roles import Action
from core.scoping import can, require, require_any
from inventory import hooks, locks, policy, rules
from inventory.chain import line_hash
from inventory.errors import (
    BREACH_ERRORS,
    AlreadyReversed,
    DepotFrozen,
    InsufficientStock,
    InvalidState,
    LotBanned,
    LotExpired,
    LotNotIssuable,
    PeriodClosed,
    RecipientNotPermitted,
)
from inventory.models import (
    AmmunitionType,
    Balance,
    ChainHead,
    ClosedPeriod,
    Depot,
    Document,
    LedgerLine,
    Licence,
    Lot,
    PendingLine,
    Recipient,
    Storehouse,
    Waiver,
)
from inventory.models.ledger import LOSS_REASONS, AdjustmentReason, DocumentKind, DocumentStatus
from inventory.models.reference import Availability, WaiverRule
from inventory.selectors.bans import bans_binding, bans_from_pairs
from inventory.services.incidents import incident_open_for_adjustment, incident_open_for_transfer
from inventory.services.lots import NewLot, lot_resolve


@dataclass(frozen=True)
class Movement:
    """One signed change of one lot in one storehouse."""

    lot_id: int
    storehouse_id: int
    quantity: int


@dataclass(frozen=True)
class ReceiptLine:
    """A receipt line: `lot` is a lot id or a NewLot, found or created in the posting."""

    lot: int | NewLot
    storehouse_id: int
    quantity: int


@dataclass(frozen=True)
class MoveLine:
    lot_id: int
    from_storehouse_id: int
    to_storehouse_id: int
    quantity: int


# --- Checks --------------------------------------------------------------------------------------


def _check_quantities(movements: Sequence[Movement], *, signed: bool = False) -> None:
    if not movements:
        raise ValidationError({"lines": [_("A document needs at least one line.")]})
    for movement in movements:
        if movement.quantity == 0 or (not signed and movement.quantity < 0):
            raise ValidationError(
                {"lines": [_("Quantities are whole units, more than zero.")]}
                if not signed
                else {"lines": [_("An adjustment line changes stock by a non-zero quantity.")]}
            )


_UNREAD = object()


def _check_date(
    *, depot: Depot, occurred_on: date, now, policy_values: dict, closed=_UNREAD
) -> None:
    """The voucher date: not in the future, within the backdating policy, not in a closed period.

    `closed` is the depot's closed period covering the date (or None) when already read with
    the policy (policy.posting_policy); otherwise it is read here."""
    today = timezone.localdate(now)
    backdate_days = policy.backdate_days(policy_values)
    if occurred_on > today:
        raise ValidationError({"occurred_on": [_("The date cannot be in the future.")]})
    if occurred_on < today - timedelta(days=backdate_days):
        raise ValidationError(
            {
                "occurred_on": [
                    _("The date may be at most %(days)s days in the past.")
                    % {"days": backdate_days}
                ]
            }
        )
    if closed is _UNREAD:
        closed = ClosedPeriod.objects.filter(
            depot=depot, starts_on__lte=occurred_on, ends_on__gte=occurred_on
        ).first()
    if closed is not None:
        raise PeriodClosed(
            _("%(depot)s's accounts for %(start)s to %(end)s are closed.")
            % {"depot": depot.code, "start": closed.starts_on, "end": closed.ends_on}
        )


def _check_not_frozen(depot: Depot, read: policy.PostingPolicy) -> None:
    """A 100 % stock check froze the depot (read with the posting policy, no extra query)."""
    if read.frozen_by is not None:
        raise DepotFrozen(
            _(
                "Depot %(depot)s is frozen for stock check %(check)s: no posting until the check "
                "is approved or cancelled."
            )
            % {"depot": depot.code, "check": read.frozen_by},
            stock_check=read.frozen_by,
        )


def _holdings_after(
    storehouse_ids: set[int],
    deltas: dict[tuple[int, int], int],
    availability: dict[str, str],
    isolating: frozenset[str] = frozenset(),
    lots_read: dict[int, Lot] | None = None,
) -> dict[int, list[rules.Holding]]:
    """Each storehouse's contents after the movement, as rules.Holding (two queries: the
    balances, then the lots with their types and, for note n1, the types each is fitted to).
    `lots_read`, if given, receives the lots read (by id), for the caller to look at without
    another query."""
    quantities: dict[tuple[int, int], int] = defaultdict(int)
    rows = Balance.objects.filter(storehouse_id__in=storehouse_ids, quantity__gt=0).values_list(
        "lot_id", "storehouse_id", "quantity"
    )
    for lot_id, storehouse_id, quantity in rows:
        quantities[(lot_id, storehouse_id)] += quantity
    for (lot_id, storehouse_id), delta in deltas.items():
        if storehouse_id in storehouse_ids:
            quantities[(lot_id, storehouse_id)] += delta
    lot_ids = {lot_id for (lot_id, _sh), quantity in quantities.items() if quantity > 0}
    hosts = AmmunitionType.assembles_to.through.objects.filter(
        from_ammunitiontype_id=OuterRef("ammunition_type_id")
    ).values("to_ammunitiontype_id")
    lots = (
        Lot.objects.select_related("ammunition_type")
        .annotate(hosts=ArraySubquery(hosts))
        .in_bulk(lot_ids)
    )
    if lots_read is not None:
        lots_read.update(lots)
    holdings: dict[int, list[rules.Holding]] = defaultdict(list)
    for (lot_id, storehouse_id), quantity in sorted(quantities.items()):
        if quantity <= 0:
            continue
        lot = lots[lot_id]
        kind = lot.ammunition_type
        per_unit = lot.neq_per_unit_kg if lot.neq_per_unit_kg is not None else kind.neq_per_unit_kg
        holdings[storehouse_id].append(
            rules.Holding(
                lot_id=lot.pk,
                lot_number=lot.lot_number,
                ammunition_type_id=kind.pk,
                hazard_division=kind.hazard_division,
                compatibility_group=kind.compatibility_group,
                neq_kg=per_unit * quantity,
                neq_per_unit_kg=per_unit,
                availability=availability[lot.condition_id],
                shaped_charge=kind.shaped_charge,
                high_energy_propellant=kind.high_energy_propellant,
                assembles_to=frozenset(lot.hosts),
                isolate=lot.condition_id in isolating,
                condition=lot.condition_id,
                ancestry=tuple(lot.ancestry),
                items_per_unit=kind.items_per_unit,
            )
        )
    return holdings


def storehouse_breaches(
    storehouse_ids: set[int], *, on: date, policy_values: dict | None = None
) -> dict[int, list[rules.Breach]]:
    """Every §4 breach of what these storehouses hold now, with the waivers and licences in
    force on `on`: for callers that record a fact they must not refuse (a condition change, a
    split) and then report what it caused. A fixed number of queries."""
    policy_values = policy.policy_values() if policy_values is None else policy_values
    return _breaches(
        set(storehouse_ids),
        {},
        on=on,
        policy_values=policy_values,
        availability=policy.availability_by_condition(),
        isolating=policy.isolating_conditions(),
    )


def _breaches(
    receiving: set[int],
    deltas: dict[tuple[int, int], int],
    *,
    on: date,
    policy_values: dict,
    availability: dict[str, str],
    isolating: frozenset[str],
    lots_read: dict[int, Lot] | None = None,
) -> dict[int, list[rules.Breach]]:
    holdings = _holdings_after(receiving, deltas, availability, isolating, lots_read)
    licences = {
        licence.storehouse_id: licence
        for licence in Licence.objects.filter(
            storehouse_id__in=receiving, valid_from__lte=on, valid_until__gte=on
        ).prefetch_related("limits")
    }
    waivers: dict[int, set[str]] = defaultdict(set)
    for storehouse_id, rule in Waiver.objects.filter(
        storehouse_id__in=receiving, expires_on__gte=on
    ).values_list("storehouse_id", "rule"):
        waivers[storehouse_id].add(rule)
    matrix = policy.mixing_matrix(on)
    storage_policy = policy.storage_policy(policy_values)
    found = {}
    for storehouse_id in sorted(receiving):
        licence = licences.get(storehouse_id)
        waived = waivers[storehouse_id]
        found[storehouse_id] = rules.storage_breaches(
            holdings[storehouse_id],
            matrix=matrix,
            limits=licence.limits_dict() if licence else None,
            policy=storage_policy,
            waived_notes=frozenset(waived & {WaiverRule.SEGREGATION_N2, WaiverRule.AUTHORITY_N4}),
            isolation_waived=WaiverRule.ISOLATION in waived,
        )
    return found


def _check_storage(
    *,
    storehouses: dict[int, Storehouse],
    deltas: dict[tuple[int, int], int],
    on: date,
    policy_values: dict,
    availability: dict[str, str],
    isolating: frozenset[str],
) -> dict[int, Lot]:
    """DESIGN.md §4 for every storehouse receiving stock; raises the first breach found.
    Returns the lots the storehouses hold after the movement (read for the check), by id."""
    receiving = {sh for (_lot, sh), delta in deltas.items() if delta > 0}
    lots: dict[int, Lot] = {}
    if not receiving:
        return lots
    found = _breaches(
        receiving,
        deltas,
        on=on,
        policy_values=policy_values,
        availability=availability,
        isolating=isolating,
        lots_read=lots,
    )
    for storehouse_id in sorted(receiving):
        breaches = found[storehouse_id]
        if breaches:
            breach = breaches[0]
            storehouse = storehouses[storehouse_id]
            raise BREACH_ERRORS[breach.code](
                _("Storehouse %(storehouse)s: %(message)s")
                % {"storehouse": storehouse.code, "message": breach.message},
                rule=breach.rule,
                storehouse=storehouse.code,
                lots=list(breach.lot_numbers),
            )
    return lots


def _report_expired_received(
    document: Document, deltas: dict[tuple[int, int], int], lots: dict[int, Lot], *, today: date
) -> None:
    """Stock of an expired lot (no extension) put into a storehouse is posted, the truth being
    recorded (DESIGN.md §6), and reported at once (inventory.hooks: the `lot_expired` alert).
    Judged on the lots the storage check has read, as the sweep judges them (expired today;
    expired on the voucher date implies it): no query unless such a lot is among them."""
    expired = {
        lot_id
        for (lot_id, _storehouse), delta in deltas.items()
        if delta > 0 and lot_id in lots and lots[lot_id].is_expired(today)
    }
    if expired:
        hooks.expired_stock_received(
            depot_id=document.depot_id, lot_ids=expired, on=document.occurred_on
        )


def issue_availability_check(
    lots: Iterable[Lot],
    *,
    recipient: Recipient | None,
    availability: dict[str, str],
    ban_pairs: Iterable[tuple[int, int]] | None = None,
    on: date | None = None,
) -> None:
    """May these lots go to this recipient (DESIGN.md §6): condition, bans and constraints
    (surveillance), expiry on the voucher date `on` (a lot is valid through its `expires_on`;
    an approved extension has already moved that date), restricted stock only to permitted
    recipients. `ban_pairs` are the lots' binding bans if already read
    (posting_policy(bans_for=...)); otherwise they are read here."""
    lots = list(lots)
    binding = (
        bans_binding(lot.pk for lot in lots) if ban_pairs is None else bans_from_pairs(ban_pairs)
    )
    for lot in lots:
        for ban in binding.get(lot.pk, ()):
            if ban.kind == "ban":
                raise LotBanned(
                    _("Lot %(lot)s is banned (%(reason)s, %(reference)s).")
                    % {"lot": lot.lot_number, "reason": ban.reason, "reference": ban.reference},
                    lot=lot.lot_number,
                    reference=ban.reference,
                )
            kinds = ban.permitted_recipient_kinds
            if kinds and not (recipient and recipient.kind in kinds):
                raise RecipientNotPermitted(
                    _(
                        "Lot %(lot)s is under a constraint (%(reason)s, %(reference)s): it may go "
                        "only to %(kinds)s."
                    )
                    % {
                        "lot": lot.lot_number,
                        "reason": ban.reason,
                        "reference": ban.reference,
                        "kinds": ", ".join(kinds),
                    },
                    lot=lot.lot_number,
                    reference=ban.reference,
                )
        state = availability[lot.condition_id]
        if lot.identity_lost or state in (Availability.SUSPENDED, Availability.UNSERVICEABLE):
            raise LotNotIssuable(
                _("Lot %(lot)s is not issuable (condition %(condition)s, %(state)s).")
                % {"lot": lot.lot_number, "condition": lot.condition_id, "state": state},
                lot=lot.lot_number,
            )
        if on is not None and lot.is_expired(on):
            raise LotExpired(
                _(
                    "Lot %(lot)s expired on %(day)s (its last valid day) and has no extension: "
                    "it may not be issued."
                )
                % {"lot": lot.lot_number, "day": lot.expires_on.isoformat()},
                lot=lot.lot_number,
                expires_on=lot.expires_on.isoformat(),
            )
        if state == Availability.RESTRICTED and not (recipient and recipient.permitted_restricted):
            raise RecipientNotPermitted(
                _(
                    "Lot %(lot)s is restricted (condition %(condition)s) and %(recipient)s may not "
                    "receive restricted stock."
                )
                % {
                    "lot": lot.lot_number,
                    "condition": lot.condition_id,
                    "recipient": recipient.code if recipient else _("this recipient"),
                },
                lot=lot.lot_number,
            )


# --- The posting core ----------------------------------------------------------------------------


def _apply(
    document: Document,
    movements: Sequence[Movement],
    *,
    head: ChainHead,
    posted_at,
    poster_id: int,
    check_storage: bool,
    policy_values: dict,
    availability: dict[str, str],
    isolating: frozenset[str] = frozenset(),
) -> list[LedgerLine]:
    """Lock storehouses and balances, check, then write lines (hash-chained) and balances.

    The caller holds the depot's counter and chain head (`head`) locks, in that order.
    """
    depot = document.depot
    deltas: dict[tuple[int, int], int] = defaultdict(int)
    for movement in movements:
        deltas[(movement.lot_id, movement.storehouse_id)] += movement.quantity
    if deltas and all(delta < 0 for delta in deltas.values()):
        # Outgoing only: no storage rule applies, so no storehouse lock; one UPDATE locks,
        # checks and lowers the balances.
        after = locks.balances_withdraw(deltas, depot_id=depot.pk)
        if len(after) != len(deltas):
            _refuse_withdrawal(depot, movements, deltas, after)
        running = {pair: quantity - deltas[pair] for pair, quantity in after.items()}
        return _write_lines(
            document, movements, head=head, posted_at=posted_at, poster_id=poster_id,
            running=running,
        )  # fmt: skip
    storehouses = locks.storehouses_lock(m.storehouse_id for m in movements)
    for movement in movements:
        storehouse = storehouses.get(movement.storehouse_id)
        if storehouse is None or storehouse.depot_id != depot.pk:
            raise ValidationError(
                {
                    "lines": [
                        _("A storehouse on this document is not in depot %(depot)s.")
                        % {"depot": depot.code}
                    ]
                }
            )
    balances = locks.balances_lock(deltas, dict.fromkeys(storehouses, depot.pk))
    for pair, delta in sorted(deltas.items()):
        balance = balances[pair]
        if balance.quantity + delta < 0:
            lot = Lot.objects.get(pk=pair[0])
            raise InsufficientStock(
                _(
                    "Lot %(lot)s in storehouse %(storehouse)s: %(available)s on hand, "
                    "%(requested)s requested."
                )
                % {
                    "lot": lot.lot_number,
                    "storehouse": storehouses[pair[1]].code,
                    "available": balance.quantity,
                    "requested": -delta,
                },
                lot=lot.lot_number,
                storehouse=storehouses[pair[1]].code,
                available=balance.quantity,
            )
    lots: dict[int, Lot] = {}
    if check_storage:
        lots = _check_storage(
            storehouses=storehouses,
            deltas=deltas,
            on=document.occurred_on,
            policy_values=policy_values,
            availability=availability,
            isolating=isolating,
        )
    lines = _write_lines(
        document,
        movements,
        head=head,
        posted_at=posted_at,
        poster_id=poster_id,
        running={pair: balance.quantity for pair, balance in balances.items()},
    )
    for pair, delta in deltas.items():
        balances[pair].quantity += delta
    Balance.objects.bulk_update([balances[pair] for pair in deltas], ["quantity"])
    _report_expired_received(document, deltas, lots, today=timezone.localdate(posted_at))
    return lines


def _refuse_withdrawal(
    depot: Depot,
    movements: Sequence[Movement],
    deltas: dict[tuple[int, int], int],
    after: dict[tuple[int, int], int],
) -> None:
    """Raise the refusal of an outgoing posting whose balance UPDATE missed a row: the same
    errors, in the same order, as the locking path (a storehouse of another depot, then the
    first pair short of stock). The caller's transaction undoes the rows it did change."""
    storehouses = Storehouse.objects.in_bulk({m.storehouse_id for m in movements})
    for movement in movements:
        storehouse = storehouses.get(movement.storehouse_id)
        if storehouse is None or storehouse.depot_id != depot.pk:
            raise ValidationError(
                {
                    "lines": [
                        _("A storehouse on this document is not in depot %(depot)s.")
                        % {"depot": depot.code}
                    ]
                }
            )
    for pair, delta in sorted(deltas.items()):
        if pair in after:
            continue
        lot_id, storehouse_id = pair
        balance = Balance.objects.filter(lot_id=lot_id, storehouse_id=storehouse_id).first()
        available = balance.quantity if balance is not None else 0
        lot = Lot.objects.get(pk=lot_id)
        raise InsufficientStock(
            _(
                "Lot %(lot)s in storehouse %(storehouse)s: %(available)s on hand, "
                "%(requested)s requested."
            )
            % {
                "lot": lot.lot_number,
                "storehouse": storehouses[storehouse_id].code,
                "available": available,
                "requested": -delta,
            },
            lot=lot.lot_number,
            storehouse=storehouses[storehouse_id].code,
            available=available,
        )
    raise AssertionError("a balance UPDATE missed a row, yet every row can be withdrawn")


def _write_lines(
    document: Document,
    movements: Sequence[Movement],
    *,
    head: ChainHead,
    posted_at,
    poster_id: int,
    running: dict[tuple[int, int], int],
) -> list[LedgerLine]:
    """Write the document's lines, hash-chained from `head`, each with its balance after
    (`running`: each pair's balance before the document), and move the chain head on."""
    depot = document.depot
    lines = []
    prev_hash = head.last_hash
    running = dict(running)
    for movement in movements:
        pair = (movement.lot_id, movement.storehouse_id)
        running[pair] += movement.quantity
        digest = line_hash(
            document_number=document.number,
            kind=document.kind,
            occurred_on=document.occurred_on,
            posted_at=posted_at,
            poster_id=poster_id,
            lot_id=movement.lot_id,
            storehouse_id=movement.storehouse_id,
            quantity=movement.quantity,
            prev_hash=prev_hash,
        )
        lines.append(
            LedgerLine(
                document=document,
                depot=depot,
                lot_id=movement.lot_id,
                storehouse_id=movement.storehouse_id,
                quantity=movement.quantity,
                balance_after=running[pair],
                occurred_on=document.occurred_on,
                posted_at=posted_at,
                prev_hash=prev_hash,
                hash=digest,
            )
        )
        prev_hash = digest
    head.last_hash = prev_hash
    head.line_count += len(lines)
    # The chain head (locked since _new_document) moves on in the lines' own INSERT statement.
    _insert(
        lines,
        with_sql=(
            "WITH head AS (UPDATE inventory_chainhead SET last_hash = %s, line_count = %s "
            "WHERE depot_id = %s) ",
            [head.last_hash, head.line_count, head.depot_id],
        ),
    )
    return lines


_INSERT_SQL: dict[type, tuple[str, str, list]] = {}


def _insert(
    objs: list, *, with_sql: tuple[str, list] = ("", []), also_return: str = ""
) -> tuple | None:
    """INSERT new instances of one model in one statement and set their ids, as bulk_create
    does but without the ORM's compile on every call (a third of a posting's CPU): the SQL is
    built once per model, each value prepared by its field as the ORM would. Like bulk_create,
    it sends no model signals (documents and lines are never saved through save()).

    `with_sql` is a WITH clause and its parameters, run in the same statement; `also_return`
    adds expressions to RETURNING, whose values on the first row are returned (else None)."""
    model = type(objs[0])
    if model not in _INSERT_SQL:
        quote = connection.ops.quote_name
        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        columns = ", ".join(quote(field.column) for field in fields)
        _INSERT_SQL[model] = (
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ",  # noqa: S608 (names from the model, values as parameters)
            f" RETURNING {quote(model._meta.pk.column)}",
            fields,
        )
    head, returning, fields = _INSERT_SQL[model]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [
        field.get_db_prep_save(field.pre_save(obj, True), connection)
        for obj in objs
        for field in fields
    ]
    prefix, prefix_params = with_sql
    with connection.cursor() as cursor:
        cursor.execute(
            prefix + head + ", ".join([row] * len(objs)) + returning + also_return,
            prefix_params + params,
        )
        rows = cursor.fetchall()
    for obj, (pk, *_extra) in zip(objs, rows, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    return tuple(rows[0][1:]) if also_return else None


def document_number(*, depot_code: str, year: int, number: int) -> str:
    """A document's number (DESIGN.md §7): `<depot code>-<year of posted_at>-<6-digit counter>`,
    the counter growing past six digits rather than wrapping."""
    return f"{depot_code}-{year}-{number:06d}"


def _new_document(
    *,
    depot: Depot,
    kind: DocumentKind,
    status: DocumentStatus,
    occurred_on: date,
    posted_by: User,
    now,
    **header,
) -> tuple[Document, ChainHead]:
    """Number and create a document header. Locks the depot's counter, then its chain head,
    and returns the document with the locked head."""
    number = locks.counter_next(depot_id=depot.pk, year=now.year)
    document = Document(
        depot=depot,
        kind=kind,
        number=document_number(depot_code=depot.code, year=now.year, number=number),
        status=status,
        occurred_on=occurred_on,
        posted_at=now,
        posted_by=posted_by,
        **header,
    )
    last_hash, line_count = _insert(
        [document],
        with_sql=(locks.CHAIN_HEAD_LOCK_WITH, [depot.pk]),
        also_return=locks.CHAIN_HEAD_RETURNING,
    )
    if last_hash is None:  # the depot's first document: its chain head is created and locked
        head = locks.chain_head_lock(depot_id=depot.pk)
    else:
        head = ChainHead.from_db(
            connection.alias,
            ["depot_id", "last_hash", "line_count"],
            [depot.pk, last_hash, line_count],
        )
    return document, head


def _post(
    *,
    depot: Depot,
    kind: DocumentKind,
    occurred_on: date,
    posted_by: User,
    movements: Sequence[Movement],
    status: DocumentStatus = DocumentStatus.POSTED,
    check_storage: bool = True,
    policy_values: dict | None = None,
    availability: dict[str, str] | None = None,
    posting_policy: policy.PostingPolicy | None = None,
    **header,
) -> Document:
    now = timezone.now()
    if posting_policy is None:
        posting_policy = policy.posting_policy(depot_id=depot.pk, on=occurred_on)
    policy_values = posting_policy.values if policy_values is None else policy_values
    availability = posting_policy.availability if availability is None else availability
    _check_date(
        depot=depot,
        occurred_on=occurred_on,
        now=now,
        policy_values=policy_values,
        closed=posting_policy.closed,
    )
    _check_not_frozen(depot, posting_policy)
    document, head = _new_document(
        depot=depot,
        kind=kind,
        status=status,
        occurred_on=occurred_on,
        posted_by=posted_by,
        now=now,
        **header,
    )
    lines = _apply(
        document,
        movements,
        head=head,
        posted_at=now,
        poster_id=posted_by.pk,
        check_storage=check_storage,
        policy_values=policy_values,
        availability=availability,
        isolating=posting_policy.isolating,
    )
    document.posted_lines = tuple(lines)
    return document


# --- Document kinds ------------------------------------------------------------------------------


@transaction.atomic
def receipt_post(
    *,
    depot: Depot,
    lines: Sequence[ReceiptLine | Movement],
    occurred_on: date,
    posted_by: User,
    counterparty: str = "",
    reference: str = "",
) -> Document:
    """Receive stock into storehouses of `depot`. New lots named on lines are created here, in
    the same transaction, so a refused receipt leaves no orphan lot behind."""
    require(posted_by, Action.RECORD_MOVEMENT, depot.pk)
    movements = [
        line
        if isinstance(line, Movement)
        else Movement(
            line.lot if isinstance(line.lot, int) else lot_resolve(line.lot).pk,
            line.storehouse_id,
            line.quantity,
        )
        for line in lines
    ]
    _check_quantities(movements)
    return _post(
        depot=depot,
        kind=DocumentKind.RECEIPT,
        occurred_on=occurred_on,
        posted_by=posted_by,
        movements=movements,
        counterparty=counterparty,
        reference=reference,
    )


@transaction.atomic
def issue_post(
    *,
    depot: Depot,
    lines: Sequence[Movement],
    recipient: Recipient,
    occurred_on: date,
    posted_by: User,
    purpose: str = "",
    counterparty: str = "",
    reference: str = "",
) -> Document:
    """Issue stock to a recipient. Refuses lots that are not issuable to it, or not on hand."""
    require(posted_by, Action.RECORD_MOVEMENT, depot.pk)
    _check_quantities(lines)
    if not recipient.is_active:
        raise ValidationError({"recipient": [_("This recipient is no longer active.")]})
    # The share lock first, then one statement reads the policy and the lots' bans: a ban
    # imposed meanwhile has either committed before that read's snapshot or waits for us.
    lot_ids = {line.lot_id for line in lines}
    lots = locks.lots_share_lock(lot_ids)
    read = policy.posting_policy(depot_id=depot.pk, on=occurred_on, bans_for=lot_ids)
    issue_availability_check(
        lots,
        recipient=recipient,
        availability=read.availability,
        ban_pairs=read.ban_pairs,
        on=occurred_on,
    )
    return _post(
        depot=depot,
        kind=DocumentKind.ISSUE,
        occurred_on=occurred_on,
        posted_by=posted_by,
        movements=[Movement(m.lot_id, m.storehouse_id, -m.quantity) for m in lines],
        check_storage=False,
        posting_policy=read,
        recipient=recipient,
        purpose=purpose,
        counterparty=counterparty,
        reference=reference,
    )


@transaction.atomic
def disposal_post(
    *,
    depot: Depot,
    lines: Sequence[Movement],
    occurred_on: date,
    posted_by: User,
    reference: str = "",
    counterparty: str = "",
    purpose: str = "",
) -> Document:
    """Take stock out of the account because it was destroyed, demilitarised or used up in
    training under a disposal plan. Any condition may be disposed of (unserviceable stock is what
    disposal is for), so no availability check applies; the caller (the surplus app) decides
    what a plan may dispose of. Quantities, dates, frozen depots and stock on hand are checked as
    for any withdrawal."""
    require(posted_by, Action.RECORD_MOVEMENT, depot.pk)
    _check_quantities(lines)
    return _post(
        depot=depot,
        kind=DocumentKind.DISPOSAL,
        occurred_on=occurred_on,
        posted_by=posted_by,
        movements=[Movement(m.lot_id, m.storehouse_id, -m.quantity) for m in lines],
        check_storage=False,
        counterparty=counterparty,
        purpose=purpose,
        reference=reference,
    )


@transaction.atomic
def return_post(
    *,
    depot: Depot,
    lines: Sequence[Movement],
    recipient: Recipient,
    occurred_on: date,
    posted_by: User,
    source_issue: Document | None = None,
    reference: str = "",
) -> Document:
    """Take back stock returned unused by a recipient, with the issue it came from where known.

    With the policy switch RETURNS_AWAIT_CLASSIFICATION on (the default, DESIGN.md §6), the lines
    name the lots as issued, but the stock is posted into a child lot of each (the lot number
    plus "-R1", "-R2"... one per return, ancestry set as for a split) in condition K, awaiting an
    inspector's classification: the document's lines name the children. K is stored apart
    (rule 2), so the storehouse must be a quarantine store or hold nothing else; otherwise the
    usual refusal, and the children are not created. Off: the stock goes back into the lot."""
    require(posted_by, Action.RECORD_MOVEMENT, depot.pk)
    _check_quantities(lines)
    if source_issue is not None and (
        source_issue.kind != DocumentKind.ISSUE or source_issue.depot_id != depot.pk
    ):
        raise ValidationError({"issue": [_("Not an issue of this depot.")]})
    read = policy.posting_policy(depot_id=depot.pk, on=occurred_on)
    if policy.returns_await_classification(read.values):
        lines = _return_children(lines, availability=read.availability)
    return _post(
        depot=depot,
        kind=DocumentKind.RETURN,
        occurred_on=occurred_on,
        posted_by=posted_by,
        movements=lines,
        posting_policy=read,
        recipient=recipient,
        source_issue=source_issue,
        reference=reference,
    )


def _return_children(lines: Sequence[Movement], *, availability: dict[str, str]) -> list[Movement]:
    """The return's lines moved onto a new child of each returned lot, in condition K: one child
    per lot per return, suffixed -R1, -R2... (the first free number). The returned lots are
    locked first (by id), so two returns of one lot never pick the same suffix."""
    condition = policy.RETURNS_CONDITION
    if condition not in availability:
        raise ImproperlyConfigured(
            f"Condition code {condition} (returns awaiting classification) is missing from the "
            f"condition table, yet the policy switch returns_await_classification is on."
        )
    lot_ids = sorted({line.lot_id for line in lines})
    parents = {
        lot.pk: lot for lot in Lot.objects.select_for_update().filter(pk__in=lot_ids).order_by("pk")
    }
    if len(parents) != len(lot_ids):
        raise ValidationError({"lines": [_("Unknown lot.")]})
    children: dict[int, int] = {}
    for lot_id in lot_ids:
        parent = parents[lot_id]
        taken = {
            number.upper()
            for number in Lot.objects.filter(
                ammunition_type_id=parent.ammunition_type_id,
                manufacturer=parent.manufacturer,
                lot_number__istartswith=f"{parent.lot_number}-R",
            ).values_list("lot_number", flat=True)
        }
        serial = 1
        while f"{parent.lot_number}-R{serial}".upper() in taken:
            serial += 1
        child = lot_child_create(
            parent, lot_number=f"{parent.lot_number}-R{serial}", condition=condition
        )
        children[lot_id] = child.pk
    return [Movement(children[line.lot_id], line.storehouse_id, line.quantity) for line in lines]


@transaction.atomic
def move_post(
    *,
    depot: Depot,
    lines: Sequence[MoveLine],
    occurred_on: date,
    posted_by: User,
    reference: str = "",
) -> Document:
    """Move stock between storehouses of one depot; the destination's storage rules apply."""
    require(posted_by, Action.RECORD_MOVEMENT, depot.pk)
    if any(line.from_storehouse_id == line.to_storehouse_id for line in lines):
        raise ValidationError({"lines": [_("A move goes to a different storehouse.")]})
    _check_quantities([Movement(m.lot_id, m.from_storehouse_id, m.quantity) for m in lines])
    movements = []
    for line in lines:
        movements.append(Movement(line.lot_id, line.from_storehouse_id, -line.quantity))
        movements.append(Movement(line.lot_id, line.to_storehouse_id, line.quantity))
    return _post(
        depot=depot,
        kind=DocumentKind.INTERNAL_MOVE,
        occurred_on=occurred_on,
        posted_by=posted_by,
        movements=movements,
        reference=reference,
    )


@transaction.atomic
def transfer_dispatch(
    *,
    depot: Depot,
    destination_depot: Depot,
    lines: Sequence[Movement],
    occurred_on: date,
    posted_by: User,
    reference: str = "",
) -> Document:
    """Dispatch stock to another depot: it leaves here now and is in transit until received."""
    require(posted_by, Action.RECORD_MOVEMENT, depot.pk)
    _check_quantities(lines)
    if destination_depot.pk == depot.pk:
        raise ValidationError({"destination_depot": [_("Use an internal move within a depot.")]})
    return _post(
        depot=depot,
        kind=DocumentKind.TRANSFER,
        status=DocumentStatus.IN_TRANSIT,
        occurred_on=occurred_on,
        posted_by=posted_by,
        movements=[Movement(m.lot_id, m.storehouse_id, -m.quantity) for m in lines],
        check_storage=False,
        destination_depot=destination_depot,
        reference=reference,
    )


@transaction.atomic
def transfer_receive(
    *,
    transfer: Document,
    lines: Sequence[Movement],
    occurred_on: date,
    posted_by: User,
    reference: str = "",
) -> Document:
    """Receive a transfer at its destination. Less than was sent is a transit discrepancy; a lot
    that was not sent, or more than was sent, is refused. Returns the receipt document, whose
    `transfer` is the transfer with its resulting status."""
    transfer = (
        Document.objects.select_for_update(of=("self",))
        .select_related("destination_depot")
        .get(pk=transfer.pk)
    )
    depot = transfer.destination_depot
    if transfer.kind != DocumentKind.TRANSFER or depot is None:
        raise ValidationError(_("Not a transfer."))
    require(posted_by, Action.RECORD_MOVEMENT, depot.pk)
    if transfer.status != DocumentStatus.IN_TRANSIT or document_is_reversed(transfer):
        raise InvalidState(
            _("Transfer %(number)s is not in transit: it was received or cancelled.")
            % {"number": transfer.number}
        )
    _check_quantities(lines)
    if occurred_on < transfer.occurred_on:
        raise ValidationError({"occurred_on": [_("A transfer is received after its dispatch.")]})
    sent: dict[int, int] = defaultdict(int)
    for lot_id, quantity in transfer.lines.values_list("lot_id", "quantity"):
        sent[lot_id] -= quantity
    received: dict[int, int] = defaultdict(int)
    for line in lines:
        received[line.lot_id] += line.quantity
    for lot_id, quantity in received.items():
        if quantity > sent.get(lot_id, 0):
            raise ValidationError(
                {
                    "lines": [
                        _(
                            "More of a lot was received than was sent, or a lot that was not "
                            "sent: record the surplus with a separate receipt."
                        )
                    ]
                }
            )
    shortfall = any(received.get(lot_id, 0) < quantity for lot_id, quantity in sent.items())
    receipt = _post(
        depot=depot,
        kind=DocumentKind.TRANSFER_RECEIPT,
        occurred_on=occurred_on,
        posted_by=posted_by,
        movements=[line for line in lines if line.quantity],
        transfer=transfer,
        counterparty=transfer.depot.code,
        reference=reference,
    )
    transfer.status = (
        DocumentStatus.RECEIVED_WITH_DISCREPANCY if shortfall else DocumentStatus.RECEIVED
    )
    transfer.save(update_fields=["status"])
    if shortfall:  # a potential diversion: an incident to investigate
        incident_open_for_transfer(transfer=transfer, receipt=receipt, reported_by=posted_by)
    return receipt


@transaction.atomic
def adjustment_create(
    *,
    depot: Depot,
    lines: Sequence[Movement],
    reason: AdjustmentReason,
    occurred_on: date,
    posted_by: User,
    note: str = "",
) -> Document:
    """Propose an adjustment: pending approval by a second person, no effect on balances yet."""
    require(posted_by, Action.RECORD_MOVEMENT, depot.pk)
    _check_quantities(lines, signed=True)
    if reason not in AdjustmentReason.values:
        raise ValidationError({"reason": [_("Unknown reason code.")]})
    now = timezone.now()
    _check_date(depot=depot, occurred_on=occurred_on, now=now, policy_values=policy.policy_values())
    storehouses = Storehouse.objects.filter(pk__in={m.storehouse_id for m in lines}, depot=depot)
    if storehouses.count() != len({m.storehouse_id for m in lines}):
        raise ValidationError(
            {
                "lines": [
                    _("A storehouse on this document is not in depot %(depot)s.")
                    % {"depot": depot.code}
                ]
            }
        )
    document, _head = _new_document(
        depot=depot,
        kind=DocumentKind.ADJUSTMENT,
        status=DocumentStatus.PENDING_APPROVAL,
        occurred_on=occurred_on,
        posted_by=posted_by,
        now=now,
        reason=reason,
        note=note,
    )
    PendingLine.objects.bulk_create(
        PendingLine(
            document=document, lot_id=m.lot_id, storehouse_id=m.storehouse_id, quantity=m.quantity
        )
        for m in lines
    )
    return document


def _pending_adjustment(document: Document, decided_by: User) -> Document:
    document = Document.objects.select_for_update().select_related("depot").get(pk=document.pk)
    if document.kind != DocumentKind.ADJUSTMENT:
        raise ValidationError(_("Not an adjustment."))
    require(decided_by, Action.APPROVE, document.depot_id)
    if document.status != DocumentStatus.PENDING_APPROVAL:
        raise InvalidState(
            _("Adjustment %(number)s is already %(status)s.")
            % {"number": document.number, "status": document.get_status_display()}
        )
    if document.posted_by_id == decided_by.pk:
        raise SelfApproval(_("An adjustment is approved by someone other than its author."))
    return document


@transaction.atomic
def adjustment_approve(*, document: Document, approved_by: User) -> Document:
    """Approve a pending adjustment: its lines are posted now, under the rules of any posting."""
    document = _pending_adjustment(document, approved_by)
    locks.counter_lock(depot_id=document.depot_id, year=timezone.now().year)
    head = locks.chain_head_lock(depot_id=document.depot_id)
    now = timezone.now()
    read = policy.posting_policy(depot_id=document.depot_id, on=document.occurred_on)
    _check_not_frozen(document.depot, read)
    movements = [
        Movement(line.lot_id, line.storehouse_id, line.quantity)
        for line in document.pending_lines.all()
    ]
    _apply(
        document,
        movements,
        head=head,
        posted_at=now,
        poster_id=approved_by.pk,
        check_storage=True,
        policy_values=read.values,
        availability=read.availability,
        isolating=read.isolating,
    )
    document.status = DocumentStatus.POSTED
    document.approved_by = approved_by
    document.decided_at = now
    document.save(update_fields=["status", "approved_by", "decided_at"])
    if document.reason in LOSS_REASONS:  # lost or stolen: an incident to investigate
        incident_open_for_adjustment(document=document, reported_by=approved_by)
    return document


@transaction.atomic
def adjustment_reject(*, document: Document, rejected_by: User) -> Document:
    document = _pending_adjustment(document, rejected_by)
    document.status = DocumentStatus.REJECTED
    document.approved_by = rejected_by
    document.decided_at = timezone.now()
    document.save(update_fields=["status", "approved_by", "decided_at"])
    return document


def _reversal_movements(*, document: Document, reason: str, user: User) -> list[Movement]:
    """Lock a document and check that it may be reversed now: the movements of its reversal.
    Rights are checked by the caller (inventory.services.reversals), which decides whether the
    reversal is posted at once or waits for a second person."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the document is reversed.")]})
    if document_is_reversed(document):
        raise AlreadyReversed(
            _("Document %(number)s has already been reversed.") % {"number": document.number}
        )
    if document.kind == DocumentKind.REVERSAL:
        raise InvalidState(_("A reversal is not reversed: post a new document instead."))
    if document.kind == DocumentKind.CONDITION_CHANGE:
        raise InvalidState(
            _("A condition change is not reversed: record a new condition change instead.")
        )
    received_transfer = document.kind == DocumentKind.TRANSFER and document.status in (
        DocumentStatus.RECEIVED,
        DocumentStatus.RECEIVED_WITH_DISCREPANCY,
    )
    if received_transfer and not Document.objects.filter(reverses__transfer=document).exists():
        raise InvalidState(
            _("Transfer %(number)s has been received: reverse its receipt first.")
            % {"number": document.number}
        )
    if document.status not in (DocumentStatus.POSTED, DocumentStatus.IN_TRANSIT) and not (
        received_transfer
    ):
        raise InvalidState(
            _(
                "Document %(number)s is %(status)s: only posted documents and transfers in transit "
                "are reversed."
            )
            % {"number": document.number, "status": document.get_status_display()}
        )
    movements = [
        Movement(lot_id, storehouse_id, -quantity)
        for lot_id, storehouse_id, quantity in document.lines.order_by("id").values_list(
            "lot_id", "storehouse_id", "quantity"
        )
    ]
    if document.kind == DocumentKind.LOT_SPLIT:
        _check_split_reversal(document, movements, user)
    return movements


def _reversal_post(
    *,
    document: Document,
    movements: Sequence[Movement],
    reason: str,
    posted_by: User,
    approved_by: User | None = None,
) -> Document:
    """Post the exact opposite of a document (checked by `_reversal_movements`)."""
    header = {}
    if approved_by is not None:
        header = {"approved_by": approved_by, "decided_at": timezone.now()}
    return _post(
        depot=document.depot,
        kind=DocumentKind.REVERSAL,
        occurred_on=timezone.localdate(),
        posted_by=posted_by,
        movements=movements,
        reverses=document,
        note=reason.strip(),
        reference=document.number,
        **header,
    )


def _check_split_reversal(
    document: Document, movements: Sequence[Movement], posted_by: User
) -> None:
    """Reversing a split returns the child's stock to its parent, so it gives that stock the
    parent's condition: the same right as that condition change (DESIGN.md §5). A clerk may
    undo a split into a worse condition only if it were made again the other way round, which
    it cannot: a condemnation split is undone by an inspector."""
    # In each storehouse, stock goes from the lot losing it to the lot gaining it: from the
    # child back to its parent for a split, from the parent back to the child for a merge.
    losing = {m.storehouse_id: m.lot_id for m in movements if m.quantity < 0}
    gaining = {m.storehouse_id: m.lot_id for m in movements if m.quantity > 0}
    lots = Lot.objects.in_bulk({*losing.values(), *gaining.values()})
    availability = policy.availability_by_condition()
    for storehouse_id, lot_id in sorted(losing.items()):
        if storehouse_id not in gaining:
            continue
        source, target = lots[lot_id], lots[gaining[storehouse_id]]
        _check_condition_improvement(
            lot=source,
            current=source.condition_id,
            target=target.condition_id,
            availability=availability,
            user=posted_by,
            depot_id=document.depot_id,
        )


def document_is_reversed(document: Document) -> bool:
    return Document.objects.filter(reverses=document).exists()


def _bans_of_kind_ban(lot: Lot) -> list:
    """The active bans (not constraints) binding the lot: on it, on a lot it was split from, or
    on its type (read as issue_availability_check reads them)."""
    return [ban for ban in bans_binding([lot.pk]).get(lot.pk, ()) if ban.kind == "ban"]


def _check_condition_improvement(
    *, lot: Lot, current: str, target: str, availability: dict[str, str], user: User, depot_id: int
) -> None:
    """Stock of `lot` going from condition `current` to `target` without a condition change
    (a split, or the reversal of one): a change that is not to a strictly worse availability is
    for someone who may record surveillance in the depot (403 otherwise), and never while a ban
    binds the lot (409 lot_banned). DESIGN.md §5."""
    if not rules.condition_improves(current, target, availability):
        return
    if not can(user, Action.RECORD_SURVEILLANCE, depot_id):
        raise PermissionDenied(
            _(
                "Condition %(target)s is not worse than lot %(lot)s's condition %(current)s: only "
                "someone who records surveillance in this depot (an inspector) decides that."
            )
            % {"target": target, "lot": lot.lot_number, "current": current}
        )
    require(user, Action.RECORD_SURVEILLANCE, depot_id)
    bans = _bans_of_kind_ban(lot)
    if bans:
        ban = bans[0]
        raise LotBanned(
            _(
                "Lot %(lot)s is banned (%(reason)s, %(reference)s): its stock may not go from "
                "condition %(current)s to %(target)s."
            )
            % {
                "lot": lot.lot_number,
                "reason": ban.reason,
                "reference": ban.reference,
                "current": current,
                "target": target,
            },
            lot=lot.lot_number,
            reference=ban.reference,
        )


@transaction.atomic
def lot_split(
    *,
    lot: Lot,
    quantities: dict[int, int],
    suffix: str,
    condition: str,
    occurred_on: date,
    posted_by: User,
    reason: str = "",
) -> Lot:
    """Split part of a lot into a child lot with its own condition (DESIGN.md §5), in the same
    storehouses. A split never improves a condition unless the user may record surveillance in
    the depot and no ban binds the lot: a clerk splits into the parent's condition or a worse
    availability (else 403). Like a condition change it is never refused for storage: a breach
    it creates is reported at once (inventory.hooks: the `suspect_mixed` alert)."""
    lot = Lot.objects.select_related("ammunition_type").get(pk=lot.pk)
    suffix = suffix.strip()
    if not suffix:
        raise ValidationError({"suffix": [_("A child lot is marked with a suffix.")]})
    if not quantities or any(quantity <= 0 for quantity in quantities.values()):
        raise ValidationError({"quantity": [_("Quantities are whole units, more than zero.")]})
    availability = policy.availability_by_condition()
    if condition not in availability:
        raise ValidationError({"condition": [_("Unknown condition code.")]})
    storehouses = Storehouse.objects.filter(pk__in=quantities).values_list("depot_id", flat=True)
    depot_ids = set(storehouses)
    if len(depot_ids) != 1 or len(storehouses) != len(quantities):
        raise ValidationError({"quantity": [_("Split in storehouses of one depot.")]})
    depot = Depot.objects.get(pk=depot_ids.pop())
    # Clerks split on an inspector's finding; inspectors split when they condemn part of a lot.
    require_any(posted_by, (Action.RECORD_MOVEMENT, Action.RECORD_SURVEILLANCE), depot.pk)
    _check_condition_improvement(
        lot=lot,
        current=lot.condition_id,
        target=condition,
        availability=availability,
        user=posted_by,
        depot_id=depot.pk,
    )
    child_number = f"{lot.lot_number}{suffix}"
    if Lot.objects.filter(
        ammunition_type=lot.ammunition_type,
        manufacturer=lot.manufacturer,
        lot_number__iexact=child_number,
    ).exists():
        raise ValidationError(
            {"suffix": [_("Lot %(lot)s already exists.") % {"lot": child_number}]}
        )
    child = lot_child_create(lot, lot_number=child_number, condition=condition)
    movements = []
    for storehouse_id, quantity in sorted(quantities.items()):
        movements.append(Movement(lot.pk, storehouse_id, -quantity))
        movements.append(Movement(child.pk, storehouse_id, quantity))
    _post(
        depot=depot,
        kind=DocumentKind.LOT_SPLIT,
        occurred_on=occurred_on,
        posted_by=posted_by,
        movements=movements,
        check_storage=False,
        availability=availability,
        reason=f"condition {condition}",
        note=reason,
        reference=lot.lot_number,
    )
    hooks.storage_changed(storehouse_ids=quantities, on=occurred_on)
    return child


def lot_child_create(parent: Lot, *, lot_number: str, condition: str) -> Lot:
    """A lot split off `parent` (same marking plus a suffix): its identity, dates and NEQ, the
    given condition, and its ancestry, through which it inherits the parent's surveillance."""
    return Lot.objects.create(
        ammunition_type=parent.ammunition_type,
        manufacturer=parent.manufacturer,
        lot_number=lot_number,
        country_of_manufacture=parent.country_of_manufacture,
        manufactured_on=parent.manufactured_on,
        batch=parent.batch,
        parent=parent,
        ancestry=[parent.pk, *parent.ancestry],
        expires_on=parent.expires_on,
        expiry_overridden=parent.expiry_overridden,
        neq_per_unit_kg=parent.neq_per_unit_kg,
        condition_id=condition,
        identity_lost=parent.identity_lost,
    )


@transaction.atomic
def lot_merge(
    *, lot: Lot, posted_by: User, occurred_on: date | None = None, reason: str = ""
) -> Document:
    """Move a classified child lot's whole stock back into its parent (DESIGN.md §6: returns
    awaiting classification), in the storehouses where the child holds it: a posted lot-split
    document the other way round (- child, + parent, same storehouse), checked under §4 like any
    movement into a storehouse. For an inspector of the depot (RECORD_SURVEILLANCE, vetted);
    409 `invalid_state` unless the lot has a parent in the same condition and stock in one
    depot, 409 `lot_banned` if a ban or constraint binds the child and not its parent. Nothing
    is edited or deleted: the child stays, at zero."""
    child = Lot.objects.get(pk=lot.pk)
    if child.parent_id is None:
        raise InvalidState(
            _("Lot %(lot)s was not split from another lot: there is no parent to merge into.")
            % {"lot": child.lot_number}
        )
    # Both lots locked (by id), as a condition change locks its lot: neither changes condition
    # while the merge is posted.
    lots = {
        each.pk: each
        for each in Lot.objects.select_for_update()
        .filter(pk__in=(child.pk, child.parent_id))
        .order_by("pk")
    }
    child, parent = lots[child.pk], lots[child.parent_id]
    held = list(
        Balance.objects.filter(lot=child, quantity__gt=0)
        .order_by("storehouse_id")
        .values_list("storehouse_id", "depot_id", "quantity")
    )
    depot_ids = {depot_id for _sh, depot_id, _q in held}
    for depot_id in sorted(depot_ids):
        require(posted_by, Action.RECORD_SURVEILLANCE, depot_id)
    if not held:
        raise InvalidState(
            _("Lot %(lot)s has no stock to merge.") % {"lot": child.lot_number},
            lot=child.lot_number,
        )
    if len(depot_ids) > 1:
        raise InvalidState(
            _("Lot %(lot)s is held in several depots: bring its stock into one depot first.")
            % {"lot": child.lot_number},
            lot=child.lot_number,
        )
    if child.condition_id != parent.condition_id:
        raise InvalidState(
            _(
                "Lot %(lot)s is in condition %(condition)s and its parent %(parent)s in "
                "%(parent_condition)s: a child is merged back only in its parent's condition "
                "(classify it first)."
            )
            % {
                "lot": child.lot_number,
                "condition": child.condition_id,
                "parent": parent.lot_number,
                "parent_condition": parent.condition_id,
            },
            lot=child.lot_number,
            parent=parent.lot_number,
        )
    binding = bans_binding([child.pk, parent.pk])
    parent_bans = {ban.pk for ban in binding.get(parent.pk, ())}
    own = [ban for ban in binding.get(child.pk, ()) if ban.pk not in parent_bans]
    if own:
        ban = own[0]
        raise LotBanned(
            _(
                "Lot %(lot)s is under a %(kind)s of its own (%(reason)s, %(reference)s): merged "
                "into %(parent)s its stock would escape it."
            )
            % {
                "lot": child.lot_number,
                "kind": ban.kind,
                "reason": ban.reason,
                "reference": ban.reference,
                "parent": parent.lot_number,
            },
            lot=child.lot_number,
            reference=ban.reference,
        )
    movements = []
    for storehouse_id, _depot_id, quantity in held:
        movements.append(Movement(child.pk, storehouse_id, -quantity))
        movements.append(Movement(parent.pk, storehouse_id, quantity))
    return _post(
        depot=Depot.objects.get(pk=depot_ids.pop()),
        kind=DocumentKind.LOT_SPLIT,
        occurred_on=timezone.localdate() if occurred_on is None else occurred_on,
        posted_by=posted_by,
        movements=movements,
        reason="merge",
        note=" ".join(
            part
            for part in (
                _("Lot %(lot)s merged back into %(parent)s (condition %(condition)s).")
                % {
                    "lot": child.lot_number,
                    "parent": parent.lot_number,
                    "condition": parent.condition_id,
                },
                reason.strip(),
            )
            if part
        ),
        reference=child.lot_number,
    )
