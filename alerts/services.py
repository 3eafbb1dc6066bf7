"""The only code that writes alerts: raise (upsert), sync a kind's current set, acknowledge.

Set-based: `alerts_sync` costs two queries whatever the number of subjects (an INSERT ... ON
CONFLICT over the arrays of the current set, then one UPDATE resolving what is no longer in it,
which also records when the sync looked, AlertSeen). A sync rewrites only the alerts it opens,
changes (message, severity or details) or resolves: an alert seen again unchanged keeps its row,
and its `last_seen` moves with the kind's AlertSeen mark (alerts.models.LastSeenField).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from alerts.models import ACKNOWLEDGE_RESOLVES, DEFAULT_SEVERITY, Alert, AlertKind, Severity
from core.roles import Action, Role
from core.scoping import can, read_depot_ids, require


@dataclass(frozen=True)
class Subject:
    """One thing a detector found wrong now: what it is about, and what to tell people.

    `depot_id` is always given (it decides who sees the alert). Give the lot, storehouse and/or
    document it is about; they, with the kind and depot, identify the alert. `severity` None
    means the kind's default (alerts.models.DEFAULT_SEVERITY).
    """

    depot_id: int
    lot_id: int | None = None
    storehouse_id: int | None = None
    document_id: int | None = None
    message: str = ""
    details: dict = field(default_factory=dict)
    severity: str | None = None

    @property
    def key(self) -> tuple[int, int, int, int]:
        return (self.depot_id, self.lot_id or 0, self.storehouse_id or 0, self.document_id or 0)


@dataclass(frozen=True)
class SyncResult:
    raised: int  # alerts opened
    refreshed: int  # alerts already open, seen again
    resolved: int  # open alerts whose cause is gone

    def as_dict(self) -> dict[str, int]:
        return {"raised": self.raised, "refreshed": self.refreshed, "resolved": self.resolved}


_SUBJECT_MATCH = """
    a.depot_id = c.depot_id
    AND COALESCE(a.lot_id, 0) = c.lot_id
    AND COALESCE(a.storehouse_id, 0) = c.storehouse_id
    AND COALESCE(a.document_id, 0) = c.document_id
"""

# The current subjects, sent as one JSON array (one literal to quote, parsed once by the server)
# rather than seven arrays whose elements the driver quotes one by one: at tens of thousands of
# subjects those cost seconds to build and parse. Read element by element over generate_series
# so the planner knows how many subjects there are (it would assume 100 rows of a JSON function,
# and match each of 36,000 subjects by index scan against every open alert of its depot).
_CURRENT = """
    SELECT (e ->> 'depot_id')::bigint AS depot_id, (e ->> 'lot_id')::bigint AS lot_id,
           (e ->> 'storehouse_id')::bigint AS storehouse_id,
           (e ->> 'document_id')::bigint AS document_id,
           e ->> 'severity' AS severity, e ->> 'message' AS message, e -> 'details' AS details
    FROM generate_series(0, %(count)s - 1) AS i
    CROSS JOIN LATERAL (SELECT (%(current)s::jsonb) -> i AS e) AS x
"""

# Open or refresh one alert per current subject. An event kind whose alert for the subject was
# acknowledged before is not raised again. A subject whose open alert already says the same
# (severity, message, details) is left out of the INSERT altogether (_UNCHANGED), so that alert
# is neither rewritten nor locked; except for alerts_raise, which moves every subject's stored
# last_seen (an event seen now, with no sync mark to say so). Returns how many subjects were
# current (not suppressed), how many alerts were opened and how many open ones were rewritten.
_UPSERT_TEMPLATE = f"""
    WITH c AS MATERIALIZED (
        SELECT c.* FROM ({_CURRENT}) AS c
        WHERE NOT (%(ack_resolves)s AND EXISTS (
            SELECT 1 FROM alerts_alert a
            WHERE a.kind = %(kind)s AND a.acknowledged_at IS NOT NULL AND {_SUBJECT_MATCH}
        ))
    ), written AS (
        INSERT INTO alerts_alert (
            kind, severity, depot_id, lot_id, storehouse_id, document_id, message, details,
            first_seen, last_seen
        )
        SELECT %(kind)s, c.severity, c.depot_id, NULLIF(c.lot_id, 0), NULLIF(c.storehouse_id, 0),
               NULLIF(c.document_id, 0), c.message, c.details, %(now)s, %(now)s
        FROM c
        {{unchanged}}
        ON CONFLICT (kind, depot_id, lot_id, storehouse_id, document_id) WHERE resolved_at IS NULL
        DO UPDATE SET last_seen = EXCLUDED.last_seen, severity = EXCLUDED.severity,
                      message = EXCLUDED.message, details = EXCLUDED.details
        RETURNING (xmax = 0) AS inserted
    )
    SELECT (SELECT count(*) FROM c), count(*) FILTER (WHERE inserted),
           count(*) FILTER (WHERE NOT inserted)
    FROM written
