"""Web forms of diversion control: shape only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import Action
from core.scoping import scope
from diversion import rules
from diversion.models import (
    AuthenticationResult,
    FoundContext,
    Party,
    PartyDocument,
    PartyDocumentKind,
    PartyKind,
    PartyStatus,
    RiskLevel,
    TransferPurpose,
    VerificationKind,
)
from inventory.labels import scanned_lot
from inventory.models import AmmunitionType, Depot, Lot, Recipient, Storehouse

MAX_QUANTITY = 2_000_000_000
LINE_ROWS = 5


def _identifiers_text(value: dict) -> str:
    return "\n".join(f"{name}: {text}" for name, text in (value or {}).items())


class IdentifiersField(forms.CharField):
    """One identifier a line, "name: value" (IMO: 9074729)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        value = super().to_python(value) or ""
        result = {}
        for line in value.splitlines():
            if not line.strip():
                continue
            name, sep, text = line.partition(":")
            if not sep or not name.strip():
                raise forms.ValidationError(_('Write one identifier a line, as "name: value".'))
            result[name.strip()] = text.strip()
        return result

    def prepare_value(self, value):
        return _identifiers_text(value) if isinstance(value, dict) else value


class PartyForm(forms.Form):
    kind = forms.ChoiceField(choices=PartyKind.choices, label=_("Kind"))
    name = forms.CharField(max_length=200, label=_("Name"))
    country = forms.CharField(max_length=2, min_length=2, label=_("Country (ISO code)"))
    identifiers = IdentifiersField(
        required=False,
        label=_("Identifiers"),
        help_text=_("One a line: registration: 123, IMO: 9074729, tail number: 5Y-ABC ..."),
    )
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    status = forms.ChoiceField(choices=PartyStatus.choices, label=_("Status"))
    status_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("Reason for the status"),
        help_text=_("Required unless pending."),
    )
    status_source = forms.CharField(max_length=300, required=False, label=_("Source"))


class PartyDetailsForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Name"))
    country = forms.CharField(max_length=2, min_length=2, label=_("Country (ISO code)"))
    identifiers = IdentifiersField(required=False, label=_("Identifiers"))
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PartyStatusForm(forms.Form):
    status = forms.ChoiceField(choices=PartyStatus.choices, label=_("New status"))
    status_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Reason")
    )
    status_source = forms.CharField(max_length=300, required=False, label=_("Source"))


class PartyDocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=PartyDocumentKind.choices, label=_("Kind"))
    number = forms.CharField(max_length=120, label=_("Number"))
    issuer = forms.CharField(max_length=200, label=_("Issuer"))
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )


class AuthenticateForm(forms.Form):
    result = forms.ChoiceField(
        choices=[c for c in AuthenticationResult.choices if c[0] != "unchecked"],
        label=_("Result"),
    )
    method = forms.CharField(max_length=300, label=_("How it was checked"))


