"""`Idempotency-Key` for posting endpoints (DESIGN.md §7).

A key is scoped to (user, method, path) and kept at least 24 hours with a hash of the request
body. Same key and body: the original status and body are returned and nothing is posted. Same key,
different body: 409 idempotency_mismatch. A concurrent duplicate waits on the record's row lock
until the first request has finished. Only successful answers are kept: a refused request posted
nothing, so retrying it is safe and may succeed later.
"""

import functools
import hashlib
import json
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.errors import IdempotencyMismatch
from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"

KEEP_FOR = timedelta(hours=48)
# The header as every POST that writes documents it in the schema.
IDEMPOTENCY = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Retrying with the same key and body returns the original answer; "
    "nothing is posted twice.",
)


def _body_hash(data) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotent(handler):
    """Decorate a DRF view method that posts something."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not 1 <= len(key) <= 200:
            raise ValidationError({HEADER: [_("An idempotency key has 1 to 200 characters.")]})
        scope = {"user": request.user, "key": key, "method": request.method, "path": request.path}
        body_hash = _body_hash(request.data)
        with transaction.atomic():
            IdempotencyRecord.objects.bulk_create(
                [IdempotencyRecord(**scope, request_hash=body_hash)], ignore_conflicts=True
            )
            record = IdempotencyRecord.objects.select_for_update().get(**scope)
            if record.request_hash != body_hash:
                raise IdempotencyMismatch(
                    _("This Idempotency-Key was used with a different request body.")
                )
            if record.response_status is not None:
                response = Response(record.response_body, status=record.response_status)
                response["Idempotent-Replayed"] = "true"
                return response
            response = handler(view, request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                record.response_status = response.status_code
                record.response_body = json.loads(json.dumps(response.data, default=str))
                record.save(update_fields=["response_status", "response_body"])
            else:
                transaction.set_rollback(True)
            return response

    return wrapper


def idempotency_purge() -> int:
    """Forget keys older than KEEP_FOR; returns how many."""
    deleted, _rows = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - KEEP_FOR
    ).delete()
    return deleted
