"""The administrators' screens for reference and policy data, with their change history.

Reference data changes keep history (django-simple-history: the "History" button). The ledger
(lots, documents, lines, balances) only grows through the posting services, so its screens are
read-only; the mixing matrix is versioned (a new version is loaded, never edited), so it is too.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin
from inventory.models import (
    AmmunitionType,
    Balance,
    Ban,
    ClosedPeriod,
    ConditionCode,
    Depot,
    Document,
    HazardCode,
    Incident,
    LedgerLine,
    Licence,
    LicenceLimit,
    Lot,
    MixingCell,
    MixingMatrixVersion,
    PolicySetting,
    Recipient,
    Storehouse,
    Supplier,
    Waiver,
)
from inventory.policy import policy_setting_check
from inventory.rules import COMPATIBILITY_GROUPS, hazard_code_is_legal
from inventory.selectors.reference import policy_legal_hazard_codes
from inventory.services.reference import (
    ammunition_type_reclassification_check,
    ammunition_type_subdivision_check,
)


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False


@admin.register(Depot)
class DepotAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]


class LicenceLimitInline(admin.TabularInline):
    model = LicenceLimit
    extra = 0
    fields = ["hazard_division", "max_neq_kg"]


class LicenceInline(ReadOnlyInline):
    """The storehouse's licences, newest first; they are edited on the licence's own page."""

    model = Licence
    fields = ["number", "issuing_authority", "valid_from", "valid_until"]
    readonly_fields = fields
    show_change_link = True
    ordering = ["-valid_from"]


@admin.register(Storehouse)
class StorehouseAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "depot", "kind", "is_active"]
    list_filter = ["depot", "kind", "is_active"]
    list_select_related = ["depot"]
    search_fields = ["code", "name", "depot__code", "depot__name"]
    autocomplete_fields = ["depot"]
    inlines = [LicenceInline]


class LicenceStateFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [
            ("in_force", _("In force today")),
            ("future", _("Not yet in force")),
            ("expired", _("Expired")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "in_force":
            return queryset.filter(valid_from__lte=today, valid_until__gte=today)
        if self.value() == "future":
            return queryset.filter(valid_from__gt=today)
        if self.value() == "expired":
            return queryset.filter(valid_until__lt=today)
        return queryset


@admin.register(Licence)
class LicenceAdmin(SimpleHistoryAdmin):
    list_display = ["number", "storehouse", "issuing_authority", "valid_from", "valid_until"]
    list_filter = [LicenceStateFilter, "storehouse__depot", "issuing_authority"]
    list_select_related = ["storehouse__depot"]
    search_fields = ["number", "issuing_authority", "storehouse__code", "storehouse__depot__code"]
    autocomplete_fields = ["storehouse"]
    date_hierarchy = "valid_until"
    inlines = [LicenceLimitInline]


# The fields of an ammunition type the admin edits, as its page groups them (the form takes them
# from here too, so that the two cannot part).
AMMUNITION_TYPE_FIELDSETS = [
    (None, {"fields": ["code", "name", "category", "calibre", "unit", "packaging"]}),
    (
        _("Hazard classification"),
        {
            "fields": [
                "hazard_division",
                "compatibility_group",
                "neq_per_unit_kg",
                "items_per_unit",
                "shaped_charge",
                "high_energy_propellant",
                "assembles_to",
            ]
        },
    ),
    (
        _("Life and surveillance"),
        {"fields": ["shelf_life_months", "contains_propellant", "obsolete"]},
    ),
]


class AmmunitionTypeAdminForm(forms.ModelForm):
    class Meta:
        model = AmmunitionType
        fields = flatten_fieldsets(AMMUNITION_TYPE_FIELDSETS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Never required, as in the API: left empty, a unit of issue is one item.
        self.fields["items_per_unit"].required = False

    def clean_items_per_unit(self):
        value = self.cleaned_data.get("items_per_unit")
        return 1 if value is None else value

    def clean(self):
        cleaned = super().clean()
        division = cleaned.get("hazard_division")
        group = cleaned.get("compatibility_group")
        hosts = list(cleaned.get("assembles_to") or ())
        if hosts and group and group != "B":
            self.add_error(
                "assembles_to",
                _("Only compatibility group B types (fuzes, detonators) assemble to other types."),
            )
        if self.instance.pk and any(host.pk == self.instance.pk for host in hosts):
            self.add_error("assembles_to", _("A type is not fitted to itself."))
        if division and group:
            try:
                ammunition_type_reclassification_check(
                    self.instance, hazard_division=division, compatibility_group=group
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        if (
            division
            and group
            and not hazard_code_is_legal(division, group, policy_legal_hazard_codes())
        ):
            self.add_error(
                "compatibility_group",
                _("%(code)s is not a legal UN hazard code.") % {"code": f"{division}{group}"},
            )
        neq = cleaned.get("neq_per_unit_kg")
        items = cleaned.get("items_per_unit")
        # New types only, as the service: types already recorded keep their sub-division.
        if self.instance.pk is None and division and neq is not None and items:
            try:
                ammunition_type_subdivision_check(
                    hazard_division=division, neq_per_unit_kg=neq, items_per_unit=items
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(AmmunitionType)
class AmmunitionTypeAdmin(SimpleHistoryAdmin):
    form = AmmunitionTypeAdminForm
    filter_horizontal = ["assembles_to"]
    list_display = [
        "code",
        "name",
        "category",
        "calibre",
        "hazard_division",
        "compatibility_group",
        "neq_per_unit_kg",
        "items_per_unit",
        "contains_propellant",
        "obsolete",
    ]
    list_filter = [
        "category",
        "hazard_division",
        "compatibility_group",
        "contains_propellant",
        "shaped_charge",
        "high_energy_propellant",
        "obsolete",
    ]
    search_fields = ["code", "name", "calibre"]
    fieldsets = AMMUNITION_TYPE_FIELDSETS


@admin.register(Recipient)
class RecipientAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "depot", "permitted_restricted", "is_active"]
    list_filter = ["kind", "is_active", "permitted_restricted", "depot"]
    list_select_related = ["depot"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["depot"]


@admin.register(Supplier)
class SupplierAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "country"]
    list_filter = ["country"]
    search_fields = ["code", "name"]


@admin.register(Waiver)
class WaiverAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read only: a waiver is recorded on the Waivers page, through waiver_create, which checks
    the recorder's role, scope and vetting and audits it; the admin form would bypass all that."""

    list_display = [
        "storehouse",
        "rule",
        "authority_reference",
        "expires_on",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = ["rule", "storehouse__depot"]
    list_select_related = ["storehouse__depot", "recorded_by"]
    search_fields = ["authority_reference", "reason", "storehouse__code", "storehouse__depot__code"]
    autocomplete_fields = ["storehouse"]
    date_hierarchy = "expires_on"
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(ConditionCode)
class ConditionCodeAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read only: what each IATG condition code allows (issuable, restricted, not issuable) is
    the policy every posting obeys; making condemned stock issuable is not an admin's edit. The
    codes change with the reference tables, by migration."""

    list_display = ["code", "availability", "isolate", "meaning"]
    list_filter = ["availability", "isolate"]
    search_fields = ["code", "meaning"]


@admin.register(HazardCode)
class HazardCodeAdmin(SimpleHistoryAdmin):
    list_display = ["code"]
    search_fields = ["code"]


class PolicySettingAdminForm(forms.ModelForm):
    class Meta:
        model = PolicySetting
        fields = ["key", "value", "description"]

    def clean(self):
        """A setting the storage rules read must hold an allowed value (inventory.policy):
        e.g. hd_1_6_counts_as is a division a licence has a key for, never "1.6"."""
        cleaned = super().clean()
        key = cleaned.get("key")
        if key and "value" in cleaned:
            try:
                policy_setting_check(key, cleaned["value"])
            except ValueError as exc:
                self.add_error("value", str(exc))
        return cleaned


@admin.register(PolicySetting)
class PolicySettingAdmin(SimpleHistoryAdmin):
    form = PolicySettingAdminForm
    list_display = ["key", "value", "description"]
    search_fields = ["key", "description"]


class MixingCellInline(ReadOnlyInline):
    model = MixingCell
    fields = ["group_a", "group_b", "value"]
    readonly_fields = fields
    ordering = ["group_a", "group_b"]


@admin.register(MixingMatrixVersion)
class MixingMatrixVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every version ever loaded, kept as loaded: the history of the matrix. A new version is
    loaded with `manage.py load_mixing_matrix` (docs/policy.md), never edited here."""

    list_display = ["version", "effective_from", "in_effect_today", "source", "created_at"]
    readonly_fields = [
        "version",
        "effective_from",
        "in_effect_today",
        "source",
        "note",
        "created_at",
        "matrix",
    ]
    fields = readonly_fields
    inlines = [MixingCellInline]

    @admin.display(boolean=True, description=_("in effect today"))
    def in_effect_today(self, obj):
        today = timezone.localdate()
        current = (
            MixingMatrixVersion.objects.filter(effective_from__lte=today)
            .order_by("-version")
            .values_list("pk", flat=True)
            .first()
        )
        return obj.pk == current

    @admin.display(description=_("matrix"))
    def matrix(self, obj):
        cells = {(c.group_a, c.group_b): c.value for c in obj.cells.all()}
        head = format_html_join("", "<th scope='col'>{}</th>", ((b,) for b in COMPATIBILITY_GROUPS))
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th>{}</tr>",
            (
                (
                    a,
                    format_html_join(
                        "",
                        "<td>{}</td>",
                        ((cells.get((a, b), "?"),) for b in COMPATIBILITY_GROUPS),
                    ),
                )
                for a in COMPATIBILITY_GROUPS
            ),
        )
        return format_html(
            "<table><thead><tr><th></th>{}</tr></thead><tbody>{}</tbody></table>", head, rows
        )


