"""Per-user limits on expensive requests (DESIGN.md §11, issue 15): report requests, report and
ledger verifications, exports and surplus recomputations.

Counted in the Redis cache by django-ratelimit (fixed windows, per user and limit), so every web
and API worker shares the count. A service (or, for exports, the view) calls `rate_limit(user,
scope)` once it knows the user may act, before the work: over the limit it raises `RateLimited`,
which the API answers 429 `rate_limited` with `Retry-After`, and a page shows as a message. Every
role is limited, administrators included. Limits are settings (`STOCKPILE_RATE_LIMITS`, from the
environment: .env.example); an empty one switches that limit off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy, ngettext
from django_ratelimit.core import get_usage

from core.errors import ApplicationError

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser as User  # only its pk is read


class RateScope(models.TextChoices):
    REPORT_REQUEST = "report_request", gettext_lazy("report requests")
    VERIFICATION = "verification", gettext_lazy("report and ledger verifications")
    EXPORT = "export", gettext_lazy("exports")
    RECOMPUTATION = "recomputation", gettext_lazy("surplus recomputations")
    IMPORT = "import", gettext_lazy("imports")


class RateLimited(ApplicationError):
    """Too many expensive requests of one kind from this user: try again after `retry_after`
    seconds. Nothing was done."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: int, scope: str) -> None:
        super().__init__(message, retry_after=retry_after, scope=scope)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def rate_limit(user: User, scope: RateScope) -> None:
    """Count one request of `scope` for `user`; raise RateLimited when it is over the limit."""
    rate = settings.STOCKPILE_RATE_LIMITS.get(scope)
    if not rate:
        return
    # No request object is needed: the key is the user, and every method counts.
    usage = get_usage(
        None,
        group=f"stockpile:{scope}",
        key=lambda _group, _request: str(user.pk),
        rate=rate,
        increment=True,
    )
    if usage is None or not usage["should_limit"]:
        return
    retry_after = max(1, usage["time_left"])
    minutes = -(-retry_after // 60)
    raise RateLimited(
        ngettext(
            "Too many %(what)s in a short time (limit %(rate)s). Try again in %(minutes)d minute.",
            "Too many %(what)s in a short time (limit %(rate)s). Try again in %(minutes)d minutes.",
            minutes,
        )
        % {"what": RateScope(scope).label, "rate": rate, "minutes": minutes},
        retry_after=retry_after,
        scope=str(scope),
    )
