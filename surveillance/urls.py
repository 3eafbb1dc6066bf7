"""Web UI of surveillance, mounted under /surveillance/ by stockpile/urls.py."""

from django.urls import path

from surveillance import views

app_name = "surveillance"

urlpatterns = [
    path("", views.work_list, name="work_list"),
    path("lots/search/", views.lot_search, name="lot_search"),
    path("lots/<int:pk>/", views.lot_detail, name="lot_detail"),
    path("lots/<int:pk>/condition/", views.condition_change_new, name="condition_change_new"),
    path("lots/<int:pk>/extend/", views.shelf_life_extend_view, name="shelf_life_extend"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("stability-tests/new/", views.stability_test_new, name="stability_test_new"),
    path("stability-tests/<int:pk>/", views.stability_test_detail, name="stability_test_detail"),
    path("bans/", views.ban_list_view, name="ban_list"),
    path("bans/new/", views.ban_new, name="ban_new"),
    path("bans/<int:pk>/lift/", views.ban_lift_view, name="ban_lift"),
]
