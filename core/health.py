"""Health of the services the app needs: database and broker. Used by /healthz and a task."""

from django.conf import settings
from django.db import connection


def service_health() -> dict[str, str]:
    """Return {"database": "ok"|error, "broker": "ok"|error}; never raises."""
    import redis

    report = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        report["database"] = "ok"
    except Exception as exc:
        report["database"] = f"error: {exc.__class__.__name__}"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
        report["broker"] = "ok"
    except Exception as exc:
        report["broker"] = f"error: {exc.__class__.__name__}"
    return report