class CaseForm(forms.Form):
    depot = forms.ModelChoiceField(queryset=Depot.objects.none(), label=_("Leaves from depot"))
    purpose = forms.ChoiceField(choices=TransferPurpose.choices, label=_("Purpose"))
    consignee = forms.ModelChoiceField(queryset=Party.objects.none(), label=_("Consignee"))
    end_user = forms.ModelChoiceField(queryset=Party.objects.none(), label=_("End user"))
    end_user_certificate = forms.ModelChoiceField(
        queryset=PartyDocument.objects.none(), label=_("End-user certificate")
    )
    destination_country = forms.CharField(
        max_length=2, min_length=2, label=_("Destination country (ISO code)")
    )
    transit_states = forms.CharField(
        required=False,
        label=_("Transit states"),
        help_text=_("ISO codes separated by commas, in route order."),
    )
    route = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    transport = forms.CharField(max_length=300, required=False, label=_("Transport"))
    port_of_exit = forms.CharField(max_length=200, required=False, label=_("Port of exit"))
    reference = forms.CharField(max_length=120, required=False, label=_("External reference"))
    disposal_plan_reference = forms.CharField(
        max_length=60, required=False, label=_("Disposal plan (sale, gift, transfer)")
    )
    chain = forms.ModelMultipleChoiceField(
        queryset=Party.objects.none(),
        required=False,
        label=_("Other parties in the chain"),
        help_text=_("Brokers, agents, forwarders, carriers, vessels, aircraft: each in its kind."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["depot"].queryset = scope(
            Depot.objects.all(), user, depot_field="pk", action=Action.MANAGE_OVERSIGHT
        )
        parties = Party.objects.order_by("name", "id")
        self.fields["consignee"].queryset = parties.filter(
            kind__in=["consignee", "state_end_user", "private_end_user"]
        )
        self.fields["end_user"].queryset = parties.filter(
            kind__in=["state_end_user", "private_end_user"]
        )
        self.fields["end_user_certificate"].queryset = PartyDocument.objects.filter(
            kind=PartyDocumentKind.END_USER_CERTIFICATE
        ).select_related("party")
        self.fields["end_user_certificate"].label_from_instance = lambda doc: (
            f"{doc.number} ({doc.party.name}, until {doc.valid_until})"
        )
        self.fields["chain"].queryset = parties.exclude(
            kind__in=["consignee", "state_end_user", "private_end_user"]
        )
        self.fields["chain"].label_from_instance = lambda party: (
            f"{party.name} ({party.get_kind_display()}, {party.country})"
        )

    def clean_transit_states(self):
        raw = self.cleaned_data["transit_states"]
        return [code.strip() for code in raw.replace(";", ",").split(",") if code.strip()]


class CaseLineForm(forms.Form):
    """A line: the lot by number (typed or scanned from its label) and the storehouse."""

    lot_number = forms.CharField(
        max_length=200,
        required=False,
        label=_("Lot number"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    storehouse = forms.ModelChoiceField(
        queryset=Storehouse.objects.none(), required=False, label=_("Storehouse")
    )
    quantity = forms.IntegerField(
        min_value=1, max_value=MAX_QUANTITY, required=False, label=_("Quantity")
    )

    def __init__(self, *args, storehouses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["storehouse"].queryset = storehouses
        self.fields["storehouse"].label_from_instance = lambda sh: f"{sh.depot.code}/{sh.code}"

    def clean(self):
        values = super().clean()
        filled = [values.get(k) for k in ("lot_number", "storehouse", "quantity")]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("Give the lot, the storehouse and the quantity."))
        if values.get("lot_number") and values.get("storehouse"):
            storehouse = values["storehouse"]
            number, type_code = scanned_lot(values["lot_number"])
            lots = Lot.objects.filter(
                lot_number__iexact=number, balances__storehouse=storehouse, balances__quantity__gt=0
            )
            if type_code:
                lots = lots.filter(ammunition_type__code__iexact=type_code)
            lots = list(lots[:2])
            if len(lots) != 1:
                raise forms.ValidationError(
                    _("No single lot %(number)s is held in %(storehouse)s.")
                    % {"number": number, "storehouse": storehouse.code}
                )
            values["lot"] = lots[0]
        return values


def line_formset(data=None, *, storehouses):
    formset_class = forms.formset_factory(CaseLineForm, extra=LINE_ROWS, max_num=50)
    return formset_class(data, prefix="lines", form_kwargs={"storehouses": storehouses})


class DispatchForm(forms.Form):
    occurred_on = forms.DateField(
        label=_("Dispatched on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class AnswerForm(forms.Form):
    risk = forms.ChoiceField(choices=RiskLevel.choices, label=_("Risk"))
    evidence = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Evidence"))
    sources = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 1}), required=False, label=_("Sources")
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Reason"))


class VerificationRecordForm(forms.Form):
    result = forms.ChoiceField(
        choices=[("passed", _("passed")), ("failed", _("failed"))], label=_("Result")
    )
    performed_on = forms.DateField(
        label=_("Performed on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    evidence = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Evidence"))


class VerificationScheduleForm(forms.Form):
    kind = forms.ChoiceField(choices=VerificationKind.choices, label=_("Check"))
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))


class TracingRequestForm(forms.Form):
    reference = forms.CharField(max_length=120, label=_("Requester's reference"))
    requesting_authority = forms.CharField(max_length=200, label=_("Requesting authority"))
    context = forms.ChoiceField(choices=FoundContext.choices, label=_("Found at"))
    lot_marking = forms.CharField(
        max_length=80, label=_("Lot marking as read"), help_text=_("Any part, any letter case.")
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Description")
    )
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, label=_("Quantity"))
    place = forms.CharField(max_length=300, label=_("Place"))
    found_on = forms.DateField(label=_("Found on"), widget=forms.DateInput(attrs={"type": "date"}))


class AnswerTextForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("Answer"))


class TrainingAllocationForm(forms.Form):
    """Set a unit's training allocation of a type for a year (changing one keeps the old)."""

    recipient = forms.ModelChoiceField(queryset=Recipient.objects.none(), label=_("Recipient unit"))
    ammunition_type = forms.ModelChoiceField(
        queryset=AmmunitionType.objects.order_by("code"), label=_("Ammunition type")
    )
    year = forms.IntegerField(min_value=2000, max_value=2100, label=_("Year"))
    quantity = forms.IntegerField(min_value=0, max_value=MAX_QUANTITY, label=_("Quantity"))
    approval_reference = forms.CharField(max_length=120, label=_("Approval reference"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = Recipient.objects.filter(
            kind__in=rules.ALLOCATION_RECIPIENT_KINDS
        ).order_by("code")
        self.fields["recipient"].label_from_instance = lambda r: f"{r.code} {r.name}"
        self.fields["ammunition_type"].label_from_instance = lambda t: f"{t.code} {t.name}"
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year)
