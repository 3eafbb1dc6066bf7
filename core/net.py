"""The client's network address: one answer for login lockout, throttles and the audit log.

`X-Forwarded-For` is whatever the client chose to send, unless a reverse proxy that we run wrote
it. So the header is read only when settings.TRUSTED_PROXY_COUNT says how many proxies stand in
front (each appending the address it saw), and then only the entry the outermost trusted proxy
wrote: the one `TRUSTED_PROXY_COUNT` places from the right. Anything left of it is the client's
own text. With no proxy configured (the default) the connection's address is the answer.

This is REST framework's `NUM_PROXIES` rule (rest_framework.throttling.BaseThrottle.get_ident),
which settings.py sets to the same count, so axes, every DRF throttle and the audit log agree.
"""

from ipaddress import ip_address

from django.conf import settings


def client_ip(request) -> str | None:
    """The address the request came from, or None when it has none (a request built in code)."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",")]
    candidate = hops[-min(proxies, len(hops))]
    try:
        return str(ip_address(candidate))
    except ValueError:
        # Our own proxy wrote this entry; if it is not an address, trust only the connection.
        return remote
