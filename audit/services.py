"""Writes of the audit app: the audit log, ledger checkpoints and ledger verification."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import partial

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction, AuditEvent, LedgerCheckpoint, LedgerVerification
from core.net import client_ip
from core.ratelimit import RateScope, rate_limit
from core.roles import Action
from core.scoping import require
from inventory.chain import GENESIS_HASH, line_hash
from inventory.locks import chain_heads_share_lock
from inventory.models import Depot

# --- The audit log ------------------------------------------------------------------------------


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    actor_username: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: Mapping | None = None,
    detail: str = "",
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one entry to the audit log. Downloads and exports call this where they happen."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor,
        actor_username=(actor.get_username() if actor is not None else actor_username)[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=json.loads(json.dumps(changes or {}, default=str)),
        detail=detail[:300],
        ip_address=ip_address,
    )


def audit_download(request, obj, *, name: str, detail: str) -> AuditEvent:
    """Audit the download of a file of `obj` (named `name` in the log) over `request`: who took
    which file, from where."""
    return audit_record(
        action=AuditAction.DOWNLOAD,
        actor=request.user,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=name,
        detail=detail,
        ip_address=client_ip(request),
    )


# --- Checkpoints --------------------------------------------------------------------------------

_CHECKPOINT = """
INSERT INTO audit_ledgercheckpoint (depot_id, line_count, last_line_id, head_hash, taken_at,
                                    taken_by_id)
SELECT head.depot_id, head.line_count,
       (SELECT max(line.id) FROM inventory_ledgerline line WHERE line.depot_id = head.depot_id),
       head.last_hash, %s, %s
FROM inventory_chainhead head
ORDER BY head.depot_id
"""


@transaction.atomic
def checkpoint_take(*, taken_by: User | None = None) -> list[LedgerCheckpoint]:
    """Record every depot's chain head now (two statements whatever the number of depots).
    Share-locking the heads waits for postings in flight, so each head matches its lines."""
    now = timezone.now()
    chain_heads_share_lock()
    with connection.cursor() as cursor:
        cursor.execute(_CHECKPOINT, [now, taken_by.pk if taken_by else None])
    return list(LedgerCheckpoint.objects.filter(taken_at=now).select_related("depot"))


def checkpoint_export(checkpoints: Iterable[LedgerCheckpoint]) -> list[dict]:
    """Checkpoints in the form `verify_ledger --checkpoints` reads back: keep a copy outside."""
    return [
        {
            "depot": checkpoint.depot.code,
            "line_count": checkpoint.line_count,
            "last_line_id": checkpoint.last_line_id,
            "head_hash": checkpoint.head_hash,
            "taken_at": checkpoint.taken_at.isoformat(),
        }
        for checkpoint in checkpoints
    ]


# --- Verification -------------------------------------------------------------------------------

# One scan of every line in id order (the primary key): a depot's chain is its lines in id order,
# because a depot's postings are serialised by its chain head lock. The poster of an approved
# adjustment's lines is its approver (inventory.services.posting.adjustment_approve).
_LINES = """
SELECT line.id, line.depot_id, document.number, document.kind, document.occurred_on,
       line.occurred_on, line.posted_at, COALESCE(document.approved_by_id, document.posted_by_id),
       line.lot_id, line.storehouse_id, line.quantity, line.prev_hash, line.hash
