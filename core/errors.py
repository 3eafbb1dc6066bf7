"""Domain errors: each has a stable `code` that the API returns with 409 (DESIGN.md §11)."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """The request is well-formed but the current state forbids it. Nothing was written."""

    code = "application_error"
    status = 409

    def __init_subclass__(cls, *, code: str | None = None, **kwargs: Any) -> None:
        """A refusal is declared by its code: `class PeriodClosed(ApplicationError,
        code="period_closed")`, its docstring the only body."""
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    # HTTP headers the refusal is sent with (Retry-After for a rate limit).
    headers: dict[str, str] = {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.message, **self.extra}


class SelfApproval(ApplicationError, code="self_approval"): ...


class IdempotencyMismatch(ApplicationError, code="idempotency_mismatch"): ...


class VettingExpired(ApplicationError, code="vetting_expired"):
    """The user holds the role, but their personnel vetting is missing or has lapsed."""
