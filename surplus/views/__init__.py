"""The surplus pages (DESIGN.md §9): the officers' dashboard (read-only for auditors, and limited
to their own depots for clerks and depot inspectors), the drill-down from nation to depot to type
to lot, national requirements, snapshots, and disposal plans with their executions and
destruction certificates.

Every table on a page is a surplus.exports.Table; `?export=csv|xlsx&table=<key>` answers that
same table as a file, so an export holds exactly what the screen shows."""

from surplus.views.dashboard import dashboard, subject_detail
from surplus.views.groups import group_detail, group_list, group_member_remove, group_new
from surplus.views.plans import (
    certificate,
    certificate_pdf,
    plan_approve,
    plan_close,
    plan_detail,
    plan_execute,
    plan_list,
    plan_new,
    report_pdf,
)
from surplus.views.requirements import (
    requirement_list,
    requirement_new,
    snapshot_detail,
    snapshot_list,
)

__all__ = [
    "certificate",
    "certificate_pdf",
    "dashboard",
    "group_detail",
    "group_list",
    "group_member_remove",
    "group_new",
    "plan_approve",
    "plan_close",
    "plan_detail",
    "plan_execute",
    "plan_list",
    "plan_new",
    "report_pdf",
    "requirement_list",
    "requirement_new",
    "snapshot_detail",
    "snapshot_list",
    "subject_detail",
]
