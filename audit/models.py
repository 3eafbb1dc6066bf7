"""Tamper evidence of the ledger and the audit log of everything else (DESIGN.md §7; issue 7).

The ledger's lines are hash-chained per depot by the posting service. A checkpoint records each
chain head at a moment; exported and kept outside the database, checkpoints make even a rewrite
of the whole chain detectable. A verification recomputes the chains and names the first broken
line. The audit log records what is not in the ledger: logins, reference-data and role changes
(before/after), downloads and exports. Both are append-only.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import user_fk


class LedgerCheckpoint(models.Model):
    """A depot's chain head at a moment: how many lines, the last line, and its hash."""

    depot = models.ForeignKey("inventory.Depot", on_delete=models.PROTECT, related_name="+")
    line_count = models.BigIntegerField(_("lines"))
    last_line_id = models.BigIntegerField(_("last line"), null=True)
    head_hash = models.CharField(_("head hash"), max_length=64)
    taken_at = models.DateTimeField(_("taken at"))
    taken_by = user_fk(optional=True)
    verification = models.ForeignKey(
        "audit.LedgerVerification",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checkpoints",
        help_text=_(
            "The verification that found the chain intact up to here: incremental verifications "
            "start from the latest such checkpoint."
        ),
    )

    class Meta:
        ordering = ["-taken_at", "depot_id"]
        indexes = [models.Index(fields=["depot", "-taken_at"], name="checkpoint_depot_recent")]

    def __str__(self) -> str:
        return f"{self.depot_id} @ {self.taken_at:%Y-%m-%d %H:%M}: {self.head_hash[:12]}"


class VerificationMode(models.TextChoices):
    FULL = "full", _("full")
    INCREMENTAL = "incremental", _("incremental")


class LedgerVerification(models.Model):
    """One run of ledger verification: what it checked and the first broken link, if any. A full
    run reads every line; an incremental one each depot's lines after its latest verified
    checkpoint."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    requested_by = user_fk(optional=True)
    depots_checked = models.PositiveIntegerField(_("depots checked"))
    lines_checked = models.BigIntegerField(_("lines checked"))
    checkpoints_checked = models.PositiveIntegerField(_("checkpoints checked"))
    mode = models.CharField(
        _("mode"), max_length=12, choices=VerificationMode.choices, default=VerificationMode.FULL
    )
    ok = models.BooleanField(_("chain intact"))
    first_broken = models.JSONField(_("first broken link"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]


class AuditAction(models.TextChoices):
    LOGIN = "login", _("signed in")
    LOGIN_FAILED = "login_failed", _("failed sign-in")
    LOGOUT = "logout", _("signed out")
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    DOWNLOAD = "download", _("downloaded")
    EXPORT = "export", _("exported")
    VERIFY = "verify", _("verified the ledger")


class AuditEvent(models.Model):
    """One entry of the audit log. The actor's name is copied so the entry reads the same after
    the account is renamed."""

    at = models.DateTimeField(_("at"), db_index=True)
    actor = user_fk(optional=True)
    actor_username = models.CharField(_("user"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(
        _("changes"), default=dict, blank=True, help_text=_("Field: [before, after].")
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor_username", "-at"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_repr}"
