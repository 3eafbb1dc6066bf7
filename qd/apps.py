from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QdConfig(AppConfig):
    name = "qd"
    verbose_name = _("Quantity-distance")

    def ready(self) -> None:
        # A licence recorded or changed in inventory is checked against QD at once; inventory
        # calls the hook knowing nothing of qd (LAYERS.md).
        from inventory.hooks import on_licence_changed
        from qd.services import qd_alerts_refresh

        on_licence_changed(qd_alerts_refresh)
