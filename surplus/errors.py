"""Refusals of the surplus services (409 with these codes; DESIGN.md §11)."""

from core.errors import ApplicationError


class NotDisposable(ApplicationError, code="not_disposable"):
    """The plan names more of a lot than is surplus or unserviceable in the depot."""


class InvalidPlanState(ApplicationError, code="invalid_state"): ...


class TransferCaseRequired(ApplicationError, code="transfer_case_required"):
    """Sale, gift and transfer go through the diversion-control transfer cases."""


class ExceedsPlan(ApplicationError, code="exceeds_plan"): ...


class UnitMismatch(ApplicationError, code="unit_mismatch"):
    """The types of an interchangeable group share one unit of issue (DESIGN.md §9)."""
