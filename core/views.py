from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import bad_request, page_not_found, server_error

from core.health import service_health
from core.roles import Action, Role
from core.scoping import can, read_depot_ids
from inventory.selectors.reference import depot_list


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
    return render(request, "core/home.html", context)


HOME_ALERTS = 10


def _open_alerts(user) -> list:
    """The most severe open alerts of the user's depots, for the home page panel (one query)."""
    from alerts.selectors import alert_open_list

    if not user.role_set:
        return []
    return list(alert_open_list(user=user)[:HOME_ALERTS])


def _vetting_renewals(user) -> list:
    """For administrators: whose vetting has lapsed or lapses soon (one query)."""
    from accounts.selectors import vetting_renewals_due

    if not user.has_role(Role.ADMIN) or not settings.VETTING_REQUIRED:
        return []
    return list(vetting_renewals_due())


HOME_INCIDENTS = 5


def _unresolved_incidents(user) -> list:
    """Losses not yet closed in the user's depots, oldest first (one query)."""
    from stockchecks.selectors import incident_unresolved_list

    if not user.role_set:
        return []
    return list(incident_unresolved_list(user=user).order_by("pk")[:HOME_INCIDENTS])


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 when the database and the broker answer, else 503; names what failed."""
    report = service_health()
    healthy = all(value == "ok" for value in report.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **report}, status=200 if healthy else 503
    )


def _wants_json(request) -> bool:
    return request.path_info.startswith("/api/")


def not_found(request, exception=None):
    """404: JSON under /api/ (API clients parse the body), the page elsewhere."""
    if _wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def bad_request_handler(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return bad_request(request, exception)


def server_error_handler(request):
    if _wants_json(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return server_error(request)
