"""Refusals of the accounting core (409 with these codes, DESIGN.md §11). Nothing is written."""

from core.errors import ApplicationError


class InsufficientStock(ApplicationError, code="insufficient_stock"): ...


class StorageIncompatible(ApplicationError, code="storage_incompatible"): ...


class LicenceExceeded(ApplicationError, code="licence_exceeded"): ...


class NoLicence(ApplicationError, code="no_licence"): ...


class SuspectIsolation(ApplicationError, code="suspect_isolation"): ...


class LotNotIssuable(ApplicationError, code="lot_not_issuable"): ...


class LotExpired(ApplicationError, code="lot_expired"):
    """The lot is past its expiry date (its last valid day) with no extension: not issued
    (DESIGN.md §6). It may still be received, moved, transferred, inspected, extended or disposed
    of."""


class RecipientNotPermitted(ApplicationError, code="recipient_not_permitted"): ...


class AlreadyReversed(ApplicationError, code="already_reversed"): ...


class PeriodClosed(ApplicationError, code="period_closed"): ...


class InvalidState(ApplicationError, code="invalid_state"):
    """The document is not in a state that allows this (e.g. approving a posted adjustment)."""


BREACH_ERRORS = {
    error.code: error
    for error in (StorageIncompatible, LicenceExceeded, NoLicence, SuspectIsolation)
}


class LotBanned(ApplicationError, code="lot_banned"):
    """A ban on the lot (or its type, or the lot it was split from) forbids issue (DESIGN.md §6)."""


class DepotFrozen(ApplicationError, code="depot_frozen"):
    """A 100 % stock check has frozen the depot: no posting until it is approved or cancelled."""


class BookHidden(ApplicationError, code="blind_count"):
    """A count is under way: its counters do not see the book of the storehouses counted."""
