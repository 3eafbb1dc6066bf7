"""REST framework glue: the domain-error handler and the two pagination styles of DESIGN.md §11."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ApplicationError


def exception_handler(exc, context):
    """Map domain errors to 409 {"code", "detail"}; model validation errors to 400."""
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status)
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
    """Ledger-sized lists: cursor pages, no unbounded COUNT; newest first by id."""

    ordering = "-id"
