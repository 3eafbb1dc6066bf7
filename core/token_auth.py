"""API token authentication: knox tokens (hashed, expiring, refreshed on use) read in one query.

Its own module: REST framework imports authentication classes while rest_framework.views is
still loading, so this must not import anything that imports the views (core.drf does).
"""

import binascii
from hmac import compare_digest

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework.exceptions import AuthenticationFailed


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's TokenAuthentication, with the token read together with its user and the user's
    depot memberships (the scope every API request checks): one query, where knox reads the
    token, then all of the user's tokens, and the scope then reads the memberships.

    knox's sweep of the user's *other* expired tokens on every request is left out: an expired
    token is refused, and deleted, when it is presented, as in knox.
    """

    def authenticate_credentials(self, token):
        from accounts.models import DepotMembership

        message = _("Invalid token.")
        token = token.decode("utf-8")
        depot_ids = DepotMembership.objects.filter(user=OuterRef("user_id")).values("depot_id")
        candidates = (
            get_token_model()
            .objects.filter(token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH])
            .select_related("user")
            .annotate(member_of=ArraySubquery(depot_ids))
        )
        for auth_token in candidates:
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                username = auth_token.user.get_username()
                auth_token.delete()
                token_expired.send(sender=self.__class__, username=username, source="auth_token")
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error) as exc:
                raise AuthenticationFailed(message) from exc
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                # accounts.User.depot_ids is a cached_property: fill it from this query.
                auth_token.user.__dict__["depot_ids"] = frozenset(auth_token.member_of)
                return self.validate_user(auth_token)
        raise AuthenticationFailed(message)


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of knox tokens (unchanged: `Authorization: Token ...`)."""

    target_class = "core.token_auth.TokenAuthentication"
