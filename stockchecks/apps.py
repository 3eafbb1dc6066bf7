from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StockchecksConfig(AppConfig):
    name = "stockchecks"
    verbose_name = _("Stock checks and incidents")

    def ready(self) -> None:
        # Oversight's profiles ask inventory how accurate the depots' counts were; the counts
        # are ours (LAYERS.md: diversion does not import stockchecks).
        from inventory.hooks import on_count_accuracy
        from stockchecks.selectors import count_accuracy_by_depot

        on_count_accuracy(count_accuracy_by_depot)
