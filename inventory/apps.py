from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventory")

    # Append-only at the database (core.db_roles): the app's role may not change or remove these.
    append_only = {
        "LedgerLine": ("UPDATE", "DELETE"),
        "PendingLine": ("UPDATE", "DELETE"),
        "DocumentSource": ("UPDATE", "DELETE"),
        "LineSource": ("UPDATE", "DELETE"),
        "Document": ("DELETE",),
        "ReversalProposal": ("DELETE",),
    }
