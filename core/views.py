"""Views every app relies on: the health check and the error handlers (JSON under /api/)."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import bad_request, page_not_found, server_error

from core.health import service_health


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
