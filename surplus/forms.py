"""Web UI forms of the surplus pages. They check shape; the surplus services check the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.labels import scanned_lot
from inventory.models import AmmunitionType, Balance, Lot, Storehouse
from inventory.models.reference import AmmunitionCategory
from inventory.selectors.reference import depot_list
from surplus.models import DisposalMethod, InterchangeableGroup
from surplus.services import ExecutionLineInput

MAX_QUANTITY = 9_000_000_000_000
PLAN_LINES = 5


class DashboardFilter(forms.Form):
    depot = forms.ModelChoiceField(queryset=None, required=False, label=_("Depot"))
    region = forms.ChoiceField(required=False, label=_("Region"))
    category = forms.ChoiceField(
        choices=[("", "---------"), *AmmunitionCategory.choices],
        required=False,
        label=_("Category"),
    )
    type_code = forms.CharField(max_length=40, required=False, label=_("Ammunition type (code)"))
    months = forms.TypedChoiceField(
        choices=[(12, _("12 months")), (6, _("6 months"))],
        coerce=int,
        required=False,
        empty_value=12,
        label=_("Lots expiring within"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        depots = depot_list(user=user)
        self.fields["depot"].queryset = depots
        regions = sorted({d.region for d in depots})
        self.fields["region"].choices = [("", "---------")] + [(r, r) for r in regions]

    def clean_type_code(self):
        code = self.cleaned_data["type_code"].strip()
        if not code:
            return None
        found = AmmunitionType.objects.filter(code__iexact=code).first()
        if found is None:
            raise ValidationError(_("No ammunition type has this code."))
        return found


class RequirementForm(forms.Form):
    subject = forms.CharField(
        max_length=40,
        label=_("Ammunition type or group (code)"),
        help_text=_("A type's code, or the code of a group of interchangeable types."),
    )
    effective_from = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    operational = forms.IntegerField(
        min_value=0, max_value=MAX_QUANTITY, label=_("Operational stock (war reserve)")
    )
    training_per_year = forms.IntegerField(
        min_value=0, max_value=MAX_QUANTITY, label=_("Training consumption per year")
    )
    training_years = forms.IntegerField(
        min_value=0, max_value=100, label=_("Years of training cover")
    )
    testing = forms.IntegerField(min_value=0, max_value=MAX_QUANTITY, label=_("Testing"))
    contingency = forms.IntegerField(min_value=0, max_value=MAX_QUANTITY, label=_("Contingency"))
    approval_reference = forms.CharField(max_length=120, label=_("Approval reference"))
    note = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_subject(self):
        code = self.cleaned_data["subject"].strip()
        group = InterchangeableGroup.objects.filter(code__iexact=code).first()
        if group is not None:
            return {"group": group}
        found = AmmunitionType.objects.filter(code__iexact=code).first()
        if found is None:
            raise ValidationError(_("No ammunition type or group has this code."))
        return {"ammunition_type": found}


class PlanForm(forms.Form):
    method = forms.ChoiceField(choices=DisposalMethod.choices, label=_("Method"))
    site = forms.CharField(max_length=200, label=_("Site"))
    scheduled_from = forms.DateField(
        label=_("Scheduled from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    scheduled_until = forms.DateField(
        label=_("Scheduled until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlanLineForm(forms.Form):
    # Typed, or scanned from a lot label (`lot|type`, inventory.labels): room for the type too.
    lot_number = forms.CharField(max_length=200, required=False, label=_("Lot number"))
    storehouse = forms.ModelChoiceField(queryset=None, required=False, label=_("Storehouse"))
    quantity = forms.IntegerField(
        min_value=1, max_value=MAX_QUANTITY, required=False, label=_("Quantity")
    )

    def __init__(self, *args, depot, **kwargs):
        super().__init__(*args, **kwargs)
        self.depot = depot
        self.fields["storehouse"].queryset = Storehouse.objects.filter(depot=depot).order_by("code")
        # The lines are table rows: each input is named by its column header for screen readers.
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = str(field.label)

    def clean(self):
        data = super().clean()
        number, type_code = scanned_lot(data.get("lot_number") or "")
        if not number and not data.get("quantity"):
            data["lot"] = None
            return data
        if not number or data.get("storehouse") is None or not data.get("quantity"):
            raise ValidationError(_("Give the lot number, the storehouse and the quantity."))
        lots = Lot.objects.filter(
            lot_number__iexact=number,
            balances__storehouse=data["storehouse"],
            balances__quantity__gt=0,
        )
        if type_code:
            lots = lots.filter(ammunition_type__code__iexact=type_code)
        lots = list(lots.distinct()[:2])
        if not lots:
            raise ValidationError(_("No lot with this number is held in that storehouse."))
        if len(lots) > 1:
            raise ValidationError(_("Several lots with this number are held there."))
        data["lot"] = lots[0]
        return data


class BasePlanLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, depot, **kwargs):
        self.depot = depot
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "depot": self.depot}


PlanLineFormSet = forms.formset_factory(
    PlanLineForm, formset=BasePlanLineFormSet, extra=0, max_num=200, absolute_max=200
)


def plan_initial_lines(depot, lot: Lot | None) -> list[dict]:
    """A line per storehouse of the depot holding the lot, then blank ones."""
    lines = []
    if lot is not None:
        for balance in Balance.objects.filter(depot=depot, lot=lot, quantity__gt=0).select_related(
            "storehouse"
        ):
            lines.append(
                {
                    "lot_number": lot.lot_number,
                    "storehouse": balance.storehouse,
                    "quantity": balance.quantity,
                }
            )
    return lines + [{}] * max(1, PLAN_LINES - len(lines))


class ApproveForm(forms.Form):
    approval_reference = forms.CharField(
        max_length=120, required=False, label=_("Approval reference")
    )


class CloseForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=5000,
        label=_("Closing note"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExecutionForm(forms.Form):
    executed_on = forms.DateField(
        label=_("Executed on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    witnesses = forms.CharField(
        label=_("Witnesses"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name, then a comma and the position."),
    )
    note = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_lines = [line for line in plan.lines.all() if line.remaining > 0]
        for line in self.plan_lines:
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                min_value=0,
                max_value=MAX_QUANTITY,
                required=False,
                label=_("%(lot)s in %(storehouse)s (%(left)s left)")
                % {
                    "lot": line.lot.lot_number,
                    "storehouse": line.storehouse.code,
                    "left": line.remaining,
                },
            )

    def clean_witnesses(self):
        witnesses = []
        for raw in self.cleaned_data["witnesses"].splitlines():
            if raw.strip():
                name, _sep, position = raw.partition(",")
                witnesses.append({"name": name.strip(), "position": position.strip()})
        if not witnesses:
            raise ValidationError(_("Name at least one witness."))
        return witnesses

    def line_inputs(self):
        return [
            ExecutionLineInput(line.pk, self.cleaned_data[f"line_{line.pk}"])
            for line in self.plan_lines
            if self.cleaned_data.get(f"line_{line.pk}")
        ]


class GroupForm(forms.Form):
    code = forms.CharField(max_length=40, label=_("Code"))
    name = forms.CharField(max_length=200, label=_("Name"))


class GroupMemberForm(forms.Form):
    ammunition_type = forms.CharField(
        max_length=40,
        label=_("Ammunition type (code)"),
        help_text=_("The type that stands in for the group's other types."),
    )

    def clean_ammunition_type(self):
        code = self.cleaned_data["ammunition_type"].strip()
        found = AmmunitionType.objects.filter(code__iexact=code).first()
        if found is None:
            raise ValidationError(_("No ammunition type has this code."))
        return found
