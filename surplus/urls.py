"""The surplus pages, mounted under /surplus/."""

from django.urls import path

from surplus import views

app_name = "surplus"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("subjects/<str:subject>/", views.subject_detail, name="subject"),
    path("requirements/", views.requirement_list, name="requirement_list"),
    path("requirements/new/", views.requirement_new, name="requirement_new"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_new, name="group_new"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path(
        "groups/<int:pk>/types/<int:type_pk>/remove/",
        views.group_member_remove,
        name="group_member_remove",
    ),
    path("snapshots/", views.snapshot_list, name="snapshot_list"),
    path("snapshots/<int:pk>/", views.snapshot_detail, name="snapshot_detail"),
    path("disposal/", views.plan_list, name="plan_list"),
    path("disposal/new/", views.plan_new, name="plan_new"),
    path("disposal/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("disposal/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
    path("disposal/<int:pk>/close/", views.plan_close, name="plan_close"),
    path("disposal/<int:pk>/execute/", views.plan_execute, name="plan_execute"),
    path("executions/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("executions/<int:pk>/certificate/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("report/", views.report_pdf, name="report_pdf"),
]
