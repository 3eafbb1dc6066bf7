"""Reads about users: whose personnel vetting has lapsed or is about to."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from core.roles import VETTED_ROLES


def vetting_status_filter(status: str) -> Q:
    """`lapsed` (none, or expired before today), `expiring` (valid, but not beyond the warning
    window) or `valid` (beyond it)."""
    today = timezone.localdate()
    horizon = today + timedelta(days=settings.VETTING_WARNING_DAYS)
    lapsed = (
        Q(vetting_level="") | Q(vetting_expires_on__isnull=True) | Q(vetting_expires_on__lt=today)
    )
    if status == "lapsed":
        return lapsed
    if status == "expiring":
        return ~lapsed & Q(vetting_expires_on__lte=horizon)
    return ~lapsed & Q(vetting_expires_on__gt=horizon)


def vetting_renewals_due(*, limit: int = 20) -> QuerySet[User]:
    """Active users who post or approve and whose vetting has lapsed or lapses within the warning
    window, soonest first (none first): the administrators' renewal list. One query."""
    roles = sorted(role.value for role in VETTED_ROLES)
    return (
        User.objects.filter(is_active=True, roles__overlap=roles)
        .filter(vetting_status_filter("lapsed") | vetting_status_filter("expiring"))
        .order_by("vetting_expires_on", "username")[:limit]
    )