"""  # noqa: S608 (module constants only)

# Left out of the upsert: subjects whose open alert says the same. A plain NOT EXISTS (an OR
# beside it would keep the planner from turning it into an anti-join: one index probe per
# subject instead of one hash).
_UNCHANGED = f"""
        WHERE NOT EXISTS (
            SELECT 1 FROM alerts_alert a
            WHERE a.kind = %(kind)s AND a.resolved_at IS NULL AND {_SUBJECT_MATCH}
              AND a.severity = c.severity AND a.message = c.message AND a.details = c.details
        )
"""  # noqa: S608 (module constants only)
_UPSERT_CHANGED = _UPSERT_TEMPLATE.replace("{unchanged}", _UNCHANGED)  # alerts_sync
_UPSERT_ALL = _UPSERT_TEMPLATE.replace("{unchanged}", "")  # alerts_raise: all last_seen move

# Resolve the open alerts of the kind (in the depots looked at) that are not current, freezing
# their last_seen at the last sync that saw them; then mark those depots as looked at now. One
# statement: both parts read the marks as they were before it.
_RESOLVE = f"""
    WITH resolved AS (
        UPDATE alerts_alert AS a
        SET resolved_at = %(now)s,
            last_seen = GREATEST(a.last_seen, (
                SELECT m.seen_at FROM alerts_alertseen m
                WHERE m.kind = a.kind AND m.depot_id = a.depot_id))
        WHERE a.kind = %(kind)s AND a.resolved_at IS NULL
          AND (%(all_depots)s OR a.depot_id = ANY(%(depots)s::bigint[]))
          AND NOT EXISTS (SELECT 1 FROM ({_CURRENT}) AS c WHERE {_SUBJECT_MATCH})
        RETURNING 1
    ), marked AS (
        INSERT INTO alerts_alertseen (kind, depot_id, seen_at)
        SELECT %(kind)s, d.id, %(now)s FROM inventory_depot d
        WHERE %(all_depots)s OR d.id = ANY(%(depots)s::bigint[])
        ON CONFLICT (kind, depot_id) DO UPDATE
        SET seen_at = GREATEST(alerts_alertseen.seen_at, EXCLUDED.seen_at)
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM resolved), (SELECT count(*) FROM marked)
"""  # noqa: S608 (module constants only)


def _arrays(kind: str, subjects: list[Subject]) -> dict:
    default = str(DEFAULT_SEVERITY.get(kind, Severity.WARNING))
    return {
        "count": len(subjects),
        "current": json.dumps(
            [
                {
                    "depot_id": s.depot_id,
                    "lot_id": s.lot_id or 0,
                    "storehouse_id": s.storehouse_id or 0,
                    "document_id": s.document_id or 0,
                    "severity": str(s.severity or default),
                    "message": s.message,
                    "details": s.details,
                }
                for s in subjects
            ],
            default=str,
        ),
    }


def _unique(subjects: Iterable[Subject]) -> list[Subject]:
    """One subject per key (ON CONFLICT cannot touch a row twice); the last one given wins."""
    return list({s.key: s for s in subjects}.values())


def _check_kind(kind: str) -> None:
    if kind not in AlertKind.values:
        raise ValueError(f"unknown alert kind {kind!r}")


def alerts_sync(
    *,
    kind: str,
    subjects: Iterable[Subject],
    depot_ids: Iterable[int] | None = None,
    now: datetime | None = None,
) -> SyncResult:
    """Make the open alerts of `kind` exactly the current `subjects`: open the new ones, refresh
    the ones already open (message, severity, details: the row is rewritten only if one of them
    changed; last_seen moves with the AlertSeen mark of the depots looked at), resolve the rest.

    `depot_ids` limits resolution to those depots (a detector that looked at some depots only);
    None means the detector looked everywhere. Two queries whatever the number of subjects.
    """
    _check_kind(kind)
    now = now or timezone.now()
    current = _unique(subjects)
    params = {
        "kind": str(kind),
        "now": now,
        "ack_resolves": kind in ACKNOWLEDGE_RESOLVES,
        "all_depots": depot_ids is None,
        "depots": sorted(depot_ids or ()),
        **_arrays(kind, current),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        seen = inserted = 0
        if current:
            cursor.execute(_UPSERT_CHANGED, params)
            seen, inserted, _changed = cursor.fetchone()
        cursor.execute(_RESOLVE, params)
        resolved, _marked = cursor.fetchone()
    return SyncResult(raised=inserted, refreshed=seen - inserted, resolved=resolved)


def alerts_raise(
    *, kind: str, subjects: Iterable[Subject], now: datetime | None = None
) -> SyncResult:
    """Open an alert for each subject, or refresh the open one, resolving nothing: for a service
    that has just found some subjects of a kind wrong, as the kind's detector would (its
    subjects, messages and details), and leaves the rest to the sweep. One query whatever the
    number of subjects, none without subjects. An event kind already acknowledged for a subject
    is not raised again."""
    _check_kind(kind)
    current = sorted(_unique(subjects), key=lambda subject: subject.key)
    if not current:
        return SyncResult(raised=0, refreshed=0, resolved=0)
    params = {
        "kind": str(kind),
        "now": now or timezone.now(),
        "ack_resolves": kind in ACKNOWLEDGE_RESOLVES,
        **_arrays(kind, current),
    }
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_ALL, params)
        seen, inserted, _changed = cursor.fetchone()
    return SyncResult(raised=inserted, refreshed=seen - inserted, resolved=0)


def alert_raise(
    *,
    kind: str,
    depot_id: int,
    message: str,
    lot_id: int | None = None,
    storehouse_id: int | None = None,
    document_id: int | None = None,
    details: dict | None = None,
    severity: str | None = None,
    now: datetime | None = None,
) -> Alert | None:
    """Open an alert about one subject, or refresh the open one (last_seen, message, severity).

    For events noticed as they happen (an unstable propellant test, a condition change that
    mixes suspect stock). Returns the open alert; None for an event kind already acknowledged
    for this subject (it is not raised again). Call it inside the transaction that records the
    event, so the alert exists exactly when the event does.
    """
    _check_kind(kind)
    subject = Subject(
        depot_id=depot_id,
        lot_id=lot_id,
        storehouse_id=storehouse_id,
        document_id=document_id,
        message=message,
        details=details or {},
        severity=severity,
    )
    alerts_raise(kind=kind, subjects=[subject], now=now)
    return _open_alerts(kind, subject).order_by("-id").first()


def alert_resolve(
    *,
    kind: str,
    depot_id: int,
    lot_id: int | None = None,
    storehouse_id: int | None = None,
    document_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Resolve the open alert of `kind` about this subject, if any (its cause is known gone)."""
    _check_kind(kind)
    subject = Subject(
        depot_id=depot_id, lot_id=lot_id, storehouse_id=storehouse_id, document_id=document_id
    )
    return _open_alerts(kind, subject).update(
        resolved_at=now or timezone.now(),
        last_seen=F("last_seen"),  # frozen as last seen
    )


