"""The audit log's CSV export, for the page and the API alike: rate-limited, itself logged, and
streamed (the log grows without bound)."""

from audit.models import AuditAction
from audit.selectors import CSV_COLUMNS, audit_export_rows
from audit.services import audit_record
from core.exports import csv_response
from core.net import client_ip
from core.ratelimit import RateScope, rate_limit


def audit_log_csv(request, events):
    """`events`: the filtered AuditEvent queryset the user asked for."""
    rate_limit(request.user, RateScope.EXPORT)
    audit_record(
        action=AuditAction.EXPORT,
        actor=request.user,
        object_type="audit.auditevent",
        detail=request.GET.urlencode()[:300],
        ip_address=client_ip(request),
    )
    return csv_response(
        CSV_COLUMNS,
        audit_export_rows(events.iterator(chunk_size=2000)),
        filename="audit-log.csv",
        stream=True,
    )
