"""The language of a signed-in user's pages: the one saved on the user, else the browser's."""

from django.utils import translation

from accounts.languages import is_offered


class UserLanguageMiddleware:
    """After authentication: a user who chose a language gets it on every page, whatever the
    browser asks for (LocaleMiddleware has already chosen from the cookie or Accept-Language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and is_offered(user.language):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
