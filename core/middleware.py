from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page requires login, except views marked @login_not_required.

    The API is left to REST framework, whose default permission is IsAuthenticated: API clients
    authenticate by token inside the view, after this middleware, and expect 401/403 JSON rather
    than a redirect to the login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class NoStoreMiddleware:
    """Pages for a signed-in user are never kept by the browser or a proxy after sign-out.

    Stock, ledger and report pages can be classified; `Cache-Control: no-store` keeps them out
    of shared and back-button caches. Static files are served before this and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response
