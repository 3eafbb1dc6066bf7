"""What the API takes and gives, as the schema says it (issue 21): JSON bodies everywhere,
multipart only where a file is uploaded, downloads that generated clients read as bytes, and 415
for a body in another media type."""

import json

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from inventory.models import Document, LedgerLine

pytestmark = pytest.mark.django_db

UPLOADS = {
    ("post", "/api/v1/inspections/"): ["application/json", "multipart/form-data"],
    ("post", "/api/v1/inspections/{id}/attachments/"): ["multipart/form-data"],
    ("post", "/api/v1/reports/verify/"): ["application/json", "multipart/form-data"],
    # Issue 19: a spreadsheet is uploaded; the endpoint parses multipart only.
    ("post", "/api/v1/imports/"): ["multipart/form-data"],
}


@pytest.fixture(scope="module")
def schema() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document, renderer_context={}))


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield (method, path), operation


def test_request_bodies_are_json_but_where_a_file_is_uploaded(schema):
    bodies = {
        key: list(operation["requestBody"]["content"])
        for key, operation in _operations(schema)
        if "requestBody" in operation
    }
    assert len(bodies) > 40
    assert {key: media for key, media in bodies.items() if key in UPLOADS} == UPLOADS
    assert {
        key: media
        for key, media in bodies.items()
        if key not in UPLOADS and media != ["application/json"]
    } == {}
    assert all(
        "415" in operation["responses"]
        for key, operation in _operations(schema)
        if "requestBody" in operation
    )


def test_downloads_offer_the_bytes_first_then_their_real_media_types(schema):
    report = schema["paths"]["/api/v1/reports/{id}/download/"]["get"]["responses"]
    attachment = schema["paths"]["/api/v1/inspections/{id}/attachments/{attachment_id}/download/"]
    assert list(report["200"]["content"]) == [
        "application/octet-stream",
        "application/pdf",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
    assert report["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DomainError"
    }
    assert list(attachment["get"]["responses"]["200"]["content"]) == [
        "application/octet-stream",
        "image/jpeg",
        "image/png",
        "application/pdf",
    ]


def test_signing_in_needs_no_credentials_in_the_schema(schema):
    operation = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert "security" not in operation
    assert "401" not in operation["responses"]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (
            "application/x-www-form-urlencoded",
            "reference=WB-1&counterparty=Arsenal&lines=1",
        ),
        (
            "multipart/form-data; boundary=XX",
            '--XX\r\nContent-Disposition: form-data; name="reference"\r\n\r\nWB-1\r\n--XX--\r\n',
        ),
        ("text/plain", "WB-1"),
    ],
)
def test_a_posting_in_another_media_type_is_415_and_writes_nothing(
    api_as, clerk, world, content_type, body
):
    response = api_as(clerk).post("/api/v1/receipts/", data=body, content_type=content_type)
    assert response.status_code == 415
    assert set(response.json()) == {"detail"}
    assert content_type.split(";")[0] in response.json()["detail"]
    assert (Document.objects.count(), LedgerLine.objects.count()) == (0, 0)


def test_a_form_encoded_report_verification_is_415(api_as, auditor):
    response = api_as(auditor).post(
        "/api/v1/reports/verify/",
        data="number=RPT-2026-000001",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert set(response.json()) == {"detail"}


def test_a_report_number_sent_as_a_form_field_is_verified(api_as, auditor):
    """The multipart body carries the number as well as a PDF (the schema says either)."""
    response = api_as(auditor).post(
        "/api/v1/reports/verify/",
        {"number": f"RPT-{timezone.localdate().year}-999999"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "number" in response.json()
