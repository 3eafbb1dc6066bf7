"""Bans and constraints on a lot or a type (DESIGN.md §6): they govern what a posting may issue.

The records belong to the accounting core, which reads them when it posts
(inventory.selectors.bans); who may impose or lift one is surveillance's workflow, which writes
them through inventory.services.bans. The tables keep their first names (they were
surveillance's models). A ban is lifted, never deleted (triggers of surveillance migration 0002).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import user_fk


class BanKind(models.TextChoices):
    BAN = "ban", _("ban")
    CONSTRAINT = "constraint", _("constraint")


class Ban(models.Model):
    """A ban (no issue or use) or a constraint (limited use) on a type or a lot, until lifted.

    A constraint may name the recipient kinds it allows ("training only": ranges and units);
    issues to any other kind are refused. A constraint naming none is shown, not enforced.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=BanKind.choices)
    ammunition_type = models.ForeignKey(
        "inventory.AmmunitionType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bans",
    )
    lot = models.ForeignKey(
        "inventory.Lot", on_delete=models.PROTECT, null=True, blank=True, related_name="bans"
    )
    reason = models.TextField(_("reason"))
    reference = models.CharField(_("reference"), max_length=120)
    permitted_recipient_kinds = models.JSONField(
        _("permitted recipient kinds"),
        default=list,
        blank=True,
        help_text=_("Constraints only: the recipient kinds that may still receive the stock."),
    )
    disposal_recommended = models.BooleanField(
        _("remedy is disposal"),
        default=False,
        help_text=_(
            "Bans only: the stock will not be made serviceable again and is to be disposed of. "
            "It then counts as surplus (obsolete or banned); a temporary ban does not."
        ),
    )
    imposed_by = user_fk()
    imposed_at = models.DateTimeField(auto_now_add=True)
    lifted_by = user_fk(optional=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(_("reason for lifting"), blank=True)
    history = HistoricalRecords(table_name="surveillance_historicalban")

    class Meta:
        db_table = "surveillance_ban"
        ordering = ["-imposed_at", "-id"]
        indexes = [
            models.Index(
                fields=["lot"], name="ban_active_lot", condition=Q(lifted_at__isnull=True)
            ),
            models.Index(
                fields=["ammunition_type"],
                name="ban_active_type",
                condition=Q(lifted_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ammunition_type__isnull=True, lot__isnull=False)
                | Q(ammunition_type__isnull=False, lot__isnull=True),
                name="ban_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lifted_by__isnull=True)
                | Q(lifted_at__isnull=False, lifted_by__isnull=False),
                name="ban_lifted_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.lot or self.ammunition_type}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None
