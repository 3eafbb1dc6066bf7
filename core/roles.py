"""Roles and the actions each may perform (DESIGN.md §1). Data, not scattered `if` statements."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("Depot clerk")
    INSPECTOR = "inspector", _("Ammunition technical officer")
    OFFICER = "officer", _("National oversight officer")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


class Action(models.TextChoices):
    """What a user may do beyond reading. Later modules add their actions here."""

    RECORD_MOVEMENT = (
        "record_movement",
        _(
            "Record receipts, issues, transfers, moves, returns, adjustments, disposal executions "
            "and stock-check counts"
        ),
    )
    RECORD_SURVEILLANCE = (
        "record_surveillance",
        _("Record inspections, stability tests, condition changes, bans and constraints"),
    )
    APPROVE = "approve", _("Approve adjustments and stock-check variances")
    RECORD_WAIVER = "record_waiver", _("Record storage waivers")
    MANAGE_OVERSIGHT = (
        "manage_oversight",
        _(
            "Set national requirements, plan and approve disposal, manage parties, transfer cases "
            "and risk assessments"
        ),
    )
    MANAGE_RECIPIENTS = "manage_recipients", _("Manage the register of recipients")
    REQUEST_REPORT = "request_report", _("Request and download reports")
    VERIFY_LEDGER = "verify_ledger", _("Run ledger verification")
    READ_AUDIT = "read_audit", _("Read the audit log and job runs")
    MANAGE_REFERENCE = (
        "manage_reference",
        _("Manage users, depots, storehouses, licences and reference data"),
    )


# Roles whose grant is limited to the user's depot memberships; with none, nothing. A national
# inspector (DESIGN.md §1) is marked so on the user (User.national), never inferred from having
# no membership: an administrator who forgets a clerk's or inspector's depot grants nothing.
DEPOT_BOUND_ROLES = frozenset({Role.CLERK, Role.INSPECTOR})

ACTION_ROLES: dict[Action, frozenset[Role]] = {
    Action.RECORD_MOVEMENT: frozenset({Role.CLERK}),
    Action.RECORD_SURVEILLANCE: frozenset({Role.INSPECTOR}),
    Action.APPROVE: frozenset({Role.INSPECTOR}),
    Action.RECORD_WAIVER: frozenset({Role.INSPECTOR}),
    Action.MANAGE_OVERSIGHT: frozenset({Role.OFFICER}),
    Action.MANAGE_RECIPIENTS: frozenset({Role.OFFICER}),
    Action.REQUEST_REPORT: frozenset({Role.CLERK, Role.INSPECTOR, Role.OFFICER, Role.AUDITOR}),
    Action.VERIFY_LEDGER: frozenset({Role.AUDITOR}),
    Action.READ_AUDIT: frozenset({Role.AUDITOR}),
    Action.MANAGE_REFERENCE: frozenset(),
}
# Actions that post documents, approve or decide: with settings.VETTING_REQUIRED on they need
# valid personnel vetting as well as the role (issue 8: physical security and stockpile
# management). Reading, requesting reports and verifying the ledger do not.
VETTED_ACTIONS = frozenset(
    {
        Action.RECORD_MOVEMENT,
        Action.RECORD_SURVEILLANCE,
        Action.APPROVE,
        Action.RECORD_WAIVER,
        Action.MANAGE_OVERSIGHT,
    }
)

# An admin may do anything any other role may do, in every depot (DESIGN.md §1).
ACTION_ROLES = {action: roles | {Role.ADMIN} for action, roles in ACTION_ROLES.items()}

# The roles that grant a vetted action: holders of one need valid vetting.
VETTED_ROLES = frozenset().union(*(ACTION_ROLES[action] for action in VETTED_ACTIONS))
