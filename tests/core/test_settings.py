"""Production settings are safe by default; `check --deploy` is clean with them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "SECRET_KEY": "a-production-secret-that-is-long-and-random-" + "k" * 30,
    "ALLOWED_HOSTS": "stockpile.example.org",
    "DATABASE_URL": "postgres://stockpile@127.0.0.1:5432/stockpile",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def manage(*args, **env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "PYTEST_VERSION",
            "PYTEST_CURRENT_TEST",
            "SECRET_KEY",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests for Playwright
        }
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={k: v for k, v in env.items() if v is not None},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": None})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_services():
    result = manage("check", **{**PRODUCTION, "DATABASE_URL": None})
    assert result.returncode != 0
    assert "DATABASE_URL and REDIS_URL must be set" in result.stderr


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_mistyped_boolean_is_an_error_not_a_guess(value):
    result = manage("check", **{**PRODUCTION, "DEBUG": value})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_production_security_settings():
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.X_FRAME_OPTIONS)"
    )
    result = manage("shell", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    # The last line: Django 5.2 first reports the objects it imported automatically.
    last_line = result.stdout.strip().splitlines()[-1]
    assert last_line.split() == ["False", "True", "True", "True", "True", "DENY"]
