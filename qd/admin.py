from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from qd.models import ExposedSite, ExposedSiteDistance
from qd.services import qd_alerts_refresh


def _storehouse_ids(site: ExposedSite) -> set[int]:
    return set(site.distances.values_list("storehouse_id", flat=True)) if site.pk else set()


class ExposedSiteDistanceInline(admin.TabularInline):
    model = ExposedSiteDistance
    extra = 0
    autocomplete_fields = ["storehouse"]


@admin.register(ExposedSite)
class ExposedSiteAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "depot"]
    list_filter = ["kind", "depot"]
    search_fields = ["name"]
    inlines = [ExposedSiteDistanceInline]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # An admin edit is a distance change like any other: the storehouses' licence_beyond_qd
        # alerts are brought up to date at once (the services do the same).
        before = _storehouse_ids(form.instance)
        super().save_related(request, form, formsets, change)
        qd_alerts_refresh(storehouse_ids=before | _storehouse_ids(form.instance))

    def delete_model(self, request, obj):
        storehouse_ids = _storehouse_ids(obj)
        super().delete_model(request, obj)
        qd_alerts_refresh(storehouse_ids=storehouse_ids)


@admin.register(ExposedSiteDistance)
class ExposedSiteDistanceAdmin(SimpleHistoryAdmin):
    list_display = ["exposed_site", "storehouse", "distance_m"]
    list_filter = ["exposed_site__depot"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        qd_alerts_refresh(storehouse_ids={obj.storehouse_id})

    def delete_model(self, request, obj):
        storehouse_id = obj.storehouse_id
        super().delete_model(request, obj)
        qd_alerts_refresh(storehouse_ids={storehouse_id})
