"""Users, their roles and their depot memberships (DESIGN.md §1)."""

from datetime import date
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.roles import Role


class VettingLevel(models.TextChoices):
    """Personnel security vetting (IATG 09.10): national schemes name their levels differently;
    these are the usual three steps, lowest first."""

    BASELINE = "baseline", _("baseline check")
    SECURITY = "security", _("security check")
    ENHANCED = "enhanced", _("enhanced vetting")


class User(AbstractUser):
    """A person who signs in. Roles are held directly; depots through memberships."""

    roles = ArrayField(
        models.CharField(max_length=16, choices=Role.choices),
        default=list,
        blank=True,
        verbose_name=_("roles"),
        help_text=_("A user may hold several roles."),
    )
    depots = models.ManyToManyField(
        "inventory.Depot",
        through="DepotMembership",
        related_name="members",
        blank=True,
        verbose_name=_("depots"),
    )
    national = models.BooleanField(
        _("national inspector"),
        default=False,
        help_text=_(
            "An inspector who acts in every depot. Without this an inspector acts only in the "
            "depots listed below, and in none when none are listed."
        ),
    )
    vetting_level = models.CharField(
        _("vetting level"), max_length=16, choices=VettingLevel.choices, blank=True
    )
    vetting_expires_on = models.DateField(
        _("vetting valid until"),
        null=True,
        blank=True,
        help_text=_(
            "Last day of validity. With VETTING_REQUIRED on, a user whose vetting has "
            "lapsed can read but cannot post documents or approve."
        ),
    )
    vetting_reference = models.CharField(
        _("vetting reference"),
        max_length=64,
        blank=True,
        help_text=_("Certificate or file number of the vetting decision."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        default="",
        help_text=_(
            "The language of the pages and of the reports this user requests; empty: the "
            "browser's. One of settings.LANGUAGES."
        ),
    )
    # Role and account changes reach the audit log (audit.signals); never the password hash.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    roles__contained_by=[role.value for role in Role]  # type: ignore[attr-defined]
                ),
                name="user_roles_known",
            ),
            # National scope is an inspector's: on anyone else it would mean nothing, or more.
            models.CheckConstraint(
                condition=models.Q(national=False) | models.Q(roles__contains=["inspector"]),
                name="user_national_is_an_inspector",
                violation_error_message=_("Only an inspector can be a national inspector."),
            ),
        ]

    # The depot a web request's pages are narrowed to (the top bar's depot switcher), set on the
    # request's user by home.middleware.DepotFocusMiddleware; never stored, never set for the API.
    # core.scoping intersects both scopes with it.
    depot_focus: int | None = None

    @property
    def role_set(self) -> frozenset[Role]:
        """The roles held; a Django superuser counts as an admin."""
        roles = {Role(value) for value in self.roles}
        if self.is_superuser:
            roles.add(Role.ADMIN)
        return frozenset(roles)

    def has_role(self, role: Role) -> bool:
        return role in self.role_set

    def vetting_valid_on(self, day: date) -> bool:
        """Vetted, and the vetting still runs on `day` (its expiry date is its last valid day)."""
        return bool(self.vetting_level) and (
            self.vetting_expires_on is not None and self.vetting_expires_on >= day
        )

    @cached_property
    def depot_ids(self) -> frozenset[int]:
        """Ids of the depots this user is a member of; read once per request."""
        return frozenset(self.memberships.values_list("depot_id", flat=True))

    def has_perm(self, perm, obj=None):
        # The Django admin is the administrators' tool: the admin role grants its permissions.
        if self.is_active and Role.ADMIN in self.role_set:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        if self.is_active and Role.ADMIN in self.role_set:
            return True
        return super().has_module_perms(app_label)


class DepotMembership(models.Model):
    """A clerk or inspector works for a depot; their depot-bound roles apply there."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    depot = models.ForeignKey(
        "inventory.Depot", on_delete=models.PROTECT, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("depot membership")
        verbose_name_plural = _("depot memberships")
        constraints = [models.UniqueConstraint(fields=["user", "depot"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.depot}"
