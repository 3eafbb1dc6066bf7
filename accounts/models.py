"""Users, their roles and their depot memberships (DESIGN.md §1)."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.roles import Role


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
            )
        ]

    @property
    def role_set(self) -> frozenset[Role]:
        """The roles held; a Django superuser counts as an admin."""
        roles = {Role(value) for value in self.roles}
        if self.is_superuser:
            roles.add(Role.ADMIN)
        return frozenset(roles)

    def has_role(self, role: Role) -> bool:
        return role in self.role_set

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
