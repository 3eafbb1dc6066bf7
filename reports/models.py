"""Report runs (DESIGN.md §10): one row per requested report, kept with its files for good.

A run is requested (queued), rendered by Celery (running, with progress), and ends done (with
its PDF, the PDF's SHA-256 and the digest of what it covered) or failed (with its error, and may
be retried). The files are records: nothing in the application deletes them.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import RunStatus, user_fk


class ReportKind(models.TextChoices):
    """Every kind DESIGN.md §11 names; reports.kinds says which can be rendered today."""

    ACCOUNTING_STATEMENT = "accounting_statement", _("depot accounting statement")
    STOCK_CARD = "stock_card", _("stock card")
    INSPECTION = "inspection", _("inspection report")
    STABILITY_CERTIFICATE = "stability_certificate", _("stability test certificate")
    DESTRUCTION_CERTIFICATE = "destruction_certificate", _("destruction certificate")
    STOCK_CHECK = "stock_check", _("stock check report")
    SURPLUS = "surplus", _("national surplus report")
    TRACE = "trace", _("trace report")
    EXPLOSIVE_LICENCE = "explosive_licence", _("explosive limit licence")
    STOREHOUSE_BOOK = "storehouse_book", _("daily storehouse book")


# Queued, running, done or failed: the life a surplus snapshot has too.
ReportStatus = RunStatus


# The only moves a run's status makes (reports.services enforces them with conditional UPDATEs).
STATUS_TRANSITIONS = {
    (ReportStatus.QUEUED, ReportStatus.RUNNING),
    (ReportStatus.RUNNING, ReportStatus.DONE),
    (ReportStatus.RUNNING, ReportStatus.FAILED),
    (ReportStatus.FAILED, ReportStatus.QUEUED),
}


def report_path(run: "ReportRun", filename: str) -> str:
    return f"reports/{run.requested_at:%Y}/{filename}"


class ReportRun(models.Model):
    """One requested report: what was asked, by whom, how far it got, and what it produced."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=ReportKind.choices)
    parameters = models.JSONField(_("parameters"), default=dict)
    depot = models.ForeignKey(
        "inventory.Depot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The depot the report is about; empty for national reports."),
    )
    requested_by = user_fk()
    requested_at = models.DateTimeField(_("requested at"))
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        default="",
        help_text=_("The requester's language, in which the report is rendered (empty: English)."),
    )
    cutoff = models.DateTimeField(
        _("cut-off"), help_text=_("Ledger lines posted after this moment are not in the report.")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("PDF"), upload_to=report_path, max_length=200, blank=True)
    csv_file = models.FileField(_("CSV"), upload_to=report_path, max_length=200, blank=True)
    xlsx_file = models.FileField(_("XLSX"), upload_to=report_path, max_length=200, blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    ledger_digest = models.CharField(
        _("ledger digest"),
        max_length=64,
        blank=True,
        help_text=_(
            "SHA-256 over the canonical encodings of the ledger lines covered, in id order."
        ),
    )
    record_digest = models.CharField(
        _("record digest"),
        max_length=64,
        blank=True,
        help_text=_("SHA-256 over the canonical JSON of the records shown (inspections, ...)."),
    )
    line_count = models.PositiveIntegerField(_("ledger lines covered"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    parts = models.PositiveSmallIntegerField(
        _("parts rendered"), null=True, blank=True, help_text=_("Rendered side by side, merged.")
    )
    timings = models.JSONField(
        _("timings (s)"), default=dict, blank=True, help_text=_("Seconds spent in each phase.")
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["depot", "-id"], name="report_depot_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_range"),
            models.CheckConstraint(
                condition=Q(status__in=[choice.value for choice in ReportStatus]),
                name="report_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.DONE)
                | (~Q(file="") & ~Q(pdf_sha256="") & Q(finished_at__isnull=False)),
                name="report_done_has_file",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def digest(self) -> str:
        """The digest printed on the report: of its ledger lines, else of its records."""
        return self.ledger_digest or self.record_digest

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 1)
        return None


class ReportCounter(models.Model):
    """The gapless report number counter of a year, locked while a report is requested."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)
