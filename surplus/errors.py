"""Refusals of the surplus services (409 with these codes; DESIGN.md §11)."""

from core.errors import ApplicationError


class NotDisposable(ApplicationError):
    """The plan names more of a lot than is surplus or unserviceable in the depot."""

    code = "not_disposable"


class InvalidPlanState(ApplicationError):
    code = "invalid_state"


class TransferCaseRequired(ApplicationError):
    """Sale, gift and transfer go through the diversion-control transfer cases."""

    code = "transfer_case_required"


class ExceedsPlan(ApplicationError):
    code = "exceeds_plan"


class UnitMismatch(ApplicationError):
    """The types of an interchangeable group share one unit of issue (DESIGN.md §9)."""

    code = "unit_mismatch"
