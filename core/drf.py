"""REST framework glue: the domain-error handler and the two pagination styles of DESIGN.md §11."""

import re

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.dateparse import parse_datetime
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import status
from rest_framework.exceptions import NotFound, UnsupportedMediaType, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ApplicationError


def exception_handler(exc, context):
    """Map domain errors to their status (409, or 429 `rate_limited` with Retry-After) with
    {"code", "detail"}; a body in a media type the operation does not take to 415
    `unsupported_media_type` naming those it does; model validation errors to 400."""
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status, headers=exc.headers)
    if isinstance(exc, UnsupportedMediaType):
        request = context.get("request")
        accepted = [parser.media_type for parser in getattr(request, "parsers", None) or ()]
        body = {"code": "unsupported_media_type", "detail": str(exc.detail), "accepted": accepted}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


class StrictPageSizeMixin:
    """`page_size` must be a positive integer when given (silently ignoring it hides mistakes)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isdigit() and int(raw) >= 1):
            raise ValidationError({self.page_size_query_param: ["A page size is 1 or more."]})
        return min(int(raw), self.max_page_size)


class ReferencePagination(StrictPageSizeMixin, PageNumberPagination):
    """Reference-data lists: pages with a total `count`."""

    def get_page_number(self, request, paginator):
        """A page that is not a positive integer is malformed (400); past the end is 404."""
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        if not (raw.isdigit() and int(raw) >= 1):
            raise ValidationError({self.page_query_param: ["A page number is 1 or more."]})
        return raw


class LedgerPagination(StrictPageSizeMixin, CursorPagination):
    """Ledger-sized lists: cursor pages, no unbounded COUNT; newest first by id.

    A `cursor` that was not handed out is malformed input (400, as the schema documents for
    query parameters), not DRF's 404.
    """

    ordering = "-id"

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise ValidationError({self.cursor_query_param: [str(exc.detail)]}) from exc


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ID = re.compile(r"[0-9]+")


def _query_error(filter_, values: list[str]) -> str | None:
    """Why a filter's raw query values do not have the shape the schema documents, if so.

    The FilterSets are shared with the web UI, whose forms send empty values and accept loose
    dates; the API is held to its schema: one value, of the documented type.
    """
    if len(values) != 1:
        return "Give this parameter once."
    value = values[0]
    if isinstance(filter_, django_filters.BooleanFilter):
        return None if value in ("true", "false") else "Must be true or false."
    if isinstance(filter_, django_filters.DateFilter):
        return None if _DATE.fullmatch(value) else "Must be a date as YYYY-MM-DD."
    if isinstance(filter_, django_filters.IsoDateTimeFilter):
        return None if parse_datetime(value) else "Must be a date-time in ISO 8601."
    if isinstance(filter_, django_filters.ModelChoiceFilter):
        return None if _ID.fullmatch(value) else "Must be an id."
    if isinstance(filter_, django_filters.ChoiceFilter) and value == "":
        return "Must be one of the documented values."
    return None


class StrictFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend that answers 400 to query parameters outside the OpenAPI schema."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            errors = {
                name: [message]
                for name, filter_ in filterset.filters.items()
                if name in request.query_params
                and (message := _query_error(filter_, request.query_params.getlist(name)))
            }
            if errors:
                raise ValidationError(errors)
        return filterset


class ResourceRouter(DefaultRouter):
    """An app's router of /api/v1/ resources (its api/urls.py): routes with their `.json` format
    suffixes, but no root of its own; stockpile.api_urls serves the one root of /api/v1/."""

    include_root_view = False
