"""The only code that writes diversion control: the register of parties and their documents,
transfer cases and their dispatch, pre-transfer risk assessments, delivery verifications and
tracing requests.

Officers (and administrators) manage the register, cases, assessments, verifications and tracing
requests (Action.MANAGE_OVERSIGHT); a clerk of the case's depot dispatches (RECORD_MOVEMENT),
which posts an issue to the consignee through inventory.services.posting after every check here.

One module per section (parties, cases, assessments, verifications, tracing, allocations);
every public name is importable from here.
"""

from diversion.services.allocations import ALLOCATION_YEARS, training_allocation_set
from diversion.services.assessments import (
    risk_answer_set,
    risk_assessment_approve,
    risk_assessment_conclude,
    risk_assessment_create,
    risk_assessment_override,
    risk_assessment_withdraw,
)
from diversion.services.cases import (
    CaseLineInput,
    transfer_case_cancel,
    transfer_case_create,
    transfer_case_dispatch,
)
from diversion.services.common import DEFAULT_ASSESSMENT_VALID_DAYS, DEFAULT_VERIFICATION_DAYS
from diversion.services.parties import (
    party_create,
    party_document_add,
    party_document_authenticate,
    party_update,
)
from diversion.services.tracing import tracing_request_answer, tracing_request_record
from diversion.services.verifications import (
    transfer_case_dispatch_reversed,
    verification_record,
    verification_schedule,
)

__all__ = [
    "ALLOCATION_YEARS",
    "DEFAULT_ASSESSMENT_VALID_DAYS",
    "DEFAULT_VERIFICATION_DAYS",
    "CaseLineInput",
    "party_create",
    "party_document_add",
    "party_document_authenticate",
    "party_update",
    "risk_answer_set",
    "risk_assessment_approve",
    "risk_assessment_conclude",
    "risk_assessment_create",
    "risk_assessment_override",
    "risk_assessment_withdraw",
    "tracing_request_answer",
    "tracing_request_record",
    "training_allocation_set",
    "transfer_case_cancel",
    "transfer_case_create",
    "transfer_case_dispatch",
    "transfer_case_dispatch_reversed",
    "verification_record",
    "verification_schedule",
]
