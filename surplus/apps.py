from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurplusConfig(AppConfig):
    name = "surplus"
    verbose_name = _("Surplus")
