"""The diversion pages, mounted at /diversion/."""

from django.urls import path

from diversion import views

app_name = "diversion"

urlpatterns = [
    path("", views.case_list_view, name="case_list"),
    path("cases/new/", views.case_new_view, name="case_new"),
    path("cases/<int:pk>/", views.case_detail_view, name="case_detail"),
    path("cases/<int:pk>/dispatch/", views.case_dispatch_view, name="case_dispatch"),
    path("cases/<int:pk>/<slug:name>/", views.case_action_view, name="case_action"),
    path("parties/", views.party_list_view, name="party_list"),
    path("parties/new/", views.party_new_view, name="party_new"),
    path("parties/<int:pk>/", views.party_detail_view, name="party_detail"),
    path("assessments/<int:pk>/", views.assessment_detail_view, name="assessment_detail"),
    path("verifications/", views.verification_list_view, name="verification_list"),
    path(
        "verifications/<int:pk>/record/",
        views.verification_record_view,
        name="verification_record",
    ),
    path("trace/", views.trace_view, name="trace"),
    path("labels/", views.lot_labels_view, name="lot_labels"),
    path("profiles/", views.profile_view, name="profile"),
    path("profiles/recipients/<int:pk>/", views.recipient_profile_view, name="recipient_profile"),
    path(
        "training-allocations/",
        views.training_allocation_list_view,
        name="training_allocation_list",
    ),
    path(
        "training-allocations/<int:pk>/",
        views.training_allocation_detail_view,
        name="training_allocation_detail",
    ),
    path("tracing-requests/", views.tracing_request_list_view, name="tracing_request_list"),
    path("tracing-requests/new/", views.tracing_request_new_view, name="tracing_request_new"),
    path(
        "tracing-requests/<int:pk>/",
        views.tracing_request_detail_view,
        name="tracing_request_detail",
    ),
]
