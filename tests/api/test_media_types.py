"""What the API takes and gives, as the schema says it (issue 21): JSON bodies everywhere,
multipart only where a file is uploaded, downloads that generated clients read as bytes, and 415
for a body in another media type."""

import json

import pytest
from axes.models import AccessAttempt
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from knox.models import AuthToken

from inventory.models import Document, LedgerLine
from surveillance.models import InspectionAttachment

pytestmark = pytest.mark.django_db

# The operations that take a file, and what they take. Others may come (an import of a file):
# the rule below holds them to the same standard without naming them.
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


def _resolved(schema, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _takes_a_file(schema, body: dict) -> bool:
    """A property of the body is a file, or a list of files."""
    for prop in _resolved(schema, body).get("properties", {}).values():
        prop = _resolved(schema, prop)
        if prop.get("format") == "binary":
            return True
        if (
            prop.get("type") == "array"
            and _resolved(schema, prop["items"]).get("format") == "binary"
        ):
            return True
    return False


def test_request_bodies_are_json_but_where_a_file_is_uploaded(schema):
    bodies = {
        key: operation["requestBody"]["content"]
        for key, operation in _operations(schema)
        if "requestBody" in operation
    }
    assert len(bodies) > 40
    assert {key: list(bodies[key]) for key in UPLOADS} == UPLOADS
    # No form encoding at all; multipart only for a body that carries a file; JSON everywhere
    # else, and alone.
    assert {
        key: list(media)
        for key, media in bodies.items()
        if "application/x-www-form-urlencoded" in media
        or (set(media) - {"application/json", "multipart/form-data"})
        or (
            "multipart/form-data" in media
            and not _takes_a_file(schema, media["multipart/form-data"]["schema"])
        )
        or ("multipart/form-data" not in media and list(media) != ["application/json"])
    } == {}
    assert all(
        operation["responses"]["415"]["content"]["application/json"]["schema"]
        == {"$ref": "#/components/schemas/UnsupportedMediaType"}
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
    answer = response.json()
    assert set(answer) == {"code", "detail", "accepted"}  # as the schema's UnsupportedMediaType
    assert answer["code"] == "unsupported_media_type"
    assert content_type.split(";")[0] in answer["detail"]
    assert answer["accepted"] == ["application/json"]
    assert (Document.objects.count(), LedgerLine.objects.count()) == (0, 0)


def test_a_form_encoded_sign_in_is_415_not_a_failed_attempt(api_client, clerk):
    """The usual first mistake (`curl -d username=...`): told what to send, and it is no failed
    sign-in towards the lockout."""
    response = api_client.post(
        "/api/v1/auth/token/",
        data=f"username={clerk.username}&password=wrong",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert response.json()["accepted"] == ["application/json"]
    assert not AccessAttempt.objects.exists()
    assert not AuthToken.objects.exists()


def test_a_form_encoded_report_verification_is_415(api_as, auditor):
    response = api_as(auditor).post(
        "/api/v1/reports/verify/",
        data="number=RPT-2026-000001",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert response.json()["accepted"] == ["application/json", "multipart/form-data"]


def test_attachments_sent_as_json_are_415_and_the_inspection_goes_without(
    api_as, clerk, inspector, world, surveillance_policy
):
    lot = world.lot(world.ball, "762-A")
    world.stock(clerk, lot, world.sh1, 100)
    recorded = api_as(inspector).post(
        "/api/v1/inspections/",
        {
            "lot": lot.pk,
            "kind": "periodic",
            "inspected_on": timezone.localdate().isoformat(),
            "sample_size": 12,
            "findings": "Seals intact",
            "condition": "A",
        },
        format="json",
    )
    assert recorded.status_code == 201, recorded.json()
    inspection = recorded.json()["id"]
    response = api_as(inspector).post(
        f"/api/v1/inspections/{inspection}/attachments/",
        {"attachments": ["UEsDBA=="]},
        format="json",
    )
    assert response.status_code == 415
    assert response.json()["accepted"] == ["multipart/form-data"]
    assert not InspectionAttachment.objects.exists()


def test_a_report_number_sent_as_a_form_field_is_verified(api_as, auditor):
    """The multipart body carries the number as well as a PDF (the schema says either)."""
    response = api_as(auditor).post(
        "/api/v1/reports/verify/",
        {"number": f"RPT-{timezone.localdate().year}-999999"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "number" in response.json()
