"""The daily e-mail digest (DESIGN.md §8): to each active user with an e-mail address, the alerts
of their depots first seen since their last digest, through Django's mail backend.

A fixed number of queries whatever the number of users or alerts: users, memberships, last
digests, open alerts, and one upsert of the digests sent. A user with nothing new gets no mail.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from accounts.languages import language_of
from accounts.models import DepotMembership, User
from alerts.models import Alert, AlertDigest, Severity
from core.jobs import job_run
from core.scoping import read_depot_ids

logger = logging.getLogger(__name__)

DIGEST_JOB = "alert_digest"
# At most this many alerts are listed in one mail; the rest are counted.
MAX_LISTED = 100


def _users_with_scope() -> list[User]:
    users = list(User.objects.filter(is_active=True).exclude(email="").order_by("id"))
    depots: dict[int, set[int]] = defaultdict(set)
    for user_id, depot_id in DepotMembership.objects.filter(
        user_id__in=[user.pk for user in users]
    ).values_list("user_id", "depot_id"):
        depots[user_id].add(depot_id)
    for user in users:
        user.__dict__["depot_ids"] = frozenset(depots[user.pk])  # fill the cached property
    return users


def _body(user: User, new: list[Alert], open_count: int) -> str:
    lines = [
        ngettext(
            "%(count)d new alert in your depots since your last digest; %(open)d open in all.",
            "%(count)d new alerts in your depots since your last digest; %(open)d open in all.",
            len(new),
        )
        % {"count": len(new), "open": open_count},
        "",
    ]
    for alert in new[:MAX_LISTED]:
        lines.append(
            f"[{alert.get_severity_display().upper()}] {alert.depot.code} "
            f"{alert.get_kind_display()}: {alert.message}"
        )
    if len(new) > MAX_LISTED:
        lines.append(gettext("... and %(more)d more.") % {"more": len(new) - MAX_LISTED})
    lines += ["", gettext("See every alert on the Alerts page of Stockpile (/alerts/).")]
    return "\n".join(lines)


def _subject(new: list[Alert]) -> str:
    critical = sum(1 for a in new if a.severity == Severity.CRITICAL)
    subject = ngettext(
        "[Stockpile] %(count)d new alert", "[Stockpile] %(count)d new alerts", len(new)
    ) % {"count": len(new)}
    if critical:
        subject += gettext(", %(critical)d critical") % {"critical": critical}
    return subject


def alert_digest_send(*, now: datetime | None = None) -> dict[str, int]:
    """Send each user the alerts new in their scope since their last digest; returns counts
    {"sent", "skipped_no_email", "nothing_new"}. Running it again sends nothing new."""
    now = now or timezone.now()
    users = _users_with_scope()
    skipped = User.objects.filter(is_active=True, email="").count()
    last_sent = dict(
        AlertDigest.objects.filter(user_id__in=[u.pk for u in users]).values_list(
            "user_id", "last_sent_at"
        )
    )
    alerts = list(
        Alert.objects.filter(resolved_at__isnull=True, first_seen__lte=now)
        .select_related("depot")
        .order_by("-severity", "depot__code", "kind", "id")
    )
    # "critical" > "info" > "warning" alphabetically: order by rank instead.
    rank = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}
    alerts.sort(key=lambda a: (rank.get(a.severity, 3), a.depot.code, a.kind, a.pk))
    sent: list[int] = []
    nothing_new = 0
    messages = []
    for user in users:
        readable = read_depot_ids(user)
        mine = [a for a in alerts if readable is None or a.depot_id in readable]
        since = last_sent.get(user.pk)
        new = [a for a in mine if since is None or a.first_seen > since]
        if not new:
            nothing_new += 1
            continue
        with translation.override(language_of(user)):
            message = EmailMessage(
                subject=_subject(new),
                body=_body(user, new, len(mine)),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[user.email],
            )
        messages.append((user.pk, message))
    if messages:
        with get_connection() as connection:
            for user_id, message in messages:
                message.connection = connection
                message.send()
                sent.append(user_id)
        AlertDigest.objects.bulk_create(
            [AlertDigest(user_id=user_id, last_sent_at=now) for user_id in sent],
            update_conflicts=True,
            unique_fields=["user"],
            update_fields=["last_sent_at"],
        )
    return {"sent": len(sent), "skipped_no_email": skipped, "nothing_new": nothing_new}


def alert_digest_run(*, attempt: int = 1):
    return job_run(DIGEST_JOB, alert_digest_send, attempt=attempt)
