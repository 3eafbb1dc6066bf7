"""FilterSet pieces the apps' lists share."""

from collections.abc import Callable

import django_filters
from django.db.models import Q


def date_range(
    field_name: str, after_label: str | None = None, before_label: str | None = None
) -> tuple[django_filters.DateFilter, django_filters.DateFilter]:
    """The two filters of a date's range, `…_from` (on or after) and `…_until` (on or before):
    both ends are included, so one day is `from` = `until`."""
    return (
        django_filters.DateFilter(field_name=field_name, lookup_expr="gte", label=after_label),
        django_filters.DateFilter(field_name=field_name, lookup_expr="lte", label=before_label),
    )


class ConditionFilter(django_filters.BooleanFilter):
    """`true`: the rows where `condition()` holds; `false`: the others. The condition is built
    for each query, so it may read today's date."""

    def __init__(self, condition: Callable[[], Q], **kwargs):
        self.condition = condition
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(self.condition()) if value else qs.exclude(self.condition())
