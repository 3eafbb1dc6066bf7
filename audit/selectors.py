"""Reads of the audit app: for auditors and admins only (Action.READ_AUDIT / VERIFY_LEDGER)."""

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from accounts.models import User
from audit.models import AuditEvent, LedgerCheckpoint, LedgerVerification
from core.roles import Action
from core.scoping import require

CSV_COLUMNS = [
    "at", "actor_username", "action", "object_type", "object_id", "object_repr", "changes",
    "detail", "ip_address",
]  # fmt: skip


def audit_event_list(user: User) -> QuerySet[AuditEvent]:
    require(user, Action.READ_AUDIT)
    return AuditEvent.objects.order_by("-at", "-id")


def checkpoint_list(user: User) -> QuerySet[LedgerCheckpoint]:
    require(user, Action.READ_AUDIT)
    return LedgerCheckpoint.objects.select_related("depot").order_by("-taken_at", "depot__code")


def verification_list(user: User) -> QuerySet[LedgerVerification]:
    require(user, Action.READ_AUDIT)
    return LedgerVerification.objects.select_related("requested_by").order_by("-started_at", "-id")


def audit_export_rows(events: Iterable[AuditEvent]) -> Iterator[list]:
    """The audit log's rows under CSV_COLUMNS, one at a time (the log grows without bound), for
    core.exports to write."""
    for event in events:
        yield [
            event.at.isoformat(),
            event.actor_username,
            event.action,
            event.object_type,
            event.object_id,
            event.object_repr,
            event.changes,
            event.detail,
            event.ip_address or "",
        ]
