"""The language choice: saved on a signed-in user, and in the language cookie when signed out."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.languages import is_offered
from accounts.services import user_language_set


@login_not_required
@require_POST
def language_choose(request):
    """POST `language` (a code of settings.LANGUAGES, or empty for the browser's) and `next`."""
    language = request.POST.get("language", "")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    if language and not is_offered(language):
        return HttpResponseBadRequest(_("This language is not offered."))
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    response = HttpResponseRedirect(target)
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response
