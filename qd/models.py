"""Exposed sites around a depot's storehouses and their measured distances (DESIGN.md §13).

A storehouse is a potential explosion site (PES); an exposed site (ES) is what its explosion
would harm. Each ES has, per storehouse of its depot, the distance measured from the nearest
point of the storehouse to the nearest point of the site. Every change is kept (history): a
licence derived from QD must be explainable by the distances of its day.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import user_fk


class ExposedSiteKind(models.TextChoices):
    """IATG 02.20 Table 5 and the distances of §13; `qd/reference/qd_site_kinds.csv` maps each to
    its distance key."""

    INHABITED_BUILDING = "inhabited_building", _("inhabited building")
    VULNERABLE_BUILDING = "vulnerable_building", _("vulnerable building")
    PTR_HIGH = "ptr_high", _("public traffic route (high density)")
    PTR_MEDIUM = "ptr_medium", _("public traffic route (medium density)")
    PTR_LOW = "ptr_low", _("public traffic route (low density)")
    PROCESS_BUILDING = "process_building", _("process building")
    STOREHOUSE = "storehouse", _("storehouse (another PES)")


# Farther than any tabled distance (HD 1.1 VBD at 250,000 kg is 2,800 m) by a wide margin; a
# larger figure is a typing error, not a site.
MAX_DISTANCE_M = Decimal("100000")


class ExposedSite(models.Model):
    depot = models.ForeignKey(
        "inventory.Depot", on_delete=models.PROTECT, related_name="exposed_sites"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=ExposedSiteKind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = user_fk()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["depot__code", "name", "id"]
        verbose_name = _("exposed site")
        verbose_name_plural = _("exposed sites")
        constraints = [
            models.UniqueConstraint(fields=["depot", "name"], name="exposed_site_name_per_depot")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class ExposedSiteDistance(models.Model):
    """The measured distance from one storehouse (PES) to one exposed site, in metres."""

    exposed_site = models.ForeignKey(
        ExposedSite, on_delete=models.CASCADE, related_name="distances"
    )
    storehouse = models.ForeignKey(
        "inventory.Storehouse", on_delete=models.PROTECT, related_name="exposed_site_distances"
    )
    distance_m = models.DecimalField(
        _("distance (m)"),
        max_digits=8,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["storehouse_id", "distance_m", "exposed_site_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["exposed_site", "storehouse"], name="exposed_site_distance_once"
            ),
            models.CheckConstraint(
                condition=Q(distance_m__gt=0) & Q(distance_m__lte=MAX_DISTANCE_M),
                name="exposed_site_distance_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exposed_site} – {self.storehouse}: {self.distance_m} m"
