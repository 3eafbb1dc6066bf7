"""The Compose deployment publishes the app on loopback unless told otherwise (issue 15)."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = re.compile(r"\$\{(\w+):-([^}]*)\}")


def _published(environment: dict[str, str]) -> list[str]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return [
        DEFAULT.sub(lambda m: environment.get(m.group(1)) or m.group(2), port)
        for port in compose["services"]["web"]["ports"]
    ]


def test_the_web_port_is_published_on_loopback_by_default():
    assert _published({}) == ["127.0.0.1:8000:8000"]


def test_the_address_and_port_are_chosen_in_env():
    everywhere = "0.0.0.0"  # noqa: S104 (what an operator may choose)
    assert _published({"WEB_BIND": everywhere, "WEB_PORT": "8080"}) == [f"{everywhere}:8080:8000"]


def test_no_other_service_publishes_a_port():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert [name for name, service in compose["services"].items() if "ports" in service] == ["web"]


def test_env_example_documents_the_bind_address():
    text = (ROOT / ".env.example").read_text()
    assert "# WEB_BIND=127.0.0.1" in text
    assert "# TRUSTED_PROXY_COUNT=1" in text
