"""Reports are rendered in the requester's language (issue 17): the language saved on the user,
else the one of the request; the PDF's headings, column titles, numbers and page numbers follow
it. (CSV/XLSX headers stay the stable machine keys scripts rely on.)"""

import pytest
from django.utils import translation

from reports.models import ReportRun
from reports.services import report_request
from tests.reports.conftest import pdf_text


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def _stock_card(history, user):
    return report_request(
        kind="stock_card",
        parameters={"lot": history.ball1.pk, "depot": history.world.depot_a.pk},
        requested_by=user,
        inline=True,
    )


def test_a_saved_language_renders_the_report_in_it(history, auditor):
    auditor.language = "fr"
    auditor.save()
    with translation.override("en"):
        run = _stock_card(history, auditor)
    assert run.language == "fr"
    running = _in("fr", "Running")
    assert running != "Running"
    text = " ".join(pdf_text(run).split())  # a heading may wrap in its column
    assert running in text
    assert "Running" not in text
    assert _in("fr", "Page %(page)s of %(pages)s") % {"page": 1, "pages": 1} in text


def test_without_a_saved_language_the_request_decides(history, auditor):
    with translation.override("es"):
        assert _stock_card(history, auditor).language == "es"
    with translation.override("en"):
        run = _stock_card(history, auditor)
    assert run.language == "en"
    assert "Running" in pdf_text(run)


@pytest.mark.django_db
def test_the_api_takes_the_language_of_the_request(history, auditor, client):
    client.force_login(auditor)
    response = client.post(
        "/api/v1/reports/",
        {"kind": "stock_card", "parameters": {"lot": history.ball1.pk}},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code in (201, 202), response.content
    assert ReportRun.objects.get(pk=response.json()["id"]).language == "ru"
