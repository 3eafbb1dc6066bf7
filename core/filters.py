"""FilterSet pieces the apps' lists share."""

import django_filters


def date_range(
    field_name: str, after_label: str | None = None, before_label: str | None = None
) -> tuple[django_filters.DateFilter, django_filters.DateFilter]:
    """The two filters of a date's range, `…_from` (on or after) and `…_until` (on or before):
    both ends are included, so one day is `from` = `until`."""
    return (
        django_filters.DateFilter(field_name=field_name, lookup_expr="gte", label=after_label),
        django_filters.DateFilter(field_name=field_name, lookup_expr="lte", label=before_label),
    )
