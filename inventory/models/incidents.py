"""Loss incidents (DESIGN.md §7, IATG 03.10): a loss or discrepancy to explain.

Incidents belong to the accounting core because postings open them (a loss adjustment, a transfer
received short) inside their transaction. The apps above open them through
inventory.services.incidents: stockchecks (count losses, reports, investigation) and diversion
(a failed verification). The tables keep their first names (they were stockchecks' models).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Numbered, user_fk


class IncidentKind(models.TextChoices):
    COUNT_VARIANCE = "count_variance", _("stock-check loss")
    TRANSIT_SHORTFALL = "transit_shortfall", _("transit shortfall")
    LOSS_ADJUSTMENT = "loss_adjustment", _("loss recorded by adjustment")
    THEFT = "theft", _("theft report")
    OTHER = "other", _("other loss")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("open")
    UNDER_INVESTIGATION = "under_investigation", _("under investigation")
    CLOSED = "closed", _("closed")


INCIDENT_TRANSITIONS = {
    (IncidentStatus.OPEN, IncidentStatus.UNDER_INVESTIGATION),
    (IncidentStatus.OPEN, IncidentStatus.CLOSED),
    (IncidentStatus.UNDER_INVESTIGATION, IncidentStatus.CLOSED),
    (IncidentStatus.CLOSED, IncidentStatus.UNDER_INVESTIGATION),  # reopened
}


class Incident(Numbered):
    """A loss or discrepancy to explain: opened automatically for every loss, or reported."""

    number_prefix = "INC"

    depot = models.ForeignKey("inventory.Depot", on_delete=models.PROTECT, related_name="+")
    other_depot = models.ForeignKey(
        "inventory.Depot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For a transit shortfall: the sending depot, which sees the incident too."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=IncidentStatus.choices, default="open"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    occurred_on = models.DateField(_("occurred or discovered on"))
    units_lost = models.BigIntegerField(_("units lost"), default=0)
    neq_lost_kg = models.DecimalField(max_digits=20, decimal_places=6, default=0)
    # The stock check whose count found the loss. A plain id: stock checks live above inventory
    # (LAYERS.md). The database still holds the column's foreign key to the stock-check table.
    stock_check_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    documents = models.ManyToManyField(
        "inventory.Document", through="IncidentDocument", blank=True, related_name="+"
    )
    reported_by = user_fk()
    reported_at = models.DateTimeField()
    findings = models.TextField(_("findings"), blank=True)
    suspected_point_of_loss = models.CharField(
        _("suspected point of loss"), max_length=300, blank=True
    )
    closed_by = user_fk(optional=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "stockchecks_incident"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["depot", "status", "-id"], name="incident_depot_status"),
            models.Index(fields=["depot", "reported_at"], name="incident_depot_month"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(findings=""), name="incident_closed_has_findings"
            ),
            models.CheckConstraint(condition=Q(units_lost__gte=0), name="incident_units_positive"),
        ]


class IncidentDocument(models.Model):
    """A document an incident is about; a document belongs to one incident at most, which keeps
    the automatic opening idempotent."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")
    document = models.OneToOneField(
        "inventory.Document", on_delete=models.PROTECT, related_name="incident_link"
    )

    class Meta:
        db_table = "stockchecks_incidentdocument"
