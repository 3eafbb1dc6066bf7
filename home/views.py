"""The home page: what each of the user's roles should look at first, over their depots."""

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import vetting_renewals_due
from alerts.selectors import alert_open_list
from core.redirects import next_url
from core.roles import Action, Role
from core.scoping import can, read_depot_ids
from home.depots import focus_set
from home.selectors import SURVEILLANCE_HORIZON, home_counts
from inventory.selectors.reference import depot_list
from stockchecks.selectors import incident_unresolved_list


@require_GET
def home(request):
    """The home page: one section per role the user holds, over the depots in their scope."""
    user = request.user
    depots = list(depot_list(user=user))
    context = {
        "roles": [role for role in Role if role in user.role_set],
        "depots": depots,
        "national_scope": read_depot_ids(user) is None,
        "can_record_movement": can(user, Action.RECORD_MOVEMENT),
        "can_approve": can(user, Action.APPROVE),
        "open_alerts": _open_alerts(user),
        "unresolved_incidents": _unresolved_incidents(user),
        "vetting_renewals": _vetting_renewals(user),
        **_figures(user),
    }
    return render(request, "home/home.html", context)


@require_POST
def depot_choose(request):
    """The top bar's depot switcher: POST `depot` (a depot id, or empty for all the user's
    depots) and `next`. 400 for a `next` off this site or a value that is no id, 403 for a depot
    outside the user's scope; nothing changes then."""
    target = next_url(request, "home")
    try:
        focus_set(request, request.POST.get("depot", ""))
    except ValueError:
        return HttpResponseBadRequest(str(_("Choose a depot from the list.")))
    return HttpResponseRedirect(target)


# The figures of today's work: (count key, label, URL name, query string of the list's filter).
CLERK_FIGURES = [
    ("transfers_to_receive", _("Transfers to receive"), "inventory:transfer_inbox", ""),
    ("checks_counting", _("Stock checks to count"), "stockchecks:check_list", "status=counting"),
    (
        "adjustments_pending",
        _("Adjustments awaiting approval"),
        "inventory:document_list",
        "kind=adjustment&status=pending_approval",
    ),
]
INSPECTOR_FIGURES = [
    (
        "surveillance_overdue",
        _("Surveillance work overdue"),
        "surveillance:work_list",
        f"horizon={SURVEILLANCE_HORIZON}",
    ),
    (
        "surveillance_due",
        _("Surveillance work due within 30 days"),
        "surveillance:work_list",
        f"horizon={SURVEILLANCE_HORIZON}",
    ),
    ("adjustments_pending", _("Adjustments to approve"), "inventory:adjustments_pending", ""),
    ("reversals_pending", _("Reversals to approve"), "inventory:reversals_pending", ""),
    (
        "incidents_unresolved",
        _("Unresolved incidents"),
        "stockchecks:incident_list",
        "unresolved=true",
    ),
]


def _figures(user) -> dict[str, list[dict]]:
    """Today's work of the clerk and inspector roles as figures, each a link to the list that
    shows those items (one query per figure, whatever the data)."""
    counts = home_counts(user, today=timezone.localdate())

    def figures(spec):
        return [
            {
                "key": key,
                "count": counts[key],
                "label": label,
                "url": reverse(name) + (f"?{query}" if query else ""),
            }
            for key, label, name, query in spec
            if key in counts
        ]

    return {
        "clerk_figures": figures(CLERK_FIGURES),
        "inspector_figures": figures(INSPECTOR_FIGURES),
    }


HOME_ALERTS = 10


def _open_alerts(user) -> list:
    """The most severe open alerts of the user's depots, for the home page panel (one query)."""
    if not user.role_set:
        return []
    return list(alert_open_list(user=user)[:HOME_ALERTS])


def _vetting_renewals(user) -> list:
    """For administrators: whose vetting has lapsed or lapses soon (one query)."""
    if not user.has_role(Role.ADMIN) or not settings.VETTING_REQUIRED:
        return []
    return list(vetting_renewals_due())


HOME_INCIDENTS = 5


def _unresolved_incidents(user) -> list:
    """Losses not yet closed in the user's depots, oldest first (one query)."""
    if not user.role_set:
        return []
    return list(incident_unresolved_list(user=user).order_by("pk")[:HOME_INCIDENTS])
