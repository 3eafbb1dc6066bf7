"""Shapes of the reports API (DESIGN.md §11): request, status, verification."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import ReadOnlyModelSerializer, StrictJSONMixin, username_field
from reports.files import FORMATS, report_file
from reports.models import ReportKind, ReportRun, ReportStatus
from reports.pdf_probe import NUMBER


class ReportRequestSerializer(StrictJSONMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    parameters = serializers.DictField(
        help_text="accounting_statement: {depot, period_start, period_end}; stock_card: {lot, "
        "depot (optional for national readers), storehouse (optional)}; inspection: "
        "{inspection}; stability_certificate: {stability_test}; stock_check: {stock_check}; "
        "storehouse_book: {storehouse, date_from, date_to}."
    )


class ReportSerializer(ReadOnlyModelSerializer):
    depot_code = serializers.CharField(source="depot.code", allow_null=True, default=None)
    requested_by = username_field("requested_by")
    digest = serializers.CharField(
        help_text="The SHA-256 printed on the report: of its ledger lines, else of its records."
    )
    downloads = serializers.SerializerMethodField(
        help_text="Paths of the files by format (pdf, csv, xlsx) once the report is done."
    )

    class Meta:
        model = ReportRun
        fields = [
            "id", "number", "kind", "parameters", "depot", "depot_code", "status", "progress",
            "digest", "ledger_digest", "record_digest", "pdf_sha256", "line_count", "page_count",
            "cutoff", "requested_by", "requested_at", "started_at", "finished_at", "attempts",
            "error", "timings", "downloads",
        ]  # fmt: skip

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_downloads(self, run) -> dict:
        if run.status != ReportStatus.DONE:
            return {}
        path = reverse("report-download", args=[run.pk])
        return {
            file_format: f"{path}?format={file_format}"
            for file_format in FORMATS
            if report_file(run, file_format) is not None
        }


def _report_number(**kwargs) -> serializers.RegexField:
    return serializers.RegexField(
        f"^{NUMBER.pattern}$", help_text="The number printed on the report.", **kwargs
    )


class ReportVerifyByNumberSerializer(serializers.Serializer):
    """The JSON body of `reports/verify/`: the report's number."""

    number = _report_number()


class ReportVerifyUploadSerializer(serializers.Serializer):
    """The multipart body of `reports/verify/` (the PDF, or the number as a form field), and
    what the view reads from either body: one of the two, not both."""

    number = _report_number(required=False)
    file = serializers.FileField(required=False, help_text="The PDF the system made.")

    def validate(self, attrs):
        if ("number" in attrs) == ("file" in attrs):
            raise serializers.ValidationError("Give either the report's number or its PDF.")
        return attrs


class ReportVerificationSerializer(serializers.Serializer):
    number = serializers.CharField()
    matches = serializers.BooleanField(
        help_text="True when the ledger (and the PDF, if sent) still match what the report showed."
    )
    detail = serializers.CharField()
    report = serializers.IntegerField(source="run.pk", allow_null=True, default=None)
    pdf_matches = serializers.BooleanField(allow_null=True)
    ledger_matches = serializers.BooleanField(allow_null=True)
    record_matches = serializers.BooleanField(allow_null=True)
    later_lines = serializers.IntegerField(
        help_text="Lines within the report's content posted after its cut-off."
    )
    later_documents = serializers.ListField(child=serializers.CharField())
