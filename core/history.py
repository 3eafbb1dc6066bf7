"""Saves that name their author on the row's history (django-simple-history), whether or not a
request is running: services record who made each change, the middleware only knows requests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.db.models import Model

_Row = TypeVar("_Row", bound=Model)


def history_save(instance: _Row, *, by, update_fields: Iterable[str] | None = None) -> _Row:
    """Save `instance` (only `update_fields`, if given) with `by` as the author of its history
    row, and return it."""
    instance._history_user = by
    instance.save(update_fields=update_fields)
    return instance
