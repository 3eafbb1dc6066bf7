"""What every page shows around its content: the classification marking, the navigation for the
user's roles (with the count of open alerts), the depot switcher and the vetting notice."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.selectors import alert_counts
from core.roles import VETTED_ROLES, Role
from home.depots import switcher

ALERTS_URL = "alerts:alert_list"

# Navigation entries (label, URL name) and the roles that see each (None: every role), grouped
# into a few menus so that no role faces a wall of links; within a group, in the order shown.
STOCK, SAFETY, OVERSIGHT, AUDIT = _("Stock"), _("Safety"), _("Oversight"), _("Audit")
REVIEWERS = {Role.OFFICER, Role.AUDITOR}
CASE_ROLES = {Role.CLERK, Role.OFFICER, Role.AUDITOR}
NAV_ITEMS = [
    (STOCK, _("Stock"), "inventory:stock_list", None),
    (STOCK, _("Documents"), "inventory:document_list", None),
    (STOCK, _("Receive"), "inventory:receipt_new", {Role.CLERK}),
    (STOCK, _("Issue"), "inventory:issue_new", {Role.CLERK}),
    (STOCK, _("Transfer"), "inventory:transfer_new", {Role.CLERK}),
    (STOCK, _("Inbox"), "inventory:transfer_inbox", {Role.CLERK}),
    (STOCK, _("Adjust"), "inventory:adjustment_new", {Role.CLERK}),
    (STOCK, _("Import"), "imports:import_list", {Role.CLERK}),
    (STOCK, _("Pending adjustments"), "inventory:adjustments_pending", {Role.INSPECTOR}),
    (STOCK, _("Waivers"), "inventory:waiver_list", {Role.INSPECTOR}),
    (STOCK, _("Storehouse book"), "reports:storehouse_book", None),
    (SAFETY, _("Surveillance"), "surveillance:work_list", None),
    (SAFETY, _("Stock checks"), "stockchecks:check_list", None),
    (SAFETY, _("Incidents"), "stockchecks:incident_list", None),
    (SAFETY, _("Quantity-distance"), "qd:calculator", None),
    (None, _("Alerts"), ALERTS_URL, None),
    (OVERSIGHT, _("Surplus"), "surplus:dashboard", REVIEWERS),
    (OVERSIGHT, _("Disposal plans"), "surplus:plan_list", CASE_ROLES),
    (OVERSIGHT, _("Transfer cases"), "diversion:case_list", CASE_ROLES),
    (OVERSIGHT, _("Parties"), "diversion:party_list", REVIEWERS),
    (OVERSIGHT, _("Trace"), "diversion:trace", REVIEWERS),
    (AUDIT, _("Reports"), "reports:report_list", None),
    (AUDIT, _("Verify a report"), "reports:report_verify", {Role.AUDITOR}),
    (AUDIT, _("Ledger verification"), "audit:ledger", {Role.AUDITOR}),
    (AUDIT, _("Audit log"), "audit:log", {Role.AUDITOR}),
    (AUDIT, _("Job runs"), "alerts:job_run_list", {Role.AUDITOR}),
]


def _grouped(entries: list[tuple], path: str) -> list[dict]:
    """The menus of the top bar: a group of one link is shown as that link."""
    menus: list[dict] = []
    for group, item in entries:
        if group is not None and menus and menus[-1].get("group") == group:
            menus[-1]["items"].append(item)
        else:
            menus.append({"group": group, "label": group, "items": [item]})
    for menu in menus:
        menu["current"] = any(item["url"] == path for item in menu["items"])
        if len(menu["items"]) == 1:
            menu.update(menu["items"][0], items=None)
    return menus


def stockpile(request):
    """The classification marking, the navigation for the signed-in user's roles, and the counts
    of open alerts in their depots (`alert_counts`: one query, only for a signed-in user)."""
    user = getattr(request, "user", None)
    entries: list[tuple] = []
    counts = None
    if user is not None and user.is_authenticated:
        roles = user.role_set
        entries.append((None, {"label": _("Home"), "url": reverse("home")}))
        if roles:
            counts = alert_counts(user=user)
        for group, label, name, allowed in NAV_ITEMS:
            if roles and (allowed is None or roles & allowed or Role.ADMIN in roles):
                if name == ALERTS_URL:
                    label = _alerts_label(counts)
                entries.append((group, {"label": label, "url": reverse(name)}))
        system = _("System")
        entries.append((system, {"label": _("API"), "url": reverse("api-docs")}))
        if user.has_role(Role.ADMIN):
            entries.append((system, {"label": _("Administration"), "url": reverse("admin:index")}))
    return {
        "classification_marking": settings.CLASSIFICATION_MARKING,
        "nav_items": [item for _group, item in entries],
        "nav_menus": _grouped(entries, request.path),
        "alert_counts": counts,
        "vetting_notice": _vetting_notice(user),
        "language_choice": _language_choice(request, user),
        "depot_switcher": switcher(request) if user is not None else None,
    }


def _language_choice(request, user) -> str:
    """The language chosen in the footer's form: saved on the user, or (signed out) in the
    cookie; empty when the browser's language applies."""
    if user is not None and user.is_authenticated:
        return user.language
    return request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")


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
