"""What the API views share: reading a body through its serializer, the schema of a POST that
writes, the schema of a list and its details, and the list/retrieve viewset that answers a write
with the object as its list reads it now.

Most writes are declared with core.api_flows (`CreateAct`, `ObjectAct`, `object_post`); a write
that does more keeps its own shape: the role check, `@idempotent`, then `validated(...)`, one
service call and `self._answer(...)`.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from core.drf import LedgerPagination
from core.idempotency import HEADER, IDEMPOTENCY

# The header as the endpoints that act on a case or a check (not post a document) document it.
IDEMPOTENCY_ACTS = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Retrying with the same key and body returns the original answer; "
    "nothing is done twice.",
)


def validated(serializer_class, request, **context):
    """The request body's values as `serializer_class` validates them (400 with the field errors
    otherwise). The serializer sees the request, so scoped fields read in the user's scope."""
    data = serializer_class(data=request.data, context={"request": request, **context})
    data.is_valid(raise_exception=True)
    return data.validated_data


def request_examples(named: dict) -> list[OpenApiExample]:
    """Request bodies the schema shows, by name."""
    return [OpenApiExample(name, value=value, request_only=True) for name, value in named.items()]


def post_schema(
    summary,
    request=None,
    response=None,
    code=status.HTTP_200_OK,
    *,
    idempotency=IDEMPOTENCY,
    examples=None,
    **more,
):
    """The schema of a POST that writes: its body, its one success answer, the Idempotency-Key
    header, request `examples` by name; `more` (description) as extend_schema takes it."""
    if examples is not None:
        more["examples"] = request_examples(examples)
    return extend_schema(
        summary=summary,
        request=request,
        responses={code: response},
        parameters=[idempotency],
        **more,
    )


def act_schema(summary, request=None, response=None, code=status.HTTP_200_OK, **more):
    """`post_schema` for a POST that acts on a case or a check instead of posting a document."""
    return post_schema(summary, request, response, code, idempotency=IDEMPOTENCY_ACTS, **more)


def read_schema(
    list_summary, retrieve_summary, *, list_description=None, retrieve_description=None, **more
):
    """The schema of a list and its details; `more` gives other actions theirs (extend_schema)."""
    return extend_schema_view(
        list=extend_schema(summary=list_summary, description=list_description),
        retrieve=extend_schema(summary=retrieve_summary, description=retrieve_description),
        **more,
    )


# A list and its details by id, read in the user's scope by `get_queryset`. (No docstring: the
# schema would give it as the description of every operation of every subclass.)
class ReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"[0-9]+"

    def answer_queryset(self):
        """Where `_answer` reads the object written (the list's rows unless said otherwise)."""
        return self.get_queryset()

    def _answer(self, obj, code=status.HTTP_200_OK):
        """`obj` as the list reads it after a write, with the status the write answers."""
        row = self.answer_queryset().get(pk=obj.pk)
        serializer = self.get_serializer_class()(row, context=self.get_serializer_context())
        return Response(serializer.data, status=code)


# A list that grows with the ledger: cursor pages, newest first, no COUNT over the whole table.
class LedgerViewSet(ReadViewSet):
    pagination_class = LedgerPagination