@admin.register(MixingCell)
class MixingCellAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["version", "group_a", "group_b", "value"]
    list_filter = ["version", "group_a", "value"]
    list_select_related = ["version"]
    ordering = ["-version__version", "group_a", "group_b"]


# The ledger: read-only. Quantities change only by posting documents through the services.


@admin.register(Lot)
class LotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "lot_number",
        "ammunition_type",
        "manufacturer",
        "manufactured_on",
        "expires_on",
        "condition",
        "identity_lost",
    ]
    list_filter = ["condition", "identity_lost", "ammunition_type__category"]
    list_select_related = ["ammunition_type", "condition"]
    search_fields = ["lot_number", "manufacturer", "batch", "ammunition_type__code"]
    date_hierarchy = "manufactured_on"


class LedgerLineInline(ReadOnlyInline):
    model = LedgerLine
    fields = ["lot", "storehouse", "quantity", "occurred_on", "posted_at", "hash"]
    readonly_fields = fields


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "kind", "status", "depot", "occurred_on", "posted_at", "posted_by"]
    list_filter = ["kind", "status", "depot"]
    list_select_related = ["depot", "posted_by"]
    search_fields = ["number", "reference", "counterparty"]
    date_hierarchy = "occurred_on"
    inlines = [LedgerLineInline]


