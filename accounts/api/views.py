"""API sign-in: POST username and password, receive a token for `Authorization: Token <token>`.

Tokens are django-rest-knox tokens: stored hashed, expiring after API_TOKEN_TTL_HOURS of disuse
and API_TOKEN_MAX_HOURS after sign-in at the latest, at most API_TOKENS_PER_USER at once,
revocable one by one or all together, and revoked by a password change or deactivation. Failed
attempts count towards the same per-account lockout as the login page (axes).
"""

from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts.services import api_token_create, api_tokens_revoke


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)


class TokenThrottle(AnonRateThrottle):
    rate = "30/min"


class TokenCreateApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={201: TokenSerializer},
        # No credentials to sign in with: generated clients then take a plain Client here.
        auth=[],
        summary="Exchange a username and password for an API token",
        description="A user holds at most API_TOKENS_PER_USER live tokens: a new sign-in at "
        "the cap revokes the oldest. 429 after repeated failures (the account is locked).",
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request, **serializer.validated_data)
        if getattr(request, "axes_locked_out", False):
            raise Throttled(
                detail=_("Too many failed sign-in attempts. Try again later or ask an admin.")
            )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to sign in with the given credentials.")]}
            )
        instance, token = api_token_create(user=user)
        # A token sign-in is a sign-in: the audit log records it as the login page's are.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response(
            TokenSerializer({"token": token, "expiry": instance.expiry}).data,
            status=status.HTTP_201_CREATED,
        )


# Revoking answers 204 with no body; `revoke` says which tokens go. (A comment, not a docstring:
# the schema would print it as the description of both operations.)
class _TokenRevokeApi(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        self.revoke(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _revoke_schema(summary):
    return extend_schema_view(
        post=extend_schema(request=None, responses={204: None}, summary=summary)
    )


@_revoke_schema("Revoke the token used for this request")
class TokenDestroyApi(_TokenRevokeApi):
    def revoke(self, request):
        if isinstance(request.auth, AuthToken):
            request.auth.delete()


@_revoke_schema("Revoke every API token of the signed-in user")
class TokenDestroyAllApi(_TokenRevokeApi):
    def revoke(self, request):
        api_tokens_revoke(user=request.user)
