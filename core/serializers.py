"""Strict input: the API refuses what its OpenAPI schema refuses, before DRF would coerce it.

DRF coerces generously ("5" for 5, 5 for "5", "yes" for true); a client that relies on that learns
nothing about the contract, and a fuzzer (rightly) calls it a schema violation.
"""

import re
from collections.abc import Mapping

from django.core.validators import RegexValidator
from rest_framework import serializers

from core.scoping import scope

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _decimal_pattern(field: serializers.DecimalField) -> re.Pattern:
    """The pattern the OpenAPI schema gives a decimal field (drf-spectacular's), unanchored."""
    return re.compile(
        rf"-?[0-9]{{0,{field.max_whole_digits}}}(?:\.[0-9]{{0,{field.decimal_places}}})?"
    )


def _unanchored(pattern: str) -> str:
    return pattern.removeprefix("^").removesuffix("$")


def _json_type_error(field: serializers.Field, value) -> str | None:
    """Why `value` does not have the JSON type the schema documents for `field`, if it does not.

    DRF coerces generously ("5" for 5, 5 for "5", "yes" for true, " D01 " for "D01"); the API
    refuses what its schema refuses, so clients learn the contract instead of relying on luck.
    """
    if isinstance(value, str) and "\x00" in value:
        # PostgreSQL text cannot hold NUL: refused here for every field, slugs and codes
        # included, rather than failing in the database.
        return "Null characters are not allowed."
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "Must be true or false."
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        if isinstance(value, int) and not isinstance(value, bool):
            return None
        return "Must be an integer."
    if isinstance(field, serializers.DecimalField):
        if isinstance(value, str) and _decimal_pattern(field).fullmatch(value):
            return None
        return (
            f"Must be a decimal string with at most {field.max_whole_digits} digits before the "
            f"point and {field.decimal_places} after."
        )
    if isinstance(field, serializers.DateField):
        return None if isinstance(value, str) and _DATE.fullmatch(value) else "Must be YYYY-MM-DD."
    if isinstance(field, serializers.CharField | serializers.ChoiceField):
        if not isinstance(value, str):
            return "Must be a string."
        max_length = getattr(field, "max_length", None)
        if max_length is not None and len(value) > max_length:
            return f"Ensure this field has no more than {max_length} characters."
        patterns = [
            validator
            for validator in field.validators
            if isinstance(validator, RegexValidator) and not validator.inverse_match
        ]
        for validator in patterns:
            if not re.fullmatch(_unanchored(validator.regex.pattern), value):
                return str(validator.message)
    return None


class StrictJSONMixin:
    """Refuse input whose JSON types differ from the schema's, before DRF would coerce them."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or name not in data or data[name] is None:
                    continue
                message = _json_type_error(field, data[name])
                if message is not None:
                    errors[name] = [message]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """The id of an object in the requesting user's read scope.

    An id outside the scope gets the same "does not exist" error as an id that does not exist
    (DESIGN.md §1). The objects in scope are `selector(user=...)` when a selector is given, else
    `queryset` limited by `scope()` through `depot_field`; `queryset` also names the model for the
    schema.
    """

    def __init__(self, *, selector=None, depot_field: str = "depot", **kwargs):
        self.selector = selector
        self.depot_field = depot_field
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.queryset.none()
        if self.selector is None:
            return scope(self.queryset.all(), request.user, depot_field=self.depot_field)
        return self.selector(user=request.user)


def username_field(relation: str, *, null: bool = False, **kwargs) -> serializers.CharField:
    """The username of the user a row names through `relation` (who recorded, approved, ...);
    `null`: the relation may be empty, and is then answered as null."""
    if null:
        kwargs |= {"allow_null": True, "default": None}
    return serializers.CharField(source=f"{relation}.username", **kwargs)


# An answer's shape: every field its Meta lists is read-only, as `read_only_fields = fields` would
# say. (A comment, not a docstring: drf-spectacular would print a base class's docstring as the
# description of every serializer built on it.)
class ReadOnlyModelSerializer(serializers.ModelSerializer):
    def get_extra_kwargs(self):
        extra_kwargs = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra_kwargs[name] = {**extra_kwargs.get(name, {}), "read_only": True}
        return extra_kwargs
