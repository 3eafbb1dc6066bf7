"""Forms of the inspector's pages. They check shape and name the objects the user may act on;
the surveillance services check the rules, and their refusals are shown on the form
(CONVENTIONS.md §3, §4)."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import Action
from core.scoping import action_depot_ids
from inventory.forms import DateInput, DepotChoiceField, LotNumberLookup
from inventory.labels import scanned_lot
from inventory.models import AmmunitionType, Balance, BanKind, ConditionCode, Depot, Lot, Storehouse
from inventory.models.reference import RecipientKind
from surveillance.models import (
    PASS_FAIL_METHODS,
    InspectionKind,
    StabilityCategory,
    StabilityMethod,
)
from surveillance.services import ATTACHMENT_SIGNATURES

MAX_ATTACHMENTS = 10


# --- What the user may act on ----------------------------------------------------------------


def recording_depots(user) -> QuerySet[Depot]:
    """Depots where the user may record surveillance (every depot for national inspectors)."""
    ids = action_depot_ids(user, Action.RECORD_SURVEILLANCE)
    depots = Depot.objects.order_by("code")
    return depots if ids is None else depots.filter(pk__in=ids)


def recordable_lots(user) -> QuerySet[Lot]:
    """Lots whose books are kept in a depot where the user may record surveillance."""
    ids = action_depot_ids(user, Action.RECORD_SURVEILLANCE)
    balances = Balance.objects.filter(lot=OuterRef("pk"))
    if ids is not None:
        balances = balances.filter(depot_id__in=ids)
    return Lot.objects.select_related("ammunition_type", "condition").filter(Exists(balances))


def lot_depots(user, lot: Lot) -> QuerySet[Depot]:
    """The user's recording depots whose books know `lot`."""
    return recording_depots(user).filter(
        Exists(Balance.objects.filter(lot=lot, depot=OuterRef("pk")))
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; an empty list when none is chosen."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


def check_attachment(upload) -> str | None:
    """Why an upload would be refused (the service's own checks, run before anything is
    written so that no file reaches the disk for a refused form), or None."""
    limit = settings.STOCKPILE_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        return _("%(name)s is %(size)s bytes; the limit is %(limit)s.") % {
            "name": upload.name,
            "size": upload.size,
            "limit": limit,
        }
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not upload.size or not any(head.startswith(sig) for sig in ATTACHMENT_SIGNATURES):
        return _("%(name)s is not a JPEG, PNG or PDF file.") % {"name": upload.name}
    return None


# --- A lot named by its number ---------------------------------------------------------------


class RecordForm(forms.Form):
    """A form whose values are, under their names, keywords of the service that records it,
    like `**form.cleaned_data`: every field but `not_keywords` (what only the page needs), and
    the values `clean` adds under `added_keywords` (an optional one left out is None)."""

    not_keywords: frozenset[str] = frozenset()
    added_keywords: tuple[str, ...] = ()

    def keyword_values(self) -> dict:
        names = [name for name in self.fields if name not in self.not_keywords]
        return {name: self.cleaned_data.get(name) for name in [*names, *self.added_keywords]}


class LotNumberForm(LotNumberLookup, RecordForm):
    """A form naming a lot by its number as marked, typed or scanned from its label (`lot|type`,
    inventory.labels: the type narrows lots of the same number); the search list also fills a
    hidden id, which decides between lots that share a number. Without a lot (`lot` given) the
    two fields are dropped: the lot is the page's."""

    # Room for a scanned label: the lot number, `|` and the type code.
    lot_number = forms.CharField(label=_("Lot number"), max_length=200)
    lot_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(
        self, *args, user, lots: QuerySet[Lot], lot: Lot | None = None, search_url="", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.user = user
        self.lots = lots
        self.lot = lot
        self.lot_choices: list[Lot] = []
        if lot is not None:
            del self.fields["lot_number"]
            del self.fields["lot_id"]
            return
        self.fields["lot_id"].widget.attrs["data-lot-id"] = ""
        attrs = {"autocomplete": "off", "spellcheck": "false", "data-lot-number": ""}
        if search_url:
            attrs.update(
                {
                    "hx-get": search_url,
                    "hx-trigger": "input changed delay:250ms",
                    "hx-target": "#lot-results",
                    "hx-sync": "this:replace",
                    "aria-describedby": "lot-results",
                }
            )
        self.fields["lot_number"].widget.attrs.update(attrs)
        self.fields["lot_number"].help_text = _(
            "Type part of the number to pick a lot held in your depots."
        )

    def clean(self):
        data = super().clean()
        if self.lot is not None:
            data["lot"] = self.lot
            return data
        text = data.get("lot_number") or ""
        if scanned_lot(text)[0]:
            lot = self.resolve_lot(text, data.get("lot_id"))
            if lot is not None:
                data["lot"] = lot
        return data

    def unknown_lot_message(self, number: str) -> str:
        return _(
            "No lot numbered %(lot)s is held in your depots. Check the marking on the box."
        ) % {"lot": number}


# --- Inspections -------------------------------------------------------------------------------


class PlaceField(forms.ChoiceField):
    """A depot as a whole ("d:<id>") or one of its storehouses ("s:<id>")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.depots: dict[int, Depot] = {}
        self.storehouses: dict[int, Storehouse] = {}

    def set_places(self, depots, storehouses) -> None:
        self.depots = {depot.pk: depot for depot in depots}
        self.storehouses = {sh.pk: sh for sh in storehouses}
        choices = [("", "—")]
        for depot in self.depots.values():
            choices.append((f"d:{depot.pk}", _("%(code)s — whole depot") % {"code": depot.code}))
            choices += [
                (f"s:{sh.pk}", f"{depot.code}/{sh.code} — {sh.name}")
                for sh in self.storehouses.values()
                if sh.depot_id == depot.pk
            ]
        self.choices = choices

    def to_place(self, value: str) -> tuple[Depot, Storehouse | None]:
        kind, _sep, raw = value.partition(":")
        if kind == "s":
            storehouse = self.storehouses[int(raw)]
            return self.depots[storehouse.depot_id], storehouse
        return self.depots[int(raw)], None


class InspectionForm(LotNumberForm):
    # The condition is given by its code (surveillance.views.inspection_new).
    not_keywords = frozenset({"lot_number", "lot_id", "place", "condition"})
    added_keywords = ("lot", "depot", "storehouse")
    place = PlaceField(
        label=_("Depot or storehouse"),
        help_text=_("Where the inspected stock lies: a storehouse, or the depot as a whole."),
    )
    kind = forms.ChoiceField(label=_("Kind of inspection"), choices=InspectionKind.choices)
    inspected_on = forms.DateField(
        label=_("Inspected on"), initial=timezone.localdate, widget=DateInput()
    )
    sample_size = forms.IntegerField(
        label=_("Sample size (units)"), min_value=1, max_value=2_000_000_000
    )
    condition = forms.ModelChoiceField(
        queryset=ConditionCode.objects.order_by("code"),
        to_field_name="code",
        label=_("Resulting condition"),
        help_text=_("The lot's condition as you found it. A change is posted to the ledger."),
    )
    authority_reference = forms.CharField(
        label=_("Authority reference"),
        required=False,
        max_length=120,
        help_text=_("The reference of your report or decision, if any."),
    )
    findings = forms.CharField(
        label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        help_text=_("Photos or scanned forms: JPEG, PNG or PDF, several at once."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        depots = recording_depots(self.user)
        if self.lot is not None:
            depots = lot_depots(self.user, self.lot)
        depots = list(depots)
        storehouses = Storehouse.objects.filter(depot__in=depots, is_active=True)
        if self.lot is not None:
            storehouses = storehouses.filter(
                Exists(Balance.objects.filter(lot=self.lot, storehouse=OuterRef("pk")))
            )
        storehouses = list(storehouses.order_by("depot__code", "code"))
        self.fields["place"].set_places(depots, storehouses)
        if self.lot is not None and len(storehouses) == 1:
            self.fields["place"].initial = f"s:{storehouses[0].pk}"
        self.fields["place"].widget.attrs["data-role"] = "storehouse"
        self.fields["condition"].label_from_instance = lambda code: (
            f"{code.code} — {code.meaning} ({code.get_availability_display()})"
        )
        if self.lot is not None:
            self.fields["condition"].initial = self.lot.condition_id
        self.fields["attachments"].widget.attrs["accept"] = (
            ".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf"
        )
        self.order_fields(
            ["lot_number", "lot_id", "place", "kind", "inspected_on", "sample_size", "condition"]
        )

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(
                _("At most %(n)s files at once.") % {"n": MAX_ATTACHMENTS}, code="too_many"
            )
        problems = [problem for problem in map(check_attachment, files) if problem]
        if problems:
            raise ValidationError(problems)
        return files

    def clean(self):
        data = super().clean()
        if data.get("place"):
            data["depot"], data["storehouse"] = self.fields["place"].to_place(data["place"])
        return data


# --- Stability tests ---------------------------------------------------------------------------

PASS_FAIL = sorted(str(method) for method in PASS_FAIL_METHODS)


class StabilityTestForm(LotNumberForm):
    not_keywords = frozenset({"lot_number", "lot_id", "result"})
    added_keywords = ("lot", "passed")
    depot = DepotChoiceField(queryset=Depot.objects.none(), label=_("Depot"))
    sampled_on = forms.DateField(
        label=_("Sampled on"), initial=timezone.localdate, widget=DateInput()
    )
    laboratory = forms.CharField(label=_("Laboratory"), max_length=200)
    method = forms.ChoiceField(label=_("Method"), choices=StabilityMethod.choices)
    stabiliser = forms.CharField(
        label=_("Stabiliser"), required=False, max_length=80, help_text=_("e.g. DPA, Centralite")
    )
    initial_content_pct = forms.DecimalField(
        label=_("Initial content (%)"), required=False, max_digits=6, decimal_places=3
    )
    measured_content_pct = forms.DecimalField(
        label=_("Measured effective content (%)"),
        required=False,
        max_digits=6,
        decimal_places=3,
        help_text=_("The stabiliser and its derivatives that still stabilise."),
    )
    result = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[("pass", _("Pass")), ("fail", _("Fail"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    CONTENT_FIELDS = ("stabiliser", "initial_content_pct", "measured_content_pct")
    PASS_FAIL_FIELDS = ("result",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        depots = lot_depots(self.user, self.lot) if self.lot else recording_depots(self.user)
        self.fields["depot"].queryset = depots
        only = list(depots[:2])
        if len(only) == 1:
            self.fields["depot"].initial = only[0].pk
        self.fields["method"].widget.attrs.update(
            {"data-method": "", "data-pass-fail": json.dumps(PASS_FAIL)}
        )
        for name in ("initial_content_pct", "measured_content_pct"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"

    def clean(self):
        data = super().clean()
        method = data.get("method")
        if not method:
            return data
        if method in PASS_FAIL:
            typed = [
                name
                for name in ("initial_content_pct", "measured_content_pct")
                if data.get(name) is not None
            ]
            for name in typed:
                self.add_error(name, _("A pass/fail method reports no content: leave this empty."))
            if not data.get("result"):
                self.add_error("result", _("This method gives a pass or a fail: choose one."))
            data["passed"] = data.get("result") == "pass" if data.get("result") else None
            data["initial_content_pct"] = data["measured_content_pct"] = None
        else:
            if data.get("result"):
                self.add_error("result", _("This method reports a content, not a pass or fail."))
            for name in ("initial_content_pct", "measured_content_pct"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("This method reports a content: give it."))
            data["passed"] = None
        return data


# --- Condition changes, bans, extensions -------------------------------------------------------


class ConditionChangeForm(RecordForm):
    # The condition is given by its code (surveillance.views.condition_change_new).
    not_keywords = frozenset({"condition"})
    depot = DepotChoiceField(
        queryset=Depot.objects.none(),
        label=_("Decided in depot"),
        help_text=_("The change is posted in every depot holding the lot."),
    )
    condition = forms.ModelChoiceField(
        queryset=ConditionCode.objects.order_by("code"),
        to_field_name="code",
        label=_("New condition"),
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    authority_reference = forms.CharField(
        label=_("Authority reference"), required=False, max_length=120
    )

    def __init__(self, *args, user, lot: Lot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["depot"].queryset = lot_depots(user, lot)
        self.fields["condition"].label_from_instance = lambda code: (
            f"{code.code} — {code.meaning} ({code.get_availability_display()})"
        )


class BanForm(LotNumberForm):
    not_keywords = frozenset({"lot_number", "lot_id"})
    added_keywords = ("lot", "ammunition_type")
    kind = forms.ChoiceField(
        label=_("Ban or constraint"),
        choices=[
            (BanKind.BAN, _("Ban: no issue and no use until lifted")),
            (BanKind.CONSTRAINT, _("Constraint: limited use")),
        ],
        widget=forms.RadioSelect,
        initial=BanKind.BAN,
    )
    ammunition_type = forms.ModelChoiceField(
        queryset=AmmunitionType.objects.order_by("code"),
        label=_("Or a whole ammunition type"),
        required=False,
        help_text=_("National inspectors only: binds every lot of the type. Leave the lot empty."),
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    reference = forms.CharField(label=_("Reference of the decision"), max_length=120)
    permitted_recipient_kinds = forms.MultipleChoiceField(
        label=_("Permitted recipients (constraints only)"),
        required=False,
        choices=RecipientKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only these kinds of recipient may still receive the stock, e.g. ranges for "
            "“training only”. None ticked: the constraint is shown but not enforced at issue."
        ),
    )
    disposal_recommended = forms.BooleanField(
        label=_("The remedy is disposal (bans only)"),
        required=False,
        help_text=_(
            "Tick when the stock will not be made serviceable again: it then counts as surplus. "
            "Leave it for a temporary ban (pending investigation, for example)."
        ),
    )

    def __init__(
        self, *args, national: bool, ammunition_type: AmmunitionType | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fixed_type = ammunition_type
        if ammunition_type is not None or self.lot is not None or not national:
            del self.fields["ammunition_type"]
        if ammunition_type is not None:
            self.fields.pop("lot_number", None)
            self.fields.pop("lot_id", None)
        elif "lot_number" in self.fields and national:
            self.fields["lot_number"].required = False

    def clean(self):
        data = super().clean()
        if self.fixed_type is not None:
            data["ammunition_type"] = self.fixed_type
        if self.errors:
            return data
        lot, kind = data.get("lot"), data.get("ammunition_type")
        if (lot is None) == (kind is None):
            self.add_error(None, _("Name either a lot or an ammunition type."))
        return data


class BanLiftForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it lifted?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


def _evidence_label(name: str, record) -> str:
    if name == "stability_test":
        return _("Stability test of %(day)s (%(depot)s): %(category)s") % {
            "day": record.sampled_on,
            "depot": record.depot.code,
            "category": record.get_category_display(),
        }
    return _("%(kind)s of %(day)s (%(depot)s): condition %(condition)s") % {
        "kind": record.get_kind_display(),
        "day": record.inspected_on,
        "depot": record.depot.code,
        "condition": record.condition_id,
    }


class ShelfLifeExtensionForm(RecordForm):
    not_keywords = frozenset({"evidence"})
    added_keywords = ("inspection", "stability_test")
    evidence = forms.ChoiceField(
        label=_("Justified by"),
        help_text=_("The inspection or stability test of this lot on which you decide."),
    )
    new_expires_on = forms.DateField(label=_("New expiry"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, inspections, tests, **kwargs):
        super().__init__(*args, **kwargs)
        # The evidence a decision may rest on, by its choice's key: what the service calls it,
        # and the record. An unstable propellant's test justifies no extension.
        self.evidence = {
            f"t:{test.pk}": ("stability_test", test)
            for test in tests
            if test.category != StabilityCategory.UNSTABLE
        }
        self.evidence.update({f"i:{i.pk}": ("inspection", i) for i in inspections})
        self.fields["evidence"].choices = [("", "—")] + [
            (key, _evidence_label(name, record)) for key, (name, record) in self.evidence.items()
        ]

    def clean(self):
        data = super().clean()
        if data.get("evidence"):
            name, record = self.evidence[data["evidence"]]
            data[name] = record
        return data


HORIZONS = [
    (7, _("7 days")),
    (30, _("30 days")),
    (90, _("90 days")),
    (180, _("180 days")),
    (365, _("a year")),
]


class WorkListFilter(forms.Form):
    horizon = forms.TypedChoiceField(
        label=_("Due within"), choices=HORIZONS, coerce=int, initial=30, required=False
    )
