"""Depots frozen for a count (DESIGN.md §7: a 100 % check may refuse every posting meanwhile).

Stock checks live above inventory (LAYERS.md): inventory must not read their tables. The
stock-check service records the freeze here through inventory.services.freezes when counting
starts, and ends it when the check is approved or cancelled; the posting policy read
(inventory.policy.posting_policy) refuses postings in a frozen depot with `depot_frozen`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DepotFreeze(models.Model):
    """A depot in which no posting is allowed: one freeze per depot at a time."""

    depot = models.OneToOneField("inventory.Depot", on_delete=models.CASCADE, related_name="freeze")
    reference = models.CharField(
        _("reference"), max_length=40, help_text=_("The count's number, e.g. a stock check's.")
    )
    frozen_at = models.DateTimeField(_("frozen at"))

    def __str__(self) -> str:
        return f"{self.depot_id} · {self.reference}"
