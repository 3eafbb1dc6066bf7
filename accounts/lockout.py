"""How long a locked account stays locked (django-axes' AXES_COOLOFF_TIME callable).

An account is locked after LOGIN_FAILURE_LIMIT failed sign-ins, whatever address they came from
(settings.AXES_LOCKOUT_PARAMETERS), so guessing from many addresses gains nothing. The lock
lasts LOGIN_LOCKOUT; every further round of LOGIN_FAILURE_LIMIT failures doubles it, up to
LOGIN_LOCKOUT_MAX. A failure during the lock starts it again (axes' default), and a successful
sign-in clears the count. An administrator unlocks an account early with
`manage.py axes_reset_username <username>`.
"""

from datetime import timedelta

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def failures_on_record(username: str | None) -> int:
    """Failed sign-ins of this username not yet cleared by a success or expiry."""
    if not username:
        return 0
    total = AccessAttempt.objects.filter(username=username).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


def cool_off(request=None) -> timedelta:
    """The lock for the username the request signs in as: LOGIN_LOCKOUT * 2 ** (rounds - 1)."""
    base, ceiling = settings.LOGIN_LOCKOUT, settings.LOGIN_LOCKOUT_MAX
    if request is None:
        return base
    rounds = failures_on_record(get_client_username(request)) // settings.AXES_FAILURE_LIMIT
    if rounds <= 1:
        return base
    # Past the ceiling in a few rounds; the exponent is bounded so the number stays small.
    return min(base * 2 ** min(rounds - 1, 16), ceiling)
