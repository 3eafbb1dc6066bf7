from rest_framework import serializers

from core.serializers import ScopedPrimaryKeyRelatedField, username_field
from imports.models import ImportKind, ImportRun
from imports.services import import_progress
from inventory.models import Depot


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The CSV (UTF-8) or XLSX file.")
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    depot = ScopedPrimaryKeyRelatedField(
        queryset=Depot.objects.all(),
        depot_field="pk",
        required=False,
        allow_null=True,
        help_text="The depot the opening balances belong to (not for reference data).",
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="true: check the file and write nothing."
    )
    reference = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default="",
        help_text='The records it comes from, e.g. "Paper ledgers 2015–2026".',
    )  # fmt: skip


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="1 = the first data row.")
    column = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    detail = serializers.CharField()
    rows = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="§4 breaches: every row."
    )


class ImportOutcomeSerializer(serializers.Serializer):
    status = serializers.CharField()
    rows = serializers.IntegerField()
    errors = ImportErrorSerializer(many=True)


class ImportSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    depot = serializers.PrimaryKeyRelatedField(read_only=True)
    depot_code = serializers.CharField(source="depot.code", read_only=True, default=None)
    created_by = username_field("created_by")
    progress = serializers.SerializerMethodField()
    errors = ImportErrorSerializer(many=True, read_only=True)

    class Meta:
        model = ImportRun
        fields = [
            "id", "number", "kind", "depot", "depot_code", "status", "rows", "progress",
            "documents", "created", "errors", "file_name", "file_sha256", "reference",
            "created_by", "created_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_progress(self, run) -> int:
        return import_progress(run)
