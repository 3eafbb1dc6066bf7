"""Where a form may send the user back to after a POST: only somewhere on this site."""

from django.core.exceptions import DisallowedRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request, default: str) -> str:
    """The `next` the form posted, when it is a path on this site, else `default` (a URL name
    or path) when none was given. Any other `next` (another host, a scheme such as
    `javascript:`, `//evil.example`) raises DisallowedRedirect, which Django answers with 400:
    call this before writing anything, so a refused request changes nothing."""
    target = request.POST.get("next", "")
    if not target:
        return resolve_url(default)
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        raise DisallowedRedirect("The page to return to is not on this site.")
    return target
