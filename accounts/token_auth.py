"""API token authentication: knox tokens (hashed, expiring, refreshed on use) read in one query.

Its own module: REST framework imports authentication classes while rest_framework.views is
still loading, so this must not import anything that imports the views (core.drf does).
It lives with the users whose tokens it reads, above core (LAYERS.md).
"""

import binascii
from hmac import compare_digest

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework.exceptions import AuthenticationFailed

from accounts.models import DepotMembership, User
from core.rows import instance_from_row


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's TokenAuthentication, with the token read together with its user and the user's
    depot memberships (the scope every API request checks) in one hand-written query: knox reads
    the token, then all of the user's tokens, and the scope then reads the memberships, three
    ORM queries whose compile alone cost more CPU than the rest of a small request.

    knox's sweep of the user's *other* expired tokens on every request is left out: an expired
    token is refused, and deleted, when it is presented, as in knox.
    """

    _sql: str | None = None

    @classmethod
    def _query(cls) -> str:
        if cls._sql is None:
            quote = connection.ops.quote_name
            token_model = get_token_model()
            token_columns = ", ".join(
                f"t.{quote(f.column)}" for f in token_model._meta.concrete_fields
            )
            user_columns = ", ".join(f"u.{quote(f.column)}" for f in User._meta.concrete_fields)
            memberships = quote(DepotMembership._meta.db_table)
            tokens, users = quote(token_model._meta.db_table), quote(User._meta.db_table)
            # Names from the models' meta; the one value is a parameter.
            cls._sql = (
                f"SELECT {token_columns}, {user_columns}, "  # noqa: S608
                f"ARRAY(SELECT m.depot_id FROM {memberships} m WHERE m.user_id = u.id) "
                f"FROM {tokens} t JOIN {users} u ON u.id = t.user_id WHERE t.token_key = %s"
            )
        return cls._sql

    def _candidates(self, token_key: str):
        token_model = get_token_model()
        split = len(token_model._meta.concrete_fields)
        with connection.cursor() as cursor:
            cursor.execute(self._query(), [token_key])
            rows = cursor.fetchall()
        for row in rows:
            auth_token = instance_from_row(token_model, row[:split])
            user = instance_from_row(User, row[split:-1])
            # User.depot_ids is a cached_property: fill it from this query.
            user.__dict__["depot_ids"] = frozenset(row[-1])
            auth_token.user = user
            yield auth_token

    def authenticate_credentials(self, token):
        message = _("Invalid token.")
        token = token.decode("utf-8")
        for auth_token in self._candidates(token[: CONSTANTS.TOKEN_KEY_LENGTH]):
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
                return self.validate_user(auth_token)
        raise AuthenticationFailed(message)


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of knox tokens (unchanged: `Authorization: Token ...`)."""

    target_class = "accounts.token_auth.TokenAuthentication"
