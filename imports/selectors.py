"""Reads of imports: the runs a user may see. Opening balances belong to their depot (read scope,
core.scoping); reference-data imports have no depot and are seen by national readers."""

from django.db.models import QuerySet

from core.scoping import read_depot_ids
from imports.models import ImportRun


def import_list(*, user) -> QuerySet[ImportRun]:
    runs = ImportRun.objects.select_related("depot", "created_by").defer("content")
    ids = read_depot_ids(user)
    if ids is None:
        return runs
    return runs.filter(depot_id__in=ids)
