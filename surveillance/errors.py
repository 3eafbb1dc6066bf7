"""Refusals of surveillance (409 with these codes). Nothing is written."""

from core.errors import ApplicationError


class LotHeldElsewhere(ApplicationError, code="lot_held_elsewhere"):
    """A depot inspector may condemn a lot wherever it is held (safety first), but may not
    improve the condition of stock held in depots outside their scope."""
