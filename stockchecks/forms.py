"""Web forms of stock checks and incidents: shape only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import Action
from core.scoping import scope
from core.web import the_one
from inventory.labels import scanned_lot
from inventory.models import Depot, IncidentKind, IncidentStatus, Lot, Storehouse
from inventory.models.ledger import AdjustmentReason
from stockchecks.models import StockCheckKind

MAX_QUANTITY = 2_000_000_000


class PlanForm(forms.Form):
    depot = forms.ModelChoiceField(queryset=Depot.objects.none(), label=_("Depot"))
    storehouse = forms.ModelChoiceField(
        queryset=Storehouse.objects.none(),
        required=False,
        label=_("Storehouse"),
        help_text=_("Leave empty to count the whole depot."),
    )
    kind = forms.ChoiceField(choices=StockCheckKind.choices, label=_("Kind"))
    sample_size = forms.IntegerField(
        min_value=1, max_value=1_000_000, required=False, label=_("Sample size (lines)")
    )
    seed = forms.IntegerField(
        min_value=0,
        max_value=2**53 - 1,
        required=False,
        label=_("Seed"),
        help_text=_("Optional: the same seed over the same book draws the same lines."),
    )
    freeze_depot = forms.BooleanField(
        required=False,
        label=_("Freeze the depot while counting"),
        # xgettext:no-python-format
        help_text=_("100 % checks only: every posting in the depot is refused until approval."),
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Note")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["depot"].queryset = scope(
            Depot.objects.order_by("code"), user, depot_field="pk", action=Action.RECORD_MOVEMENT
        )
        self.fields["storehouse"].queryset = scope(
            Storehouse.objects.select_related("depot").filter(is_active=True),
            user,
            action=Action.RECORD_MOVEMENT,
        )


class CountForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        min_value=0,
        max_value=MAX_QUANTITY,
        label=_("Counted"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "count-input"}),
    )
    note = forms.CharField(required=False, max_length=2000, label=_("Note"))


class FoundForm(forms.Form):
    """Stock found that is not on the list: named by its lot number, typed or scanned from its
    label (`lot|type`, inventory.labels: the type tells apart lots of the same number)."""

    # Room for a scanned label: the lot number, `|` and the type code.
    lot_number = forms.CharField(max_length=200, label=_("Lot number"))
    storehouse = forms.ModelChoiceField(queryset=Storehouse.objects.none(), label=_("Storehouse"))
    quantity = forms.IntegerField(min_value=0, max_value=MAX_QUANTITY, label=_("Counted"))

    def __init__(self, *args, stock_check, **kwargs):
        super().__init__(*args, **kwargs)
        storehouses = Storehouse.objects.filter(depot_id=stock_check.depot_id)
        if stock_check.storehouse_id:
            storehouses = storehouses.filter(pk=stock_check.storehouse_id)
        self.fields["storehouse"].queryset = storehouses.order_by("code")

    def clean_lot_number(self):
        number, type_code = scanned_lot(self.cleaned_data["lot_number"])
        lots = Lot.objects.filter(lot_number__iexact=number)
        if type_code:
            lots = lots.filter(ammunition_type__code__iexact=type_code)
        return the_one(
            list(lots[:2]),
            none=_("No lot has this number."),
            several=_("Several lots have this number: ask the inspector to add the line."),
        )


class LineNoteForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(choices=AdjustmentReason.choices, label=_("Reason code"))
    note = forms.CharField(
        required=False,
        max_length=2000,
        label=_("Investigation notes"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(forms.Form):
    note = forms.CharField(max_length=2000, label=_("Why are the counts sent back?"))
    recount = forms.CharField(
        required=False,
        label=_("Lines to recount"),
        help_text=_("Line numbers from the table, separated by commas."),
    )

    def clean_recount(self):
        raw = self.cleaned_data["recount"]
        try:
            return [int(part) for part in raw.replace(" ", "").split(",") if part]
        except ValueError as exc:
            raise forms.ValidationError(_("Line numbers separated by commas.")) from exc


class IncidentReportForm(forms.Form):
    depot = forms.ModelChoiceField(queryset=Depot.objects.none(), label=_("Depot"))
    kind = forms.ChoiceField(
        choices=[
            (IncidentKind.THEFT, IncidentKind.THEFT.label),
            (IncidentKind.OTHER, IncidentKind.OTHER.label),
        ],
        label=_("Kind"),
    )
    title = forms.CharField(max_length=200, label=_("Title"))
    occurred_on = forms.DateField(
        label=_("Occurred or discovered on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    units_lost = forms.IntegerField(
        min_value=0, max_value=MAX_QUANTITY, initial=0, label=_("Units lost")
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label=_("What happened")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        record = scope(Depot.objects.all(), user, depot_field="pk", action=Action.RECORD_MOVEMENT)
        approve = scope(Depot.objects.all(), user, depot_field="pk", action=Action.APPROVE)
        self.fields["depot"].queryset = (record | approve).distinct().order_by("code")
        self.fields["occurred_on"].initial = timezone.localdate()


class IncidentUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=IncidentStatus.choices, label=_("Status"))
    findings = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label=_("Findings"),
        help_text=_("Needed to close the incident."),
    )  # fmt: skip
    suspected_point_of_loss = forms.CharField(
        max_length=300, required=False, label=_("Suspected point of loss")
    )
