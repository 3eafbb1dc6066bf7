from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import DepotMembership, User
from accounts.selectors import vetting_status_filter
from accounts.services import api_tokens_revoke
from core.roles import Role


class UserForm(UserChangeForm):
    roles = forms.TypedMultipleChoiceField(
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Roles"),
        help_text=_(
            "Clerks and inspectors act in the depots listed below, and in none if none are "
            "listed; tick 'national inspector' for an inspector who acts in every depot."
        ),
    )


class DepotMembershipInline(admin.TabularInline):
    model = DepotMembership
    extra = 0
    autocomplete_fields = ["depot"]


class VettingStatusFilter(admin.SimpleListFilter):
    """Who must renew: lapsed, lapsing within VETTING_WARNING_DAYS, or valid beyond that."""

    title = _("vetting")
    parameter_name = "vetting"

    def lookups(self, request, model_admin):
        return [
            ("lapsed", _("lapsed or none")),
            ("expiring", _("expiring soon")),
            ("valid", _("valid")),
        ]

    def queryset(self, request, queryset):
        if self.value() in {"lapsed", "expiring", "valid"}:
            return queryset.filter(vetting_status_filter(self.value()))
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "get_full_name",
        "roles",
        "national",
        "is_active",
        "vetting_level",
        "vetting_expires_on",
        "last_login",
    ]
    list_filter = ["is_active", VettingStatusFilter, "vetting_level"]
    form = UserForm
    inlines = [DepotMembershipInline]
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:2],
        (_("Stockpile roles"), {"fields": ("roles", "national")}),
        (
            _("Personnel vetting"),
            {"fields": ("vetting_level", "vetting_expires_on", "vetting_reference")},
        ),
        (_("Language"), {"fields": ("language",)}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """The language is one of those offered (settings.LANGUAGES), or the browser's."""
        if db_field.name == "language":
            choices = [("", _("As the browser asks")), *settings.LANGUAGES]
            return forms.ChoiceField(
                label=db_field.verbose_name.capitalize(),
                choices=choices,
                required=False,
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # What no administrator may grant themselves: another administrator does it (two persons).
    SELF_READ_ONLY = (
        "roles",
        "national",
        "vetting_level",
        "vetting_expires_on",
        "vetting_reference",
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
    )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            fields += [name for name in self.SELF_READ_ONLY if name not in fields]
        return fields

    def get_inline_instances(self, request, obj=None):
        """One's own depot memberships (one's scope) are not one's to change either."""
        inlines = super().get_inline_instances(request, obj)
        if obj is not None and obj.pk == request.user.pk:
            for inline in inlines:
                inline.has_add_permission = lambda *args, **kwargs: False
                inline.has_change_permission = lambda *args, **kwargs: False
                inline.has_delete_permission = lambda *args, **kwargs: False
        return inlines

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not obj.is_active:
            # A deactivated account's API tokens die with it, not merely stop working: were it
            # reactivated, tokens issued before would otherwise come back to life.
            api_tokens_revoke(user=obj)