@admin.register(LedgerLine)
class LedgerLineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "document", "lot", "storehouse", "quantity", "occurred_on", "posted_at"]
    list_filter = ["depot"]
    list_select_related = ["document", "lot", "storehouse__depot"]
    search_fields = ["document__number", "lot__lot_number"]
    date_hierarchy = "occurred_on"


@admin.register(Balance)
class BalanceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["lot", "storehouse", "depot", "quantity"]
    list_filter = ["depot"]
    list_select_related = ["lot", "storehouse__depot", "depot"]
    search_fields = ["lot__lot_number", "storehouse__code"]


@admin.register(ClosedPeriod)
class ClosedPeriodAdmin(admin.ModelAdmin):
    """Closing a depot's period is final here: no change or deletion from the admin."""

    list_display = ["depot", "starts_on", "ends_on", "closed_by", "closed_at"]
    list_filter = ["depot"]
    fields = ["depot", "starts_on", "ends_on"]

    def save_model(self, request, obj, form, change):
        obj.closed_by = request.user
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Incidents are opened by the services and investigated on stockchecks' pages."""

    list_display = ["pk", "depot", "kind", "status"]
    list_filter = ["status", "kind", "depot"]
    list_select_related = ["depot"]


@admin.register(Ban)
class BanAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Bans are imposed and lifted on surveillance's pages, which check who decides."""

    list_display = ["kind", "lot", "ammunition_type", "reference", "imposed_at", "lifted_at"]
    list_filter = ["kind"]
    list_select_related = ["lot", "ammunition_type"]
