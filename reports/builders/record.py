"""What the report kinds of one record share (an inspection, a stability test, a stock check):
the record is their one parameter, given by its id."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from reports.kinds import Cleaned, ReportBuilder, record_param


class RecordReport(ReportBuilder):
    """A report of the one record `parameter` names, among those `readable` to the user; the
    request page asks for its id under `label_of_id`."""

    parameter: str
    label_of_id: str

    def readable(self, user) -> QuerySet:
        raise NotImplementedError

    def require_reportable(self, user, record) -> None:
        """Refuse (ValidationError or PermissionDenied) a record not to be reported yet, or not
        to this user."""

    def clean(self, *, user, parameters) -> Cleaned:
        record = record_param(self.readable(user), user, parameters, self.parameter)
        self.require_reportable(user, record)
        return Cleaned({self.parameter: record.pk}, record.depot)

    def form_fields(self, user) -> dict:
        field = forms.IntegerField(label=self.label_of_id, min_value=1, required=False)
        return {self.parameter: field}
