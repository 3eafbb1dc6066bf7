from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The top floor of the web UI: the home page and the navigation around every page. It reads
    from the apps below it (alerts, stockchecks, accounts, inventory) so that core need not."""

    name = "home"
    verbose_name = _("Home")
