from django.urls import path

from qd import views

app_name = "qd"

urlpatterns = [
    path("", views.calculator, name="calculator"),
    path("storehouses/<int:pk>/", views.storehouse_detail, name="storehouse"),
    path("storehouses/<int:pk>/from-qd/", views.licence_from_qd, name="licence_from_qd"),
    path("storehouses/<int:pk>/licence-pdf/", views.licence_print, name="licence_print"),
]
