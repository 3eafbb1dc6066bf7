"""Serving a report's files: one response for the web page and the API alike."""

import logging

from django.http import FileResponse, Http404

from reports import services
from reports.models import ReportRun

logger = logging.getLogger(__name__)

FORMATS = {
    "pdf": ("file", "application/pdf"),
    "csv": ("csv_file", "text/csv; charset=utf-8"),
    "xlsx": ("xlsx_file", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def report_file(run: ReportRun, file_format: str):
    """The stored file of `run` in `file_format`, or None when the report has none."""
    field, _content_type = FORMATS[file_format]
    stored = getattr(run, field)
    return stored if stored else None


def report_file_response(run: ReportRun, request, file_format: str) -> FileResponse:
    """The file as a download: never sniffed, never rendered in the page's origin, never
    cached, and the download recorded in the audit log. The caller has checked that the
    report is done and that the reader may read it."""
    stored = report_file(run, file_format)
    if stored is None:
        raise Http404("This report has no file in that format.")
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        logger.error("Report %s: its %s file is missing from storage", run.number, file_format)
        raise Http404("The file is missing from storage.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{run.number}.{file_format}",
        content_type=FORMATS[file_format][1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    services.report_download_record(run, request, file_format)
    return response
