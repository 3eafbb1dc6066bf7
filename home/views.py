"""The home page: what each of the user's roles should look at first, over their depots."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.selectors import vetting_renewals_due
from alerts.selectors import alert_open_list
from core.roles import Action, Role
from core.scoping import can, read_depot_ids
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
    }
    return render(request, "home/home.html", context)


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