def _open_alerts(kind: str, subject: Subject) -> QuerySet[Alert]:
    """The open alerts of `kind` about exactly this subject (its depot, lot, storehouse and
    document; None matches only None)."""
    return Alert.objects.filter(
        kind=kind,
        depot_id=subject.depot_id,
        lot_id=subject.lot_id,
        storehouse_id=subject.storehouse_id,
        document_id=subject.document_id,
        resolved_at__isnull=True,
    )


def alerts_resolve_for_storehouses(
    *, kind: str, storehouse_ids: Iterable[int], now: datetime | None = None
) -> int:
    """Resolve the open alerts of `kind` about these storehouses: a service that has just
    recomputed them found their cause gone. One query."""
    _check_kind(kind)
    ids = set(storehouse_ids)
    if not ids:
        return 0
    return Alert.objects.filter(kind=kind, storehouse_id__in=ids, resolved_at__isnull=True).update(
        resolved_at=now or timezone.now(),
        last_seen=F("last_seen"),  # frozen as last seen
    )


# Event alerts are closed by acknowledging them: by whoever may act on their cause.
CLOSING_ACTION = {
    AlertKind.TRANSIT_DISCREPANCY: Action.APPROVE,  # losses are investigated by inspectors
    AlertKind.LOSS_RECORDED: Action.APPROVE,
    AlertKind.STABILITY_UNSTABLE: Action.RECORD_SURVEILLANCE,
}


def alert_acknowledge(*, alert: Alert, user: User) -> Alert:
    """Record that `user` has seen the alert and acts on it. Anyone who may read the alert's depot
    may acknowledge it, except auditors, who change nothing (403). An event alert (transit
    discrepancy, loss, unstable propellant) is resolved by its acknowledgement, so only the
    roles that close it may acknowledge it: the inspectors of its depot who investigate losses
    (and administrators), or who decide on unstable propellant; with valid vetting (issue 15).
    Acknowledging twice keeps the first acknowledgement."""
    readable = read_depot_ids(user)
    if readable is not None and alert.depot_id not in readable:
        raise PermissionDenied(_("This alert is outside your depots."))
    if user.role_set <= {Role.AUDITOR}:
        raise PermissionDenied(_("Auditors read alerts; they do not acknowledge them."))
    closing = CLOSING_ACTION.get(alert.kind)
    if closing is not None:
        if not can(user, closing, alert.depot_id):
            raise PermissionDenied(
                _("Acknowledging this alert closes it: that is for an inspector of its depot.")
            )
        require(user, closing, alert.depot_id)
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.acknowledged_at is None:
            now = timezone.now()
            locked.acknowledged_by = user
            locked.acknowledged_at = now
            fields = ["acknowledged_by", "acknowledged_at"]
            if locked.kind in ACKNOWLEDGE_RESOLVES and locked.resolved_at is None:
                locked.resolved_at = now
                # read through the sync marks while open: frozen now that it is resolved
                fields += ["resolved_at", "last_seen"]
            locked.save(update_fields=fields)
    return locked
