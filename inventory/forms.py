"""Web UI forms. They check shape and turn what the clerk typed into the posting service's lines;
the service checks the rules (DESIGN.md §4, §6, §7) and its refusals are shown on the form.

Posting forms are a header form plus a formset of lines. Blank lines are ignored, so the page
offers a few without JavaScript; lines.js adds more. A lot is named by its number as marked
(found case-insensitively among the lots of the user's depots); the search-as-you-type list also
fills a hidden lot id, which decides between lots that share a number.
"""

from __future__ import annotations

import json

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import Action
from core.scoping import scope
from inventory.filters import BalanceFilter, WaiverFilter
from inventory.labels import scanned_lot
from inventory.models import (
    AmmunitionType,
    ConditionCode,
    Depot,
    Document,
    Lot,
    Recipient,
    Storehouse,
)
from inventory.models.ledger import AdjustmentReason, DocumentKind
from inventory.models.reference import WaiverRule
from inventory.selectors.ledger import lot_list_held
from inventory.selectors.reference import recipient_list, storehouse_list
from inventory.services.lots import NewLot

MAX_QUANTITY = 2_000_000_000
MAX_LINES = 200
BLANK_LINES = 5


# --- Querysets the forms offer ---------------------------------------------------------------


def posting_storehouses(user) -> QuerySet[Storehouse]:
    """Storehouses in use in the depots where the user may record movements."""
    return scope(
        storehouse_list(user=user).filter(is_active=True), user, action=Action.RECORD_MOVEMENT
    )


def lots_in_scope(user) -> QuerySet[Lot]:
    """Lots that have been in a storehouse the user may read (every lot for national readers)."""
    return lot_list_held(user=user)


class StorehouseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Storehouse) -> str:
        return f"{obj.depot.code}/{obj.code} — {obj.name}"


class DepotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Depot) -> str:
        return f"{obj.code} — {obj.name}"


class RecipientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Recipient) -> str:
        return f"{obj.code} — {obj.name}"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def voucher_date_field() -> forms.DateField:
    return forms.DateField(
        label=_("Date on the voucher"),
        initial=timezone.localdate,
        widget=DateInput(),
        help_text=_("The date on the paper voucher: not in the future."),
    )


def reference_field() -> forms.CharField:
    return forms.CharField(
        label=_("External reference"),
        required=False,
        max_length=120,
        help_text=_("Waybill, delivery note or order number, if any."),
    )


# --- Filters for the UI's tables -------------------------------------------------------------


def _name_places(fields) -> None:
    """A list filter's depot and storehouse choices, labelled and named by code and name."""
    fields["depot"].label = _("Depot")
    fields["depot"].label_from_instance = lambda depot: f"{depot.code} — {depot.name}"
    fields["storehouse"].label = _("Storehouse")
    fields["storehouse"].label_from_instance = lambda sh: f"{sh.depot.code}/{sh.code} — {sh.name}"


