from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        # A condition change or split that mixes stock to be stored apart raises its alert at
        # once; inventory calls the hook, knowing nothing of alerts (LAYERS.md).
        from alerts.detectors import storage_alerts_raise
        from inventory.hooks import on_storage_changed

        on_storage_changed(storage_alerts_raise)
