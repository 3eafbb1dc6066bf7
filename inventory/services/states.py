"""The refusal shared by every service that moves a numbered record through its statuses."""

from __future__ import annotations

from collections.abc import Collection

from inventory.errors import InvalidState


def status_require(record, allowed: Collection[str], message: str) -> None:
    """Refuse (409 `invalid_state`) unless `record` (with a `number` and a `status`) is in one of
    the `allowed` statuses. `message`, already translated, names the record's %(number)s and
    its current %(status)s."""
    if record.status not in allowed:
        raise InvalidState(
            message % {"number": record.number, "status": record.get_status_display()}
        )
