"""Storehouses being counted blind (DESIGN.md §7: counters do not see book quantities).

Stock checks live above inventory (LAYERS.md): inventory must not read their tables. The stock-check
service records here, through inventory.services.counts, which storehouses a count is under way
in, and ends the record when the counts are submitted or the check is cancelled; inventory's
selectors read it to hide book quantities from the depot's counters meanwhile.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BlindCount(models.Model):
    """A storehouse whose book is hidden from its depot's counters: a count is under way."""

    storehouse = models.ForeignKey(
        "inventory.Storehouse", on_delete=models.CASCADE, related_name="blind_counts"
    )
    depot = models.ForeignKey("inventory.Depot", on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(
        _("reference"), max_length=40, help_text=_("The count's number, e.g. a stock check's.")
    )
    started_at = models.DateTimeField(_("started at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["storehouse", "reference"], name="blindcount_one_per_storehouse_and_count"
            )
        ]
        indexes = [models.Index(fields=["depot"], name="blindcount_depot")]

    def __str__(self) -> str:
        return f"{self.reference} · {self.storehouse_id}"
