"""Web forms of reports: shape only; the report kind's clean() and the services decide."""

from __future__ import annotations

from django import forms
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from core.roles import Action
from core.scoping import scope
from core.web import the_one
from inventory.models import Depot, Lot, Storehouse
from inventory.selectors.book import book_range_errors
from reports import kinds

MAX_PDF_BYTES = 50 * 1024 * 1024

# The fields of the kinds this app renders, in order (their names are the kind's parameters);
# the kinds of other apps give theirs (ReportBuilder.form_fields).
KIND_FIELDS = {
    "accounting_statement": ["depot", "period_start", "period_end"],
    "stock_card": ["lot", "depot", "storehouse"],
}


class DateInput(forms.DateInput):
    input_type = "date"


class ReportRequestForm(forms.Form):
    """A report request: the kind, then the parameters that kind takes."""

    kind = forms.ChoiceField(label=_("Report"))
    depot = forms.ModelChoiceField(queryset=Depot.objects.none(), label=_("Depot"), required=False)
    period_start = forms.DateField(label=_("Period from"), widget=DateInput, required=False)
    period_end = forms.DateField(label=_("Period to"), widget=DateInput, required=False)
    lot = forms.CharField(
        label=_("Lot"),
        max_length=80,
        required=False,
        help_text=_("The lot number as marked (or the lot's id)."),
    )
    storehouse = forms.ModelChoiceField(
        queryset=Storehouse.objects.none(),
        label=_("Storehouse"),
        required=False,
        help_text=_("Leave empty for every storehouse of the depot."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["kind"].choices = [
            (builder.kind, builder.label.capitalize())
            for builder in kinds.available()
            if builder.may_read(user)
        ]
        self.fields["depot"].queryset = scope(
            Depot.objects.order_by("code"), user, depot_field="pk", action=Action.REQUEST_REPORT
        )
        self.fields["storehouse"].queryset = scope(
            Storehouse.objects.select_related("depot").order_by("depot__code", "code"),
            user,
            action=Action.REQUEST_REPORT,
        )
        kind = self.data.get("kind") or self.initial.get("kind")
        if kind not in dict(self.fields["kind"].choices):
            kind = None
        self.kind = kind
        self.kind_names = list(KIND_FIELDS.get(kind, []))
        if kind and kind not in KIND_FIELDS:  # a kind another app registered
            extra = kinds.builder_for(kind).form_fields(user)
            self.fields.update(extra)
            self.kind_names = list(extra)
        # Pages narrowed to one depot (the top bar's switcher) ask for that depot's report.
        self.focus = getattr(user, "depot_focus", None)
        if self.focus is not None and "depot" in self.kind_names:
            self.fields["depot"].initial = self.focus
        self.kind_fields = [self[name] for name in self.kind_names]
        self.kind_choices = [
            {"kind": value, "label": label, "summary": kinds.builder_for(value).summary}
            for value, label in self.fields["kind"].choices
        ]

    def clean_lot(self):
        value = self.cleaned_data["lot"].strip()
        if not value:
            return None
        if value.isdigit() and Lot.objects.filter(pk=int(value)).exists():
            return int(value)
        ids = list(
            Lot.objects.annotate(number=Upper("lot_number"))
            .filter(number=value.upper())
            .values_list("pk", flat=True)[:2]
        )
        return the_one(
            ids,
            none=_("No lot carries this number."),
            several=_(
                "Several lots carry this number (of different types or makers): give its id."
            ),
        )

    def parameters(self) -> dict:
        """The parameters of the chosen kind, as the API takes them."""
        values = {}
        for name in self.kind_names:
            value = self.cleaned_data.get(name)
            if isinstance(value, models.Model):
                value = value.pk
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            if value is not None:
                values[name] = value
        if self.focus is not None and "depot" in self.kind_names and "depot" not in values:
            # Narrowed to one depot, "every depot" (or its region) is that depot: the report
            # is rendered later for the requester's whole scope, so it must name it.
            values.pop("region", None)
            values["depot"] = self.focus
        return values


class VerifyForm(forms.Form):
    number = forms.RegexField(
        regex=r"^\s*RPT-[0-9]{4}-[0-9]{6}\s*$",
        required=False,
        label=_("Report number"),
        help_text=_("As printed on the report, e.g. RPT-2026-000123."),
        error_messages={"invalid": _("A report number looks like RPT-2026-000123.")},
    )
    file = forms.FileField(
        required=False,
        label=_("…or the PDF itself"),
        help_text=_("The file is checked byte for byte against the one the system produced."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("number")) == bool(data.get("file")):
            raise forms.ValidationError(_("Enter the report's number or choose its PDF (one)."))
        upload = data.get("file")
        if upload is not None and upload.size > MAX_PDF_BYTES:
            self.add_error("file", _("The file is too large."))
        return data


class StorehouseBookForm(forms.Form):
    """The daily storehouse book's page: which storehouse, which days (shape and range only)."""

    storehouse = forms.ModelChoiceField(queryset=Storehouse.objects.none(), label=_("Storehouse"))
    date_from = forms.DateField(label=_("From"), widget=DateInput)
    date_to = forms.DateField(label=_("To"), widget=DateInput)

    def __init__(self, *args, storehouses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["storehouse"].queryset = storehouses

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to"):
            for name, message in book_range_errors(data["date_from"], data["date_to"]).items():
                self.add_error(name, message)
        return data
