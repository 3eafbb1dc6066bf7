"""The language of a signed-in user's pages: the one saved on the user, else the browser's."""

from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """After authentication: a user who chose a language gets it on every page, whatever the
    browser asks for (LocaleMiddleware has already chosen from the cookie or Accept-Language)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.offered = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None else ""
        if language in self.offered and user.is_authenticated:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
