from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StockchecksConfig(AppConfig):
    name = "stockchecks"
    verbose_name = _("Stock checks and incidents")
