from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")
    # Append-only at the database (core.db_roles): the app's role may neither change nor remove
    # any of these records.
    append_only = dict.fromkeys(
        ("AuditEvent", "LedgerCheckpoint", "LedgerVerification"), ("UPDATE", "DELETE")
    )

    def ready(self) -> None:
        from audit import signals  # noqa: F401  (connects the audit log's receivers)
