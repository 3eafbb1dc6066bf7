"""Narrowing the web pages to the depot chosen in the top bar (home.depots)."""

from home.depots import focus_apply


class DepotFocusMiddleware:
    """After authentication: put the depot a user chose on `request.user.depot_focus` for every
    page. Never under /api/: API clients (token or session) filter with `?depot=`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            focus_apply(request)
        return self.get_response(request)
