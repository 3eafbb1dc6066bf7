"""Imports of existing records (DESIGN.md §14): one row per file brought in (or being brought
in), with its digest, its outcome and the documents it posted."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Numbered, user_fk


class ImportKind(models.TextChoices):
    OPENING_BALANCES = "opening_balances", _("opening balances")
    AMMUNITION_TYPES = "ammunition_types", _("ammunition types")
    RECIPIENTS = "recipients", _("recipients")
    PARTIES = "parties", _("parties")


REFERENCE_KINDS = frozenset(
    {ImportKind.AMMUNITION_TYPES, ImportKind.RECIPIENTS, ImportKind.PARTIES}
)


class ImportStatus(models.TextChoices):
    # Checked and clean, kept for the page's confirmation; nothing posted yet.
    VALIDATED = "validated", _("validated, awaiting confirmation")
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    IMPORTED = "imported", _("imported")
    REJECTED = "rejected", _("rejected")
    FAILED = "failed", _("failed")
    # Checked on the page but never confirmed within IMPORT_STALE_HOURS: its bytes are cleared,
    # its record (name, SHA-256, rows) kept; upload it again to import it.
    EXPIRED = "expired", _("expired, never confirmed")


# A file counts as brought into its depot from the moment it is queued: the same file again is
# a duplicate (409 duplicate_import), whether the first is still running or done.
TAKEN_STATUSES = (ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.IMPORTED)


class ImportRun(Numbered):
    """One uploaded file: what it is, who sent it, how it went. The file's bytes are kept until
    it is imported or rejected (for the confirmation and the background run), then cleared; a
    file checked but never confirmed loses them after IMPORT_STALE_HOURS (status expired). Its
    SHA-256 stays, and so does the link from each posted document to the file and rows."""

    number_prefix = "IMP"

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    depot = models.ForeignKey(
        "inventory.Depot", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    content = models.BinaryField(null=True, blank=True, editable=False)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    documents = ArrayField(models.BigIntegerField(), default=list, blank=True)
    created = models.PositiveIntegerField(_("records created"), default=0)
    created_by = user_fk()
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["depot", "-id"], name="import_depot_recent")]
        constraints = [
            models.UniqueConstraint(
                "kind",
                "depot",
                "file_sha256",
                condition=Q(status__in=TAKEN_STATUSES),
                nulls_distinct=False,
                name="import_file_once_per_depot",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="import_progress_pct"),
        ]
