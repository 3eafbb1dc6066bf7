"""Web UI of diversion control: the register of parties, transfer cases (built by officers,
dispatched by clerks), risk assessments, verifications, the trace page and tracing requests.

Views are thin: selectors read in the user's scope (a clerk reads the cases of their depots and
nothing else here: 403), forms check shape, the services decide and their refusals are shown as
form errors or messages."""

from diversion.views.cases import (
    assessment_detail_view,
    case_action_view,
    case_detail_view,
    case_dispatch_view,
    case_list_view,
    case_new_view,
    party_detail_view,
    party_list_view,
    party_new_view,
    verification_list_view,
    verification_record_view,
)
from diversion.views.records import (
    MAX_LABELS,
    RECIPIENT_ROWS,
    PeriodForm,
    lot_labels_view,
    profile_view,
    recipient_profile_view,
    trace_view,
    tracing_request_detail_view,
    tracing_request_list_view,
    tracing_request_new_view,
    training_allocation_detail_view,
    training_allocation_list_view,
)

__all__ = [
    "MAX_LABELS",
    "RECIPIENT_ROWS",
    "PeriodForm",
    "assessment_detail_view",
    "case_action_view",
    "case_detail_view",
    "case_dispatch_view",
    "case_list_view",
    "case_new_view",
    "lot_labels_view",
    "party_detail_view",
    "party_list_view",
    "party_new_view",
    "profile_view",
    "recipient_profile_view",
    "trace_view",
    "tracing_request_detail_view",
    "tracing_request_list_view",
    "tracing_request_new_view",
    "training_allocation_detail_view",
    "training_allocation_list_view",
    "verification_list_view",
    "verification_record_view",
]
