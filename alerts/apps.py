from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        # A condition change or split that mixes stock to be stored apart, and a posting that
        # puts expired stock into a storehouse, raise their alerts at once; inventory calls the
        # hooks, knowing nothing of alerts (LAYERS.md).
        from alerts.detectors import expired_alerts_raise, storage_alerts_raise
        from inventory.hooks import on_expired_stock_received, on_storage_changed

        on_storage_changed(storage_alerts_raise)
        on_expired_stock_received(expired_alerts_raise)
