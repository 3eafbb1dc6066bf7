"""Helpers for tests that start real processes (worker, launcher) against the test services."""

from urllib.parse import quote

from django.db import connection


def database_url() -> str:
    """The URL of the database this test runs on (the test database), for another process."""
    db = connection.settings_dict
    host = db["HOST"] or "localhost"
    user = quote(db["USER"] or "postgres")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    if host.startswith("/"):
        return f"postgresql://{user}{password}@/{db['NAME']}?host={quote(host, safe='/')}"
    return f"postgresql://{user}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
