from celery import shared_task

from core.health import service_health


@shared_task(name="core.service_health")
def service_health_task() -> dict[str, str]:
    """Report the database and broker as the worker sees them: proves a worker is wired up."""
    return service_health()
