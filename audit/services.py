"""Writes of the audit app: the audit log, ledger checkpoints and ledger verification."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from alerts.services import Subject, alerts_sync
from audit.models import AuditAction, AuditEvent, LedgerCheckpoint, LedgerVerification
from audit.verification import (  # noqa: F401 (Break, VerificationResult: the result's types)
    FULL,
    INCREMENTAL,
    Break,
    VerificationResult,
    ledger_verify,
)
from core.net import client_ip
from core.ratelimit import RateScope, rate_limit
from core.roles import Action
from core.scoping import require
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
# The engine is audit.verification (reads only); these services run it, keep the result, record
# the heads it found intact as verified checkpoints, and raise or resolve the alerts.


def ledger_verification_run(
    *,
    requested_by: User | None = None,
    external_checkpoints: Iterable[Mapping] = (),
    mode: str = FULL,
) -> LedgerVerification:
    """Verify the ledger (`mode` full or incremental: audit.verification) and keep the result;
    a break raises a critical alert (the nightly job and auditors' runs alike). Auditors and
    admins may run it."""
    if requested_by is not None:
        require(requested_by, Action.VERIFY_LEDGER)
        rate_limit(requested_by, RateScope.VERIFICATION)
    return _verification_record(requested_by, external_checkpoints, mode=mode)


def _verification_record(
    requested_by: User | None,
    external_checkpoints: Iterable[Mapping] = (),
    progress: Callable[[int], None] | None = None,
    mode: str = FULL,
) -> LedgerVerification:
    started_at = timezone.now()
    result = ledger_verify(
        external_checkpoints=external_checkpoints,
        progress=progress,
        mode=mode,
        workers=settings.LEDGER_VERIFY_WORKERS,
    )
    with transaction.atomic():
        record = LedgerVerification.objects.create(
            started_at=started_at,
            finished_at=timezone.now(),
            requested_by=requested_by,
            depots_checked=result.depots_checked,
            lines_checked=result.lines_checked,
            checkpoints_checked=result.checkpoints_checked,
            mode=result.mode,
            ok=result.ok,
            first_broken=result.as_dict()["first_broken"],
        )
        # The heads found intact are where the next incremental run starts.
        LedgerCheckpoint.objects.bulk_create(
            LedgerCheckpoint(
                depot_id=head.depot_id,
                line_count=head.line_count,
                last_line_id=head.last_line_id,
                head_hash=head.head_hash,
                taken_at=started_at,
                taken_by=requested_by,
                verification=record,
            )
            for head in result.heads
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
    from audit.tasks import ledger_verification_task  # here: audit.tasks imports this module

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
