from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo stockpile of a first run: `manage.py seed_demo` loads each app's own demo, in
    the order the apps are built on one another. At the top, so no app below imports it."""

    name = "demo"
    verbose_name = _("Demo")
