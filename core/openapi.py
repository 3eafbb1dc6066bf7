"""OpenAPI: document the error responses every operation can give (DESIGN.md §11), and file
downloads in a form client generators understand.

drf-spectacular documents only success responses; clients and the schemathesis fuzz test rely on
the schema naming every status an endpoint may return, with its body shape.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
DOMAIN_ERROR = {
    "type": "object",
    "description": "The request is well-formed but the current state forbids it; nothing was "
    "written. `code` is one of the codes listed in the API documentation.",
    "properties": {"code": {"type": "string"}, "detail": {"type": "string"}},
    "required": ["code", "detail"],
}
UNSUPPORTED_MEDIA_TYPE = {
    "type": "object",
    "description": "The body is in a media type the operation does not take (its Content-Type); "
    "nothing was written. `accepted` lists the media types it takes.",
    "properties": {
        "code": {"type": "string", "enum": ["unsupported_media_type"]},
        "detail": {"type": "string"},
        "accepted": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["code", "detail", "accepted"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": "Field errors: field name -> list of messages (non_field_errors for the whole).",
    "additionalProperties": True,
}


def _response(description: str, ref: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: add 400/401/403/404/409/415/429 responses where they can occur."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("DomainError", DOMAIN_ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    schemas.setdefault("UnsupportedMediaType", UNSUPPORTED_MEDIA_TYPE)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            anonymous = not operation.get("security") or {} in operation.get("security", [])
            if not anonymous:
                responses.setdefault("401", _response("Not signed in", "Error"))
            responses.setdefault("403", _response("Role or depot scope forbids this", "Error"))
            parameters = {parameter.get("name") for parameter in operation.get("parameters", [])}
            if "{" in path or "page" in parameters:
                responses.setdefault("404", _response("Not found in your scope", "Error"))
            if method in {"post", "put", "patch"} or operation.get("parameters"):
                responses.setdefault("400", _response("Malformed input", "ValidationError"))
            if method in {"post", "put", "patch", "delete"}:
                responses.setdefault("409", _response("Refused by a rule", "DomainError"))
            if "requestBody" in operation:
                responses.setdefault(
                    "415",
                    _response(
                        "A body in a media type the operation does not take",
                        "UnsupportedMediaType",
                    ),
                )
            responses.setdefault("429", _response("Too many requests", "Error"))
    return result


def file_download(description: str, *media_types: str) -> dict:
    """`responses` for an endpoint answering a file: one 200 whose content lists
    `application/octet-stream` first, then the real media types its Content-Type header names.

    Generators pick the first media type they know: octet-stream makes them hand back the bytes
    (openapi-python-client warns on `application/pdf` or `image/png` alone and omits the
    response; with `text/csv` first it would decode a PDF as text).
    """
    media = ("application/octet-stream", *media_types)
    return {(200, *media): OpenApiResponse(OpenApiTypes.BINARY, description=description)}


def refused(description: str) -> dict:
    """A 409 for an operation the error hook gives none (a GET that a state can refuse)."""
    schema = {"$ref": "#/components/schemas/DomainError"}
    return {(409, "application/json"): OpenApiResponse(schema, description=description)}
