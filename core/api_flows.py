"""The flows most API writes and pages repeat, each in one place.

A POST that creates, or that acts on one object (`{id}/<action>/`), goes the same way every time:
the role check (403), the object read in the user's scope (404), the body validated (400), one
service called with the user under the name that service gives them, and the object answered as
the list reads it now. `CreateAct` and `ObjectAct` are declared as the viewset's attribute of that
name and say only what differs; a write that does more keeps a method of its own (core.api).
"""

from django.core.exceptions import ImproperlyConfigured
from rest_framework import status
from rest_framework.decorators import action

from core.api import act_schema, validated
from core.idempotency import idempotent


def paginated(view, rows, serializer_class, **context):
    """A page of `rows` in the view's pagination, each row answered by `serializer_class`."""
    page = view.paginate_queryset(rows)
    serializer = serializer_class(page, many=True, context=context)
    return view.get_paginated_response(serializer.data)


def object_post(*document, schema=None, route=None, **more):
    """What an idempotent `POST {id}/<name>/` is decorated with, in this order: its schema
    (`document`: summary, request, response, code, as `schema` takes them with `more`; act_schema
    unless said), its route (`route`: more @action arguments) and @idempotent."""

    def decorate(method):
        routed = action(detail=True, methods=["post"], **(route or {}))(idempotent(method))
        return (schema or act_schema)(*document, **more)(routed)

    return decorate


class _Declared:
    """A viewset attribute that puts the view method it declares in its place, with its schema
    (act_schema unless `schema` says otherwise, given `more`) and @idempotent. `check(user)` is
    the role check (403); the answer is the viewset's serializer_class."""

    code = status.HTTP_200_OK

    def __init__(self, summary, body, service, *, actor, check, schema, more):
        self.summary, self.body, self.service = summary, body, service
        self.actor, self.check, self.schema, self.more = actor, check, schema or act_schema, more

    def __set_name__(self, owner, name):
        def method(view, request, *args, **kwargs):
            return self.handler(view, request, *args, **kwargs)

        method.__name__ = name  # DRF routes an action by the name of its method
        method.__qualname__ = f"{owner.__qualname__}.{name}"
        setattr(owner, name, self.decorate(method, owner.serializer_class))

    def decorate(self, method, answer):
        document = self.schema(self.summary, self.body, answer, self.code, **self.more)
        return document(idempotent(method))

    def values(self, request) -> dict:
        """The role checked, then the body as its serializer validates it (none: no body)."""
        if self.check is not None:
            self.check(request.user)
        return validated(self.body, request) if self.body is not None else {}


class CreateAct(_Declared):
    """`create`: the role, the body, `service(**values, <actor>=user)`, and the new object as the
    list reads it (201)."""

    code = status.HTTP_201_CREATED

    def __init__(self, summary, body, service, *, actor, check=None, schema=None, **more):
        super().__init__(summary, body, service, actor=actor, check=check, schema=schema, more=more)

    def handler(self, view, request):
        values = self.values(request)
        created = self.service(**values, **{self.actor: request.user})
        return view._answer(created, self.code)


class ObjectAct(_Declared):
    """`POST {id}/<name>/`: the object read in scope (404), the role, the body (if any), then
    `service(<subject>=object, <actor>=user, **values)`, and the object as the list reads it now.
    The viewset's `act_subject` names the object to its services; `route` as in object_post."""

    def __init__(
        self, summary, service, *, actor, body=None, check=None, schema=None, route=None, **more
    ):
        super().__init__(summary, body, service, actor=actor, check=check, schema=schema, more=more)
        self.route = route

    def __set_name__(self, owner, name):
        if not getattr(owner, "act_subject", None):
            raise ImproperlyConfigured(f"{owner.__name__}.{name}: the viewset names no act_subject")
        super().__set_name__(owner, name)

    def handler(self, view, request, pk=None):
        subject = view.get_object()
        values = self.values(request)
        self.service(**{view.act_subject: subject, self.actor: request.user}, **values)
        return view._answer(subject)

    def decorate(self, method, answer):
        post = object_post(
            self.summary, self.body, answer, schema=self.schema, route=self.route, **self.more
        )
        return post(method)
