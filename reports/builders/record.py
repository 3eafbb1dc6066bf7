"""What the report kinds of one record share (an inspection, a stability test, a stock check):
the record is their one parameter, given by its id."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from reports.kinds import Cleaned, ReportBuilder, record_param


class RecordReport(ReportBuilder):
    """A report of the one record `parameter` names, among those `readable` to the user; the
    request page asks for its id under `label_of_id`. A record held in a depot through another
    (a licence through its storehouse) is read with that depot as `depot_id`, and `depot_of`
    gives the depot itself."""

    parameter: str
    label_of_id: str
    id_required = False

    def readable(self, user) -> QuerySet:
        raise NotImplementedError

    def require_reportable(self, user, record) -> None:
        """Refuse (ValidationError or PermissionDenied) a record not to be reported yet, or not
        to this user."""

    def depot_of(self, record):
        return record.depot

    def clean(self, *, user, parameters) -> Cleaned:
        record = record_param(self.readable(user), user, parameters, self.parameter)
        self.require_reportable(user, record)
        return Cleaned({self.parameter: record.pk}, self.depot_of(record))

    def form_fields(self, user) -> dict:
        field = forms.IntegerField(label=self.label_of_id, min_value=1, required=self.id_required)
        return {self.parameter: field}
