"""What the stockpile is: depots now; storehouses, types, lots and the ledger come next."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

depot_code_validator = RegexValidator(
    r"^[A-Z0-9]{2,10}$",
    _("Use 2 to 10 capital letters or digits: the code starts every document number."),
)


class Depot(models.Model):
    """An ammunition storage area: a fenced site with storehouses. The unit of depot scope."""

    code = models.CharField(
        _("code"), max_length=10, unique=True, validators=[depot_code_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    region = models.CharField(_("region"), max_length=100, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("depot")
        verbose_name_plural = _("depots")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z0-9]{2,10}$"), name="depot_code_format"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
