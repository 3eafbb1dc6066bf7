"""Writes to users, roles and memberships."""

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from accounts.languages import is_offered
from accounts.models import DepotMembership, User
from core.roles import Role


@transaction.atomic
def user_upsert(
    *,
    username: str,
    password: str,
    roles: Iterable[Role],
    depot_ids: Iterable[int] = (),
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    vetting: tuple[str, date, str] | None = None,
) -> User:
    """Create the user or bring an existing one to exactly these roles, depots and password;
    `vetting` (level, valid until, reference) replaces the vetting record when given."""
    user, _created = User.objects.get_or_create(username=username)
    user.first_name, user.last_name, user.email = first_name, last_name, email
    if vetting is not None:
        user.vetting_level, user.vetting_expires_on, user.vetting_reference = vetting
    user.roles = sorted(Role(role).value for role in roles)
    user.is_active = True
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    wanted = set(depot_ids)
    # One by one, not in bulk: each membership change reaches the history and the audit log.
    for membership in DepotMembership.objects.filter(user=user).exclude(depot_id__in=wanted):
        membership.delete()
    existing = set(DepotMembership.objects.filter(user=user).values_list("depot_id", flat=True))
    for depot_id in sorted(wanted - existing):
        DepotMembership.objects.create(user=user, depot_id=depot_id)
    user.__dict__.pop("depot_ids", None)
    return user


SYSTEM_USERNAME = "system"


def system_user() -> User:
    """The account automatic postings are made by, on behalf of the person whose action caused
    them (DESIGN.md §1). It cannot sign in: inactive, no password, no roles."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": False, "first_name": "Stockpile", "last_name": "(automatic)"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


# --- API tokens (django-rest-knox) --------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user: User) -> tuple[AuthToken, str]:
    """A new API token for `user`, and its secret (shown once; only a digest is stored).

    The user's expired tokens are deleted first. A user holds at most
    REST_KNOX["TOKEN_LIMIT_PER_USER"] live tokens: at the cap, the oldest are revoked to make room,
    so forgotten tokens never pile up unseen and a script that signs in again is never locked
    out of its own account."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one sign-in at a time
    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    limit = settings.REST_KNOX.get("TOKEN_LIMIT_PER_USER")
    if limit is not None:
        keep = AuthToken.objects.filter(user=user).order_by("-created").values("pk")[: limit - 1]
        AuthToken.objects.filter(user=user).exclude(pk__in=keep).delete()
    return AuthToken.objects.create(user)


def api_tokens_revoke(*, user: User) -> int:
    """Delete every API token of `user`; how many there were. Called when the password
    changes (accounts.passwords) and when the account is deactivated (accounts.admin)."""
    deleted, _by_model = AuthToken.objects.filter(user=user).delete()
    return deleted


def user_language_set(*, user: User, language: str) -> User:
    """Save the language a user chose (empty: follow the browser). Refuses a language the
    installation does not offer, writing nothing."""
    if language and not is_offered(language):
        raise ValidationError({"language": [_("This language is not offered.")]})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
