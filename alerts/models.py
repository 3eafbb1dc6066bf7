"""Alerts (DESIGN.md §8): what the daily jobs found wrong, per subject, until the cause is gone.

An alert is about one subject: a lot, a storehouse, a document or a lot in a storehouse, always
within one depot (the depot decides who sees it). At most one alert of a kind is open per subject
(a partial unique index, NULLs compared equal), so re-running a job refreshes `last_seen` and never
duplicates. When the cause is gone the job sets `resolved_at`; if it comes back, a new alert opens.

A sweep that finds an open alert unchanged does not rewrite its row: it records once per kind and
depot when it looked (AlertSeen), and an open alert's `last_seen` is read as the later of its own
and that mark (LastSeenField). Tens of thousands of unchanged alerts cost no write a day.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.expressions import Col
from django.utils.translation import gettext_lazy as _

from core.models import user_fk


class AlertKind(models.TextChoices):
    """The kinds of DESIGN.md §11, plus losses and unstable propellant (event alerts)."""

    LOT_EXPIRING = "lot_expiring", _("lot expiring")
    LOT_EXPIRED = "lot_expired", _("lot expired")
    STABILITY_TEST_OVERDUE = "stability_test_overdue", _("stability test overdue")
    STABILITY_TEST_MISSING = "stability_test_missing", _("no stability test on record")
    INSPECTION_OVERDUE = "inspection_overdue", _("inspection overdue")
    LICENCE_EXPIRING = "licence_expiring", _("licence expiring")
    LICENCE_EXCEEDED = "licence_exceeded", _("storehouse over its licence")
    SUSPECT_MIXED = "suspect_mixed", _("stock to be stored apart shares a storehouse")
    STORAGE_INCOMPATIBLE = "storage_incompatible", _("incompatible stock shares a storehouse")
    TRANSIT_DISCREPANCY = "transit_discrepancy", _("transit discrepancy")
    LEDGER_DRIFT = "ledger_drift", _("ledger and balance differ")
    LOSS_RECORDED = "loss_recorded", _("loss recorded")
    STABILITY_UNSTABLE = "stability_unstable", _("unstable propellant")
    LEDGER_TAMPERED = "ledger_tampered", _("ledger fails verification")
    VERIFICATION_OVERDUE = "verification_overdue", _("delivery verification overdue")
    LICENCE_BEYOND_QD = "licence_beyond_qd", _("licence beyond what quantity-distance allows")


class Severity(models.TextChoices):
    INFO = "info", _("info")
    WARNING = "warning", _("warning")
    CRITICAL = "critical", _("critical")


# The severity a kind is raised with unless its detector says otherwise.
DEFAULT_SEVERITY: dict[str, str] = {
    AlertKind.LOT_EXPIRING: Severity.WARNING,
    AlertKind.LOT_EXPIRED: Severity.CRITICAL,
    AlertKind.STABILITY_TEST_OVERDUE: Severity.CRITICAL,
    AlertKind.STABILITY_TEST_MISSING: Severity.CRITICAL,
    AlertKind.INSPECTION_OVERDUE: Severity.WARNING,
    AlertKind.LICENCE_EXPIRING: Severity.WARNING,
    AlertKind.LICENCE_EXCEEDED: Severity.CRITICAL,
    AlertKind.SUSPECT_MIXED: Severity.CRITICAL,
    AlertKind.STORAGE_INCOMPATIBLE: Severity.CRITICAL,
    AlertKind.TRANSIT_DISCREPANCY: Severity.CRITICAL,
    AlertKind.LEDGER_DRIFT: Severity.CRITICAL,
    AlertKind.LOSS_RECORDED: Severity.CRITICAL,
    AlertKind.STABILITY_UNSTABLE: Severity.CRITICAL,
    AlertKind.LEDGER_TAMPERED: Severity.CRITICAL,
    AlertKind.VERIFICATION_OVERDUE: Severity.WARNING,
    AlertKind.LICENCE_BEYOND_QD: Severity.CRITICAL,
}

# Event alerts: the cause is a past event, not a state that goes away by itself. Acknowledging one
# resolves it, and the sweep never raises it again for that subject.
ACKNOWLEDGE_RESOLVES = frozenset(
    {AlertKind.TRANSIT_DISCREPANCY, AlertKind.LOSS_RECORDED, AlertKind.STABILITY_UNSTABLE}
)


_LAST_SEEN = (
    "CASE WHEN {a}resolved_at IS NULL THEN GREATEST({a}last_seen, (SELECT alert_seen_mark.seen_at "
    "FROM alerts_alertseen alert_seen_mark WHERE alert_seen_mark.kind = {a}kind "
    "AND alert_seen_mark.depot_id = {a}depot_id)) ELSE {a}last_seen END"
)


class _LastSeenCol(Col):
    """How every query reads an alert's `last_seen`: for an open alert, the later of the stored
    value (when it was raised or last changed) and its kind's AlertSeen mark in its depot (the
    last sync that looked there and, the alert being still open, saw it). A resolved alert keeps
    the stored value, frozen when it was resolved. Writes still go to the column itself."""

    def as_sql(self, compiler, connection):
        a = compiler.quote_name_unless_alias(self.alias) + "." if self.alias else ""
        return _LAST_SEEN.format(a=a), []


class LastSeenField(models.DateTimeField):
    """Alert.last_seen: stored when the alert is raised, changed or resolved, read through the
    sync marks (_LastSeenCol) in every query (lists, filters, ordering, the API and admin)."""

    def get_col(self, alias, output_field=None):
        return _LastSeenCol(alias, self, output_field)

    @property
    def cached_col(self):
        return _LastSeenCol(self.model._meta.db_table, self)


class Alert(models.Model):
    kind = models.CharField(_("kind"), max_length=32, choices=AlertKind.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    depot = models.ForeignKey("inventory.Depot", on_delete=models.CASCADE, related_name="+")
    lot = models.ForeignKey(
        "inventory.Lot", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    storehouse = models.ForeignKey(
        "inventory.Storehouse", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    document = models.ForeignKey(
        "inventory.Document", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    message = models.TextField(_("message"))
    details = models.JSONField(_("details"), default=dict, blank=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = LastSeenField(_("last seen"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    acknowledged_by = user_fk(optional=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "depot", "lot", "storehouse", "document"],
                condition=Q(resolved_at__isnull=True),
                nulls_distinct=False,
                name="alert_one_open_per_subject",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_by__isnull=False),
                name="alert_acknowledged_by_someone",
            ),
        ]
        indexes = [
            models.Index(
                fields=["depot", "severity"],
                condition=Q(resolved_at__isnull=True),
                name="alert_open_by_depot",
            ),
            models.Index(fields=["depot", "-id"], name="alert_depot_recent"),
            models.Index(fields=["kind", "-id"], name="alert_kind_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class AlertSeen(models.Model):
    """When a sync of `kind` last looked at `depot`: every alert of the kind still open there was
    seen then (the sync resolves those it does not see). Read by Alert.last_seen."""

    kind = models.CharField(max_length=32, choices=AlertKind.choices)
    depot = models.ForeignKey("inventory.Depot", on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "depot"], name="alert_seen_one_per_kind_depot")
        ]


class AlertDigest(models.Model):
    """When a user's last daily digest was sent: the next one lists alerts first seen after it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    last_sent_at = models.DateTimeField()