FROM inventory_ledgerline line
JOIN inventory_document document ON document.id = line.document_id
WHERE line.id > %s
ORDER BY line.id
LIMIT %s
"""

CHUNK = 20_000


@dataclass
class Break:
    depot: str
    line: int | None
    document: str | None
    reason: str


@dataclass
class VerificationResult:
    ok: bool
    lines_checked: int
    depots_checked: int
    checkpoints_checked: int
    first_broken: Break | None
    broken: list[Break] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "lines_checked": self.lines_checked,
            "depots_checked": self.depots_checked,
            "checkpoints_checked": self.checkpoints_checked,
            "first_broken": asdict(self.first_broken) if self.first_broken else None,
            "broken": [asdict(each) for each in self.broken],
        }


@dataclass
class _Chain:
    code: str
    prev: str = GENESIS_HASH
    count: int = 0
    broken: Break | None = None


def ledger_verify(
    *,
    external_checkpoints: Iterable[Mapping] = (),
    progress: Callable[[int], None] | None = None,
) -> VerificationResult:
    """Recompute every depot's chain and compare it with its chain head, the checkpoints in the
    database and any `external_checkpoints` (exported copies kept outside it). Each depot's
    first broken link is named; the result's `first_broken` is the earliest line of them.

    Heads, checkpoints and lines are read from one snapshot (REPEATABLE READ, read only), so
    postings made while it runs neither wait for it nor look like tampering."""
    if connection.in_atomic_block:  # already inside one transaction (a test, a caller's)
        return _verify(external_checkpoints, progress)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _verify(external_checkpoints, progress)


def _verify(
    external_checkpoints: Iterable[Mapping], progress: Callable[[int], None] | None = None
) -> VerificationResult:
    depots = dict(Depot.objects.values_list("pk", "code"))
    chains = {pk: _Chain(code) for pk, code in depots.items()}
    by_code = {code: pk for pk, code in depots.items()}
    # (depot, last line id) → [(line_count, head_hash, source)]
    expected: dict[tuple[int, int | None], list[tuple[int, str, str]]] = {}
    checkpoints = 0
    for depot_id, line_count, last_line_id, head_hash in LedgerCheckpoint.objects.values_list(
        "depot_id", "line_count", "last_line_id", "head_hash"
    ):
        expected.setdefault((depot_id, last_line_id), []).append(
            (line_count, head_hash, "checkpoint")
        )
        checkpoints += 1
    unknown_external: list[Break] = []
    for item in external_checkpoints:
        depot_id = by_code.get(item["depot"])
        if depot_id is None:
            unknown_external.append(
                Break(str(item["depot"]), None, None, "exported checkpoint names an unknown depot")
            )
            continue
        expected.setdefault((depot_id, item.get("last_line_id")), []).append(
            (int(item["line_count"]), str(item["head_hash"]), "exported checkpoint")
        )
        checkpoints += 1
    seen_checkpoints: set[tuple[int, int | None]] = {key for key in expected if key[1] is None}

    def fail(chain: _Chain, line: int | None, number: str | None, reason: str) -> None:
        if chain.broken is None:
            chain.broken = Break(chain.code, line, number, reason)

    with connection.cursor() as cursor:
        cursor.execute("SELECT depot_id, last_hash, line_count FROM inventory_chainhead")
        heads = {depot_id: (last_hash, count) for depot_id, last_hash, count in cursor.fetchall()}
    expected_lines = sum(count for _hash, count in heads.values()) or 1
    lines = 0
    last_id = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(_LINES, [last_id, CHUNK])
            rows = cursor.fetchall()
        if not rows:
            break
        for (
            line_id,
            depot_id,
            number,
            kind,
            document_on,
            line_on,
            posted_at,
            poster_id,
            lot_id,
            storehouse_id,
            quantity,
            prev_hash,
            stored_hash,
        ) in rows:
            chain = chains[depot_id]
            lines += 1
            chain.count += 1
            if chain.broken is None:
                if chain.count > heads.get(depot_id, (GENESIS_HASH, 0))[1]:
                    fail(
                        chain,
                        line_id,
                        number,
                        "lies beyond the chain head: not posted by the service",
                    )
                elif prev_hash != chain.prev:
                    fail(chain, line_id, number, "does not link to the line before it")
                elif line_on != document_on:
                    fail(chain, line_id, number, "its date differs from its document's")
                elif stored_hash != line_hash(
                    document_number=number,
                    kind=kind,
                    occurred_on=document_on,
                    posted_at=posted_at,
                    poster_id=poster_id,
                    lot_id=lot_id,
                    storehouse_id=storehouse_id,
                    quantity=quantity,
                    prev_hash=prev_hash,
                ):
                    fail(chain, line_id, number, "its content does not match its hash")
            chain.prev = stored_hash
            for line_count, head_hash, source in expected.get((depot_id, line_id), ()):
                seen_checkpoints.add((depot_id, line_id))
                if head_hash != stored_hash or line_count != chain.count:
                    fail(chain, line_id, number, f"differs from the {source} of this line")
        last_id = rows[-1][0]
        if progress is not None:
            progress(min(99, lines * 100 // expected_lines))
    for depot_id, chain in chains.items():
        last_hash, line_count = heads.get(depot_id, (GENESIS_HASH, 0))
        if last_hash != chain.prev or line_count != chain.count:
            fail(chain, None, None, "the chain head does not match the last line")
    for depot_id, last_line_id in set(expected) - seen_checkpoints:
        fail(chains[depot_id], last_line_id, None, "a checkpointed line is missing")
    broken = [chain.broken for chain in chains.values() if chain.broken] + unknown_external
    broken.sort(key=lambda each: (each.line is None, each.line or 0, each.depot))
    return VerificationResult(
        ok=not broken,
        lines_checked=lines,
        depots_checked=len(chains),
        checkpoints_checked=checkpoints,
        first_broken=broken[0] if broken else None,
        broken=broken,
    )


def ledger_verification_run(
    *, requested_by: User | None = None, external_checkpoints: Iterable[Mapping] = ()
) -> LedgerVerification:
    """Verify the ledger and keep the result; a break raises a critical alert (the nightly job
    and auditors' runs alike). Auditors and admins may run it."""
    if requested_by is not None:
        require(requested_by, Action.VERIFY_LEDGER)
        rate_limit(requested_by, RateScope.VERIFICATION)
    return _verification_record(requested_by, external_checkpoints)


def _verification_record(
    requested_by: User | None,
    external_checkpoints: Iterable[Mapping] = (),
    progress: Callable[[int], None] | None = None,
) -> LedgerVerification:
    started_at = timezone.now()
    result = ledger_verify(external_checkpoints=external_checkpoints, progress=progress)
    record = LedgerVerification.objects.create(
        started_at=started_at,
        finished_at=timezone.now(),
        requested_by=requested_by,
        depots_checked=result.depots_checked,
        lines_checked=result.lines_checked,
        checkpoints_checked=result.checkpoints_checked,
        ok=result.ok,
        first_broken=result.as_dict()["first_broken"],
    )
    if requested_by is not None:
        audit_record(
            action=AuditAction.VERIFY,
            actor=requested_by,
            object_type="audit.ledgerverification",
            object_id=str(record.pk),
            detail="intact" if result.ok else f"broken: {result.first_broken.reason}",
        )
    _sync_break_alerts(result)
    record.result = result
    return record


# A verification asked for on the page runs in Celery; its progress is kept in the cache (the
# verification record itself is append-only and written once, when the run ends).
QUEUED_TTL = 24 * 3600


def _queued_key(token: str) -> str:
    return f"ledger-verification:{token}"


def ledger_verification_queue(*, requested_by: User) -> str:
    """Have the ledger verified in the background (Celery, after commit); returns the token the
    page polls with `ledger_verification_progress`. Counted against the verification limit."""
    require(requested_by, Action.VERIFY_LEDGER)
    rate_limit(requested_by, RateScope.VERIFICATION)
    token = secrets.token_urlsafe(16)
    state = {"status": "queued", "progress": 0, "user": requested_by.pk, "verification": None}
    cache.set(_queued_key(token), state, QUEUED_TTL)
    transaction.on_commit(partial(_enqueue_verification, token, requested_by.pk))
    return token


def _enqueue_verification(token: str, user_id: int) -> None:
    from audit.tasks import ledger_verification_task

    ledger_verification_task.delay(token=token, user_id=user_id)


def ledger_verification_perform(*, token: str, user_id: int) -> LedgerVerification | None:
    """The queued run (the Celery task's body): verify, keeping the progress in the cache for the
    page. A token already done (a task delivered twice) or unknown runs nothing."""
    key = _queued_key(token)
    state = cache.get(key)
    if state is None or state["status"] == "done" or state["user"] != user_id:
        return None
    user = User.objects.get(pk=user_id)
    require(user, Action.VERIFY_LEDGER)  # still an auditor when the worker gets to it

    def progress(percent: int) -> None:
        cache.set(key, {**state, "status": "running", "progress": percent}, QUEUED_TTL)

    progress(0)
    try:
        record = _verification_record(user, progress=progress)
    except Exception:
        cache.set(key, {**state, "status": "failed", "progress": 100}, QUEUED_TTL)
        raise
    cache.set(
        key, {**state, "status": "done", "progress": 100, "verification": record.pk}, QUEUED_TTL
    )
    return record


def ledger_verification_progress(*, token: str, user: User) -> dict | None:
    """The state of a queued verification for the user who asked for it: `status` (queued,
    running, done, failed), `progress` 0-100 and, when done, `verification` (its id)."""
    state = cache.get(_queued_key(token))
    if state is None or state["user"] != user.pk:
        return None
    return state


def _sync_break_alerts(result: VerificationResult) -> None:
    from alerts.services import Subject, alerts_sync

    codes = {each.depot for each in result.broken}
    depots = dict(Depot.objects.filter(code__in=codes).values_list("code", "pk"))
    alerts_sync(
        kind="ledger_tampered",
        subjects=[
            Subject(
                depot_id=depots[each.depot],
                message=f"Ledger of {each.depot} fails verification at line {each.line}: "
                f"{each.reason}.",
                details=asdict(each),
                severity="critical",
            )
            for each in result.broken
            if each.depot in depots
        ],
    )
