from django import forms
from django.utils.translation import gettext_lazy as _

from core.roles import Action
from core.scoping import action_depot_ids, can
from imports.models import REFERENCE_KINDS, ImportKind
from inventory.models import Depot


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    depot = forms.ModelChoiceField(
        queryset=Depot.objects.none(),
        required=False,
        label=_("Depot"),
        help_text=_("The depot the opening balances belong to."),
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=120,
        required=False,
        help_text=_("The records it comes from, e.g. “Paper ledgers 2015–2026”."),
    )
    file = forms.FileField(
        label=_("File"), help_text=_("CSV (UTF-8) or XLSX, in the template's columns.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [(k, label) for k, label in ImportKind.choices if k not in REFERENCE_KINDS]
        if can(user, Action.MANAGE_REFERENCE):
            kinds = list(ImportKind.choices)
        self.fields["kind"].choices = kinds
        ids = action_depot_ids(user, Action.RECORD_MOVEMENT)
        depots = Depot.objects.order_by("code")
        self.fields["depot"].queryset = depots if ids is None else depots.filter(pk__in=ids)
        if len(self.fields["depot"].queryset) == 1:
            self.fields["depot"].initial = self.fields["depot"].queryset[0]

    def clean(self):
        data = super().clean()
        if data.get("kind") == ImportKind.OPENING_BALANCES and not data.get("depot"):
            self.add_error("depot", _("Choose the depot the balances belong to."))
        return data


class BalancesExportForm(forms.Form):
    depot = forms.ModelChoiceField(queryset=Depot.objects.none(), label=_("Depot"))
    format = forms.ChoiceField(
        choices=[("csv", "CSV"), ("xlsx", "XLSX")], label=_("Format"), initial="csv"
    )

    def __init__(self, *args, depots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["depot"].queryset = depots