class StockFilter(BalanceFilter):
    """The API's BalanceFilter with the same parameters, shown as choices, plus a lot number."""

    ammunition_type = django_filters.ModelChoiceFilter(
        field_name="lot__ammunition_type",
        queryset=AmmunitionType.objects.order_by("code"),
        label=_("Ammunition type"),
    )
    condition = django_filters.ModelChoiceFilter(
        field_name="lot__condition",
        queryset=ConditionCode.objects.order_by("code"),
        to_field_name="code",
        label=_("Condition"),
    )
    lot_number = django_filters.CharFilter(
        field_name="lot__lot_number", lookup_expr="icontains", max_length=80, label=_("Lot number")
    )

    class Meta(BalanceFilter.Meta):
        fields = ["depot", "storehouse", "ammunition_type", "lot_number", "condition"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.form.fields
        _name_places(fields)
        fields["ammunition_type"].label_from_instance = lambda kind: f"{kind.code} — {kind.name}"
        fields["condition"].label_from_instance = lambda code: (
            f"{code.code} — {code.get_availability_display()}"
        )
        for name in ("depot", "storehouse", "ammunition_type", "condition"):
            fields[name].empty_label = _("All")
        # The API's lot id filter stays (links from a stock card use it), out of sight.
        fields["lot"].widget = forms.HiddenInput()
        fields["lot_number"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.form.order_fields(
            ["depot", "storehouse", "ammunition_type", "lot_number", "condition", "lot"]
        )


def style_document_filter(form: forms.Form) -> None:
    """Labels and date pickers for DocumentFilter's form (the API's filter, unchanged)."""
    labels = {
        "depot": _("Depot"),
        "kind": _("Kind"),
        "status": _("Status"),
        "number": _("Document number"),
        "occurred_from": _("From"),
        "occurred_until": _("Until"),
    }
    for name, label in labels.items():
        form.fields[name].label = label
    form.fields["depot"].label_from_instance = lambda depot: f"{depot.code} — {depot.name}"
    form.fields["depot"].empty_label = _("All")
    for name in ("kind", "status"):
        field = form.fields[name]
        field.empty_label = _("All")
        field.widget.choices = field.choices  # the widget's copy reads the class's field
    for name in ("occurred_from", "occurred_until"):
        form.fields[name].widget = DateInput()


# --- Lines -----------------------------------------------------------------------------------


class LotNumberLookup:
    """For a form that names a lot by its number as marked among `self.lots`: the lot, or an error
    on `lot_number` (with `lot_choices` to pick from when several lots share the number)."""

    lots: QuerySet[Lot]
    lot_choices: list[Lot]

    def unknown_lot_message(self, number: str) -> str:
        return _("No lot numbered %(lot)s in your depots. Check the marking on the box.") % {
            "lot": number
        }

    def resolve_lot(self, number: str, lot_id: int | None) -> Lot | None:
        """The lot of the user's depots that `number` names (the picked id decides a tie). A
        scanned label, `lot|type` (inventory.labels), names the lot and its type."""
        number, type_code = scanned_lot(number)
        lots = self.lots.filter(ammunition_type__code__iexact=type_code) if type_code else self.lots
        if lot_id:
            picked = lots.filter(pk=lot_id, lot_number__iexact=number).first()
            if picked is not None:
                return picked
        matches = list(lots.filter(lot_number__iexact=number).order_by("id")[:20])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            self.add_error("lot_number", self.unknown_lot_message(number))
            return None
        self.lot_choices = matches
        self.add_error(
            "lot_number",
            _("Several lots are numbered %(lot)s: choose the one on the box below.")
            % {"lot": number},
        )
        return None


class LotLineForm(LotNumberLookup, forms.Form):
    """A line naming a lot of the user's depots, a storehouse and a quantity."""

    search_mode = "stock"  # what /lots/search/ lists for this line: see views.stock.lot_search
    new_lot = False

    lot_number = forms.CharField(label=_("Lot number"), max_length=80)
    lot_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    storehouse = StorehouseChoiceField(queryset=Storehouse.objects.none(), label=_("Storehouse"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)

    def __init__(self, *args, lots: QuerySet[Lot], storehouses, search_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.lots = lots
        self.lot_choices: list[Lot] = []
        self.fields["storehouse"].queryset = storehouses
        self.fields["storehouse"].widget.attrs["data-role"] = "storehouse"
        self.fields["quantity"].widget.attrs.update({"inputmode": "numeric"})
        attrs = {
            "autocomplete": "off",
            "spellcheck": "false",
            "data-lot-number": "",
            "aria-describedby": f"{self.prefix}-lot-results" if self.prefix else "",
        }
        if search_url:
            attrs.update(
                {
                    "hx-get": search_url,
                    "hx-trigger": "input changed delay:250ms",
                    "hx-target": "next .lot-results",
                    "hx-sync": "this:replace",
                    "hx-vals": json.dumps({"mode": self.search_mode}),
                }
            )
        self.fields["lot_number"].widget.attrs.update(attrs)

    def clean(self):
        data = super().clean()
        number = (data.get("lot_number") or "").strip()
        if number:
            data["lot"] = self.resolve_lot(number, data.get("lot_id"))
        return data


class ReceiptLineForm(LotLineForm):
    """A receipt line: a lot already known in the user's depots, or a new lot typed inline."""

    search_mode = "lot"
    new_lot = True

    ammunition_type = forms.CharField(
        label=_("Ammunition type code"),
        required=False,
        max_length=40,
        help_text=_("New lot only."),
    )
    manufacturer = forms.CharField(label=_("Manufacturer"), required=False, max_length=200)
    manufactured_on = forms.DateField(
        label=_("Date of manufacture"),
        required=False,
        # Typed as marked, year first: 2021-05-01, or 2021-05 when only the month is known (the
        # first of the month is used, DESIGN.md §5). Never 05/01/2021, which reads two ways.
        input_formats=["%Y-%m-%d", "%Y-%m"],
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD", "autocomplete": "off"}),
        help_text=_("Year first: 2021-05-01, or 2021-05 if only the month is known."),
        error_messages={"invalid": _("Year first: 2021-05-01, or 2021-05.")},
    )

    NEW_LOT_FIELDS = ("ammunition_type", "manufacturer", "manufactured_on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ammunition_type"].widget.attrs.update(
            {"list": "ammunition-types", "autocomplete": "off", "data-new-lot": ""}
        )
        self.fields["manufacturer"].widget.attrs["data-new-lot"] = ""
        self.fields["manufactured_on"].widget.attrs["data-new-lot"] = ""

    @property
    def new_lot_open(self) -> bool:
        """Show the new-lot fields: something was typed in them, or they have errors."""
        return any(
            self.data.get(self.add_prefix(name)) or self.errors.get(name)
            for name in self.NEW_LOT_FIELDS
        ) or bool(self.is_bound and self.errors.get("lot_number"))

    def unknown_lot_message(self, number: str) -> str:
        return _(
            "Lot %(lot)s is not yet known in your depots: give its ammunition type, manufacturer "
            "and date of manufacture to record it."
        ) % {"lot": number}

    def clean(self):
        data = forms.Form.clean(self)
        number = (data.get("lot_number") or "").strip()
        typed = [name for name in self.NEW_LOT_FIELDS if self.data.get(self.add_prefix(name))]
        if not number:
            return data
        if not typed:
            data["lot"] = self.resolve_lot(number, data.get("lot_id"))
            return data
        for name in self.NEW_LOT_FIELDS:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("A new lot needs this too."))
        code = (data.get("ammunition_type") or "").strip()
        kind = AmmunitionType.objects.filter(code__iexact=code).first() if code else None
        if code and kind is None:
            self.add_error(
                "ammunition_type", _("No ammunition type has the code %(code)s.") % {"code": code}
            )
        if self.errors:
            return data
        data["lot"] = NewLot(
            ammunition_type_id=kind.pk,
            manufacturer=data["manufacturer"],
            lot_number=number,
            manufactured_on=data["manufactured_on"],
        )
        return data


class IssueLineForm(LotLineForm):
    search_mode = "issue"  # lots that may not be issued (condition, ban) are listed, not offered


class TransferLineForm(LotLineForm):
    search_mode = "stock"


class ReturnLineForm(LotLineForm):
    search_mode = "lot"


class AdjustmentLineForm(LotLineForm):
    search_mode = "all"

    quantity = forms.IntegerField(
        label=_("Change in units"),
        min_value=-MAX_QUANTITY,
        max_value=MAX_QUANTITY,
        help_text=_("Plus for found, minus for lost."),
    )

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity == 0:
            raise ValidationError(_("An adjustment changes stock: not zero."))
        return quantity


class MoveLineForm(LotLineForm):
    search_mode = "stock"

    to_storehouse = StorehouseChoiceField(
        queryset=Storehouse.objects.none(), label=_("To storehouse")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["storehouse"].label = _("From storehouse")
        self.fields["to_storehouse"].queryset = self.fields["storehouse"].queryset
        # Keep field order: lot, from, to, quantity.
        self.order_fields(["lot_number", "lot_id", "storehouse", "to_storehouse", "quantity"])

    def clean(self):
        data = super().clean()
        if data.get("storehouse") and data.get("storehouse") == data.get("to_storehouse"):
            self.add_error("to_storehouse", _("A move goes to a different storehouse."))
        return data


class LineFormSet(forms.BaseFormSet):
    """Lines of a posting: blank or removed lines are ignored; at least one line is needed."""

    def filled_forms(self) -> list[forms.Form]:
        return [
            form
            for form in self.forms
            if form.has_changed() and not (self.can_delete and self._should_delete_form(form))
        ]

    def clean(self):
        if any(self.errors):
            return
        if not self.filled_forms():
            raise ValidationError(_("Add at least one line: lot, storehouse and quantity."))

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this line")


def line_formset(form_class):
    return forms.formset_factory(
        form_class,
        formset=LineFormSet,
        extra=BLANK_LINES,
        max_num=MAX_LINES,
        validate_max=True,
        can_delete=True,
    )


# --- Headers ---------------------------------------------------------------------------------


class PostingForm(forms.Form):
    """The voucher header common to every posting."""

    occurred_on = voucher_date_field()
    reference = reference_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class ReceiptForm(PostingForm):
    counterparty = forms.CharField(
        label=_("Received from"),
        max_length=200,
        help_text=_("Supplier, manufacturer or sending state."),
    )
    field_order = ["occurred_on", "counterparty", "reference"]


class IssueForm(PostingForm):
    recipient = RecipientChoiceField(queryset=Recipient.objects.none(), label=_("Issued to"))
    purpose = forms.CharField(
        label=_("Purpose"), max_length=200, help_text=_("E.g. training, operations, range test.")
    )
    field_order = ["occurred_on", "recipient", "purpose", "reference"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = recipient_list(user=self.user).filter(is_active=True)


class ReturnForm(PostingForm):
    recipient = RecipientChoiceField(queryset=Recipient.objects.none(), label=_("Returned by"))
    issue_number = forms.CharField(
        label=_("Issue it came from"),
        required=False,
        max_length=30,
        help_text=_("The issue document number, where known."),
    )
    field_order = ["occurred_on", "recipient", "issue_number", "reference"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = recipient_list(user=self.user).filter(is_active=True)

    def clean_issue_number(self):
        number = self.cleaned_data["issue_number"].strip()
        if not number:
            return None
        issue = scope(
            Document.objects.filter(kind=DocumentKind.ISSUE, number__iexact=number), self.user
        ).first()
        if issue is None:
            raise ValidationError(
                _("No issue numbered %(number)s in your depots.") % {"number": number}
            )
        return issue


class TransferForm(PostingForm):
    destination_depot = DepotChoiceField(
        queryset=Depot.objects.order_by("code"), label=_("Send to depot")
    )
    field_order = ["occurred_on", "destination_depot", "reference"]


class MoveForm(PostingForm):
    pass


class AdjustmentForm(PostingForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *AdjustmentReason.choices])
    note = forms.CharField(
        label=_("Explanation for the approving inspector"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    field_order = ["occurred_on", "reason", "note", "reference"]


class ReceiveForm(forms.Form):
    occurred_on = voucher_date_field()
    reference = reference_field()


class ReceiveLineForm(forms.Form):
    """One dispatched line at the destination: where it goes, and how much actually arrived.

    A dispatched line may be split across several storehouses: its first row (`extra=False`)
    says how much arrived there (0 if none); each extra row puts another part of the same lot
    into another storehouse, and is ignored when left blank. `lot_sent` is what was sent of the
    lot on all the transfer's lines (a lot may be dispatched from several storehouses).
    """

    storehouse = StorehouseChoiceField(
        queryset=Storehouse.objects.none(), label=_("Into storehouse"), required=False
    )
    quantity = forms.IntegerField(label=_("Quantity received"), min_value=0)

    def __init__(self, *args, sent_line, storehouses, extra: bool = False, lot_sent=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent_line = sent_line
        self.sent = -sent_line.quantity
        self.lot_sent = self.sent if lot_sent is None else lot_sent
        self.extra = extra
        self.fields["storehouse"].queryset = storehouses
        self.fields["quantity"].widget.attrs.update({"max": self.lot_sent, "inputmode": "numeric"})
        if extra:
            self.fields["quantity"].required = False
            self.fields["quantity"].help_text = _("Leave blank if not needed.")

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity and quantity > self.lot_sent:
            raise ValidationError(
                _("%(sent)s were sent: record a surplus with a separate receipt.")
                % {"sent": self.lot_sent}
            )
        return quantity or 0

    def clean(self):
        data = super().clean()
        if data.get("quantity") and not data.get("storehouse"):
            self.add_error("storehouse", _("Choose the storehouse it goes into."))
        return data


# --- Lot split -------------------------------------------------------------------------------


class LotSplitForm(forms.Form):
    """Split part of a lot into a child lot with its own condition (DESIGN.md §5): how many
    units in each storehouse holding the lot (`holdings`: its Balance rows in the user's acting
    scope), the child's suffix and condition, why, and the voucher date."""

    suffix = forms.CharField(
        label=_("Suffix of the child lot"),
        max_length=20,
        help_text=_("Added to the lot number as marked, e.g. -A or /1."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    condition = forms.ModelChoiceField(
        queryset=ConditionCode.objects.order_by("code"),
        to_field_name="code",
        label=_("Condition of the child lot"),
        empty_label="—",
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. the inspection finding and its reference."),
    )
    occurred_on = voucher_date_field()

    def __init__(self, *args, lot: Lot, holdings, **kwargs):
        super().__init__(*args, **kwargs)
        self.lot = lot
        self.holdings = list(holdings)
        self.fields["condition"].label_from_instance = lambda code: (
            f"{code.code} — {code.get_availability_display()} · {code.meaning}"
        )
        self.quantity_names = []
        for balance in self.holdings:
            storehouse = balance.storehouse
            name = f"quantity_{storehouse.pk}"
            self.quantity_names.append(name)
            self.fields[name] = forms.IntegerField(
                label=_("Units to split in %(storehouse)s")
                % {"storehouse": f"{storehouse.depot.code}/{storehouse.code} — {storehouse.name}"},
                required=False,
                min_value=0,
                max_value=MAX_QUANTITY,
                help_text=_("%(quantity)s on hand.") % {"quantity": balance.quantity},
                widget=forms.NumberInput(
                    attrs={"inputmode": "numeric", "min": 0, "max": balance.quantity}
                ),
            )
        self.order_fields([*self.quantity_names, "suffix", "condition", "reason", "occurred_on"])

    def quantity_fields(self):
        return [self[name] for name in self.quantity_names]

    def other_fields(self):
        return [self[name] for name in ("suffix", "condition", "reason", "occurred_on")]

    def clean_suffix(self):
        suffix = self.cleaned_data["suffix"].strip()
        if len(self.lot.lot_number) + len(suffix) > Lot._meta.get_field("lot_number").max_length:
            raise ValidationError(_("The child's lot number would be too long."))
        return suffix

    def clean(self):
        data = super().clean()
        if not any(self.errors.get(name) for name in self.quantity_names) and not any(
            data.get(name) for name in self.quantity_names
        ):
            raise ValidationError(
                _("Give the number of units to split in at least one storehouse.")
            )
        return data

    def quantities(self) -> dict[int, int]:
        """storehouse id -> units to split, for the storehouses given a quantity."""
        return {
            balance.storehouse_id: self.cleaned_data[name]
            for balance, name in zip(self.holdings, self.quantity_names, strict=True)
            if self.cleaned_data.get(name)
        }


# --- Waivers ---------------------------------------------------------------------------------


class WaiverListFilter(WaiverFilter):
    """The API's WaiverFilter with its parameters shown as choices, plus active or expired."""

    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[("active", _("In force")), ("expired", _("Expired"))],
        method="filter_state",
        empty_label=_("All"),
    )

    class Meta(WaiverFilter.Meta):
        fields = ["depot", "storehouse", "rule", "in_force_on", "state"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("in_force_on")  # "state" says it in words
        fields = self.form.fields
        _name_places(fields)
        fields["rule"].label = _("Rule")
        for name in ("depot", "storehouse", "rule"):
            fields[name].empty_label = _("All")
        fields["rule"].widget.choices = fields["rule"].choices

    def filter_state(self, queryset, name, value):
        today = timezone.localdate()
        if value == "active":
            return queryset.filter(expires_on__gte=today)
        if value == "expired":
            return queryset.filter(expires_on__lt=today)
        return queryset


class WaiverForm(forms.Form):
    """A waiver of a waivable storage rule for one storehouse of the user's depots."""

    storehouse = StorehouseChoiceField(queryset=Storehouse.objects.none(), label=_("Storehouse"))
    rule = forms.ChoiceField(label=_("Rule waived"), choices=[("", "—"), *WaiverRule.choices])
    authority_reference = forms.CharField(
        label=_("Authority reference"),
        max_length=120,
        help_text=_("The decision or letter of the authority that grants the waiver."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=DateInput(),
        help_text=_("The last day the waiver is in force."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. how the stock is segregated, or the authority's conditions."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["storehouse"].queryset = scope(
            storehouse_list(user=user).filter(is_active=True), user, action=Action.RECORD_WAIVER
        )


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this document reversed?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I confirm: post the exact opposite of every line of this document."),
        error_messages={"required": _("Tick the box to confirm the reversal.")},
    )
