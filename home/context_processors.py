"""What every page shows around its content: the classification marking, the navigation for the
user's roles (with the count of open alerts) and the vetting notice."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.selectors import alert_counts
from core.roles import VETTED_ROLES, Role

ALERTS_URL = "alerts:alert_list"

# Navigation entries (label, URL name) and the roles that see each, in the order shown.
NAV_ITEMS = [
    (_("Stock"), "inventory:stock_list", None),
    (_("Documents"), "inventory:document_list", None),
    (_("Receive"), "inventory:receipt_new", {Role.CLERK}),
    (_("Issue"), "inventory:issue_new", {Role.CLERK}),
    (_("Transfer"), "inventory:transfer_new", {Role.CLERK}),
    (_("Inbox"), "inventory:transfer_inbox", {Role.CLERK}),
    (_("Adjust"), "inventory:adjustment_new", {Role.CLERK}),
    (_("Pending adjustments"), "inventory:adjustments_pending", {Role.INSPECTOR}),
    (_("Surveillance"), "surveillance:work_list", None),
    (_("Waivers"), "inventory:waiver_list", {Role.INSPECTOR}),
    (_("Stock checks"), "stockchecks:check_list", None),
    (_("Incidents"), "stockchecks:incident_list", None),
    (_("Alerts"), ALERTS_URL, None),
    (_("Job runs"), "alerts:job_run_list", {Role.AUDITOR}),
    (_("Ledger verification"), "audit:ledger", {Role.AUDITOR}),
    (_("Audit log"), "audit:log", {Role.AUDITOR}),
    (_("Quantity-distance"), "qd:calculator", None),
    (_("Reports"), "reports:report_list", None),
    (_("Verify a report"), "reports:report_verify", {Role.AUDITOR}),
    (_("Surplus"), "surplus:dashboard", {Role.OFFICER, Role.AUDITOR}),
    (_("Disposal plans"), "surplus:plan_list", {Role.CLERK, Role.OFFICER, Role.AUDITOR}),
    (_("Transfer cases"), "diversion:case_list", {Role.CLERK, Role.OFFICER, Role.AUDITOR}),
    (_("Parties"), "diversion:party_list", {Role.OFFICER, Role.AUDITOR}),
    (_("Trace"), "diversion:trace", {Role.OFFICER, Role.AUDITOR}),
]


def stockpile(request):
    """The classification marking, the navigation for the signed-in user's roles, and the counts
    of open alerts in their depots (`alert_counts`: one query, only for a signed-in user)."""
    user = getattr(request, "user", None)
    nav = []
    counts = None
    if user is not None and user.is_authenticated:
        roles = user.role_set
        nav.append({"label": _("Home"), "url": reverse("home")})
        if roles:
            counts = alert_counts(user=user)
        for label, name, allowed in NAV_ITEMS:
            if roles and (allowed is None or roles & allowed or Role.ADMIN in roles):
                if name == ALERTS_URL:
                    label = _alerts_label(counts)
                nav.append({"label": label, "url": reverse(name)})
        nav.append({"label": _("API"), "url": reverse("api-docs")})
        if user.has_role(Role.ADMIN):
            nav.append({"label": _("Administration"), "url": reverse("admin:index")})
    return {
        "classification_marking": settings.CLASSIFICATION_MARKING,
        "nav_items": nav,
        "alert_counts": counts,
        "vetting_notice": _vetting_notice(user),
    }


def _vetting_notice(user) -> dict | None:
    """For a user who posts or approves: lapsed vetting (they are refused), or vetting that
    lapses within VETTING_WARNING_DAYS (they should renew). None otherwise; no query."""
    if user is None or not user.is_authenticated or not settings.VETTING_REQUIRED:
        return None
    if not user.role_set & VETTED_ROLES:
        return None
    today = timezone.localdate()
    if not user.vetting_valid_on(today):
        return {"lapsed": True, "expires_on": user.vetting_expires_on}
    if user.vetting_expires_on <= today + timedelta(days=settings.VETTING_WARNING_DAYS):
        return {"lapsed": False, "expires_on": user.vetting_expires_on}
    return None


def _alerts_label(counts: dict[str, int]) -> str:
    """ "Alerts (12 open, 3 critical)", or plain "Alerts" when none is open."""
    if not counts["open"]:
        return str(_("Alerts"))
    if counts["critical"]:
        return _("Alerts (%(open)d open, %(critical)d critical)") % counts
    return _("Alerts (%(open)d open)") % counts
