"""The ledger verification, checkpoint and audit log resources of /api/v1/ (included by
stockpile.api_urls)."""

from audit.api.views import AuditEventViewSet, LedgerCheckpointViewSet, LedgerVerificationViewSet
from core.drf import ResourceRouter

router = ResourceRouter()
router.register("ledger-verification", LedgerVerificationViewSet, basename="ledger-verification")
router.register("ledger-checkpoints", LedgerCheckpointViewSet, basename="ledger-checkpoint")
router.register("audit-log", AuditEventViewSet, basename="audit-log")

urlpatterns = router.urls
