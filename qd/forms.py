from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.rules import HAZARD_DIVISIONS

CALCULATOR_ROWS = 4


class CalculatorForm(forms.Form):
    """Up to four (division, NEQ) rows: one row is the single-division calculator, more a mix."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *[(d, d) for d in HAZARD_DIVISIONS]]
        for row in range(1, CALCULATOR_ROWS + 1):
            self.fields[f"division_{row}"] = forms.ChoiceField(
                label=_("Hazard division %(n)s") % {"n": row}, choices=choices, required=False
            )
            self.fields[f"neq_{row}"] = forms.DecimalField(
                label=_("NEQ (kg) %(n)s") % {"n": row},
                required=False,
                min_value=Decimal("0.001"),
                max_value=Decimal("1000000000"),
                max_digits=13,
                decimal_places=3,
            )

    def clean(self):
        data = super().clean()
        contents: dict[str, Decimal] = {}
        for row in range(1, CALCULATOR_ROWS + 1):
            division, neq = data.get(f"division_{row}"), data.get(f"neq_{row}")
            if division and neq is None and f"neq_{row}" not in self.errors:
                self.add_error(f"neq_{row}", _("Give the NEQ of this division."))
            elif neq is not None and not division:
                self.add_error(f"division_{row}", _("Choose the division of this NEQ."))
            elif division and neq is not None:
                contents[division] = contents.get(division, Decimal(0)) + neq
        if not contents and not self.errors:
            raise forms.ValidationError(_("Give at least one hazard division and its NEQ."))
        data["contents"] = contents
        return data
