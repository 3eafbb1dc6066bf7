from celery import shared_task

from core.health import service_health
from core.idempotency import idempotency_purge


@shared_task(name="core.service_health")
def service_health_task() -> dict[str, str]:
    """Report the database and broker as the worker sees them: proves a worker is wired up."""
    return service_health()


@shared_task(name="core.idempotency_purge")
def idempotency_purge_task() -> int:
    """Forget Idempotency-Keys older than 48 hours (they are promised for at least 24)."""
    return idempotency_purge()
