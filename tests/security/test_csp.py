"""Content-Security-Policy (issue 15, part B): every page is sent with a policy that allows no
inline script or style, and no template carries one; frames refused; no browsable API outside
DEBUG."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.core.test_pages import ROUTED

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Rendered by WeasyPrint into PDF reports, never served to a browser: no CSP applies, and their
# page geometry (@page sizes, column widths) is set inline on purpose.
PDF_TEMPLATES = ("reports/pdf/", "surplus/reports/", "diversion/reports/", "qd/reports/")

INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
HTMX_EVAL = re.compile(r"\shx-on[:-]|\shx-vals\s*=\s*['\"]\s*js:", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


def _templates():
    return sorted(p for p in TEMPLATES.rglob("*.html"))


def test_the_scan_sees_the_templates():
    names = {p.relative_to(TEMPLATES).as_posix() for p in _templates()}
    assert {"base.html", "stockchecks/sheet.html", "surplus/certificate.html"} <= names


@pytest.mark.parametrize("path", _templates(), ids=lambda p: p.relative_to(TEMPLATES).as_posix())
def test_no_template_has_inline_script_or_style(path):
    text = path.read_text()
    name = path.relative_to(TEMPLATES).as_posix()
    assert not INLINE_HANDLER.search(text), f"{name}: inline event handler"
    assert not INLINE_SCRIPT.search(text), f"{name}: inline <script>"
    assert not JS_URL.search(text), f"{name}: javascript: URL"
    assert not HTMX_EVAL.search(text), f"{name}: htmx attribute evaluated as script"
    if not name.startswith(PDF_TEMPLATES):
        assert not INLINE_STYLE.search(text), f"{name}: inline style"


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.strip().split() for part in header.split(";") if part.strip())
    return {d[0]: d[1:] for d in directives}


def _assert_strict(response, path):
    assert "Content-Security-Policy" in response, path
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"], path
    assert policy["style-src"] == ["'self'"], path
    assert policy["frame-ancestors"] == ["'none'"], path
    assert policy["object-src"] == ["'none'"], path
    assert "unsafe" not in response["Content-Security-Policy"], path
    assert response["X-Frame-Options"] == "DENY", path


PAGES = [p for p in ROUTED if not p.startswith(("/api/", "/admin/")) and p != "/healthz"]


def test_every_page_is_sent_with_the_policy(client, world, admin_user):
    """Every routed page (ids filled with 1: a real page or the 404 page), signed in as an
    administrator, who may open them all."""
    client.force_login(admin_user)
    html = 0
    for path in PAGES:
        response = client.get(path)
        if response.get("Content-Type", "").startswith("text/html"):
            html += 1
            _assert_strict(response, path)
    assert html > 40


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/admin/", "/api/docs/", "/no-such-page/", "/"]
)
def test_login_admin_docs_and_errors_too(client, admin_user, path):
    if path != "/accounts/login/":
        client.force_login(admin_user)
    _assert_strict(client.get(path), path)


def test_api_docs_load_their_start_up_script_as_a_file(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/api/docs/").content.decode()
    assert not INLINE_SCRIPT.search(page)
    assert "<style" not in page
    script = client.get("/api/docs/?script")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_no_browsable_api_outside_debug(api_as, officer, depot_a):
    response = api_as(officer).get("/api/v1/depots/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    response = api_as(officer).get("/api/v1/depots/", HTTP_ACCEPT="text/html,*/*")
    assert response["Content-Type"] == "application/json"


def test_stock_page_carries_the_policy_for_a_clerk(client, clerk, world):
    client.force_login(clerk)
    _assert_strict(client.get("/stock/"), "/stock/")
