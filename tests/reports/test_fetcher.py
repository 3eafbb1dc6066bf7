"""WeasyPrint loads only the app's static files and data: URLs; user text is never markup."""

import base64
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from inventory.services.posting import Movement, receipt_post
from reports import pdf
from reports.fetcher import STATIC_ORIGIN, RefusedURL
from reports.services import report_request
from tests.reports.conftest import pdf_text

SVG_WITH_FILE = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'width="10" height="10"><image xlink:href="file:///etc/passwd" width="10" height="10"/>'
    "</svg>"
)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/logo.png",
        "http://127.0.0.1:8000/static/css/reports-pdf.css",
        "file:///etc/passwd",
        f"{STATIC_ORIGIN}/static/../../../etc/passwd",
        f"{STATIC_ORIGIN}/static/css/../../manage.py",
        f"{STATIC_ORIGIN}/media/reports/secret.pdf",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files_and_data(url):
    fetcher = pdf.url_fetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_serves_the_reports_stylesheet_and_data_urls():
    fetcher = pdf.url_fetcher()
    css = fetcher.fetch(f"{STATIC_ORIGIN}{pdf.stylesheet_url()}")
    assert css.content_type == "text/css"
    assert b"@page" in css.read()
    assert fetcher.fetch("data:text/plain;base64,b2s=").read() == b"ok"


def test_a_rendering_loads_nothing_from_outside_even_through_a_data_url():
    svg = base64.b64encode(SVG_WITH_FILE.encode()).decode()
    html = (
        f'<html><head><link rel="stylesheet" href="{pdf.stylesheet_url()}"></head><body>'
        '<p>Outside</p><img src="https://example.org/logo.png"><img src="file:///etc/hostname">'
        f'<img src="data:image/svg+xml;base64,{svg}"></body></html>'
    )
    fetcher = pdf.url_fetcher()
    document = pdf.html_to_pdf(html, fetcher)
    assert fetcher.refused == [
        "https://example.org/logo.png",
        "file:///etc/hostname",
        "file:///etc/passwd",  # named inside the SVG of the data: URL
    ]
    assert "Outside" in PdfReader(io.BytesIO(document)).pages[0].extract_text()


def test_markup_typed_by_a_user_is_printed_as_text(history, clerk, auditor):
    typed = '<img src="file:///etc/hostname"> <b>Depot</b>'
    receipt_post(
        depot=history.world.depot_a,
        lines=[Movement(history.ball2.pk, history.world.sh2.pk, 5)],
        occurred_on=timezone.localdate(),
        posted_by=clerk,
        counterparty=typed,
    )
    run = report_request(
        kind="accounting_statement", parameters=history.parameters(), requested_by=auditor
    )
    assert typed in pdf_text(run)
