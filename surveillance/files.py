"""Serving inspection attachments: one response for the web page and the API alike."""

import logging

from django.http import FileResponse, Http404

from surveillance import services
from surveillance.models import InspectionAttachment

logger = logging.getLogger(__name__)


def attachment_response(attachment: InspectionAttachment, request) -> FileResponse:
    """The file as a download with its stored type: never sniffed, never rendered in the page's
    origin, never cached, and the download recorded in the audit log. The caller has checked
    that the reader's scope covers the inspection's depot."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        logger.error("Attachment %s is missing from storage", attachment.pk)
        raise Http404("The file is missing from storage.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    services.attachment_download_record(attachment, request)
    return response
