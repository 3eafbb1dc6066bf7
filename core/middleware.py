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
