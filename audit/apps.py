from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")
    # Append-only at the database (core.db_roles): the app's role may not change or remove these.
    append_only = {
        "AuditEvent": ("UPDATE", "DELETE"),
        "LedgerCheckpoint": ("UPDATE", "DELETE"),
        "LedgerVerification": ("UPDATE", "DELETE"),
    }

    def ready(self) -> None:
        from audit import signals  # noqa: F401  (connects the audit log's receivers)
