from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.shortcuts import render

from core.errors import ApplicationError


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


class ApplicationErrorMiddleware:
    """A page whose view let a domain refusal through (a form page guarded by `require`, for a
    user whose vetting has lapsed, say) answers 409 with the refusal's message, not 500.

    Views that show refusals on their forms catch them first; the API has its own handler."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ApplicationError) or request.path_info.startswith("/api/"):
            return None
        response = render(
            request,
            "409.html",
            {"message": exception.message, "code": exception.code},
            status=exception.status,
        )
        for name, value in exception.headers.items():
            response[name] = value
        return response
