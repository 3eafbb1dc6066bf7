from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def user_fk(*, optional: bool = False, **options: Any) -> models.ForeignKey:
    """The person who did something to a record (posted, approved, recorded, decided ...).

    Protected, as a person with records is deactivated, never deleted; no reverse accessor, as
    nothing reads records through their author. `optional`: empty until it happens."""
    if optional:
        options.update(null=True, blank=True)
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", **options
    )


def two_person_rule(*, approver: str, author: str, name: str) -> models.CheckConstraint:
    """The two-person rule, held by the database: the user in `approver` (who approves, decides
    or overrides), once set, is never the user in `author` (who wrote, posted or proposed)."""
    return models.CheckConstraint(
        condition=Q(**{f"{approver}__isnull": True}) | ~Q(**{approver: F(author)}), name=name
    )


class CodeNamed(models.Model):
    """A register entry known by a short unique code and a name (types, recipients, suppliers,
    groups), listed by code and shown as "code name"."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Numbered(models.Model):
    """A record shown by its number: a prefix and the zero-padded id (`INC-00042`), or
    `INC-new` before it is saved."""

    number_prefix: str

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"{self.number_prefix}-{self.pk:05d}" if self.pk else f"{self.number_prefix}-new"


class RunStatus(models.TextChoices):
    """The life of work done in the background on request (a report, a surplus snapshot)."""

    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class IdempotencyRecord(models.Model):
    """The stored outcome of a request sent with an Idempotency-Key (core/idempotency.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key", "method", "path"], name="idempotency_key_scope"
            )
        ]


class JobOutcome(models.TextChoices):
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")
    SKIPPED_LOCKED = "skipped_locked", _("skipped: another worker was running it")


class JobRun(models.Model):
    """One run of a scheduled job (core/jobs.py): when, how it ended, and what it touched."""

    name = models.CharField(_("job"), max_length=80)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=JobOutcome.choices, default=JobOutcome.RUNNING
    )
    rows_touched = models.JSONField(
        _("rows touched"), default=dict, blank=True, help_text=_("Counts per kind of change.")
    )
    error = models.TextField(_("error"), blank=True)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        indexes = [models.Index(fields=["name", "-started_at"], name="jobrun_name_recent")]

    def __str__(self) -> str:
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"
