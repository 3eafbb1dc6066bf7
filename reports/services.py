"""Requesting, rendering, retrying and verifying reports (DESIGN.md §10). The web UI, the API and
the Celery task all call these functions."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.languages import language_of
from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_download, audit_record
from core import exports
from core.ratelimit import RateScope, rate_limit
from core.roles import Action
from core.scoping import require
from inventory.errors import InvalidState
from inventory.models import LedgerLine
from reports import kinds, pdf, pdf_probe
from reports.digest import lines_digest, record_digest
from reports.models import ReportCounter, ReportKind, ReportRun, ReportStatus

logger = logging.getLogger(__name__)

NUMBER = pdf_probe.NUMBER


def _setting(name: str, default: int) -> int:
    return getattr(settings, name, default)


# --- Requesting -----------------------------------------------------------------------------------


def _next_number(year: int) -> str:
    ReportCounter.objects.get_or_create(year=year)
    counter = ReportCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"RPT-{year}-{counter.last_number:06d}"


def builder_or_refuse(kind: str) -> kinds.ReportBuilder:
    if kind not in ReportKind.values:
        raise ValidationError({"kind": [_("Not a report kind.")]})
    builder = kinds.builder_for(kind)
    if builder is None:
        raise ValidationError({"kind": [_("This kind of report cannot be produced yet.")]})
    return builder


def report_request(
    *, kind: str, parameters: Any, requested_by: User, inline: bool | None = None
) -> ReportRun:
    """Record a report request (queued) and have it rendered: here and now when it is small
    (`inline` None decides by size), else by the Celery task after commit. Refuses, writing
    nothing, a role that may not request reports (403), bad or out-of-scope parameters (400)."""
    require(requested_by, Action.REQUEST_REPORT)
    builder = builder_or_refuse(kind)
    if not builder.may_read(requested_by):
        raise PermissionDenied(_("Your role does not allow this report."))
    rate_limit(requested_by, RateScope.REPORT_REQUEST)
    if not isinstance(parameters, dict):
        raise ValidationError({"parameters": [_("Give the parameters as an object.")]})
    cleaned = builder.clean(user=requested_by, parameters=parameters)
    with transaction.atomic():
        now = timezone.now()
        run = ReportRun.objects.create(
            number=_next_number(now.year),
            kind=kind,
            parameters=cleaned.parameters,
            depot=cleaned.depot,
            requested_by=requested_by,
            requested_at=now,
            cutoff=now,
            language=language_of(requested_by, translation.get_language()),
        )
        if inline is None:
            inline = _small(builder, run)
        if not inline:
            transaction.on_commit(partial(_enqueue, run.pk))
    if inline:
        return report_render(run_id=run.pk)
    return run


def _small(builder: kinds.ReportBuilder, run: ReportRun) -> bool:
    lines = builder.lines(run)
    if lines is None:
        return True
    limit = _setting("REPORTS_INLINE_LINES", 300)
    return lines.filter(posted_at__lte=run.cutoff)[: limit + 1].count() <= limit


def _enqueue(run_id: int) -> None:
    """Send the render to Celery: to REPORTS_QUEUE when set (a worker of its own keeps long
    renders from delaying the nightly jobs), else to the default queue."""
    from reports.tasks import report_render_task  # here: reports.tasks imports this module

    report_render_task.apply_async(
        kwargs={"run_id": run_id}, queue=getattr(settings, "REPORTS_QUEUE", None) or None
    )


@transaction.atomic
def report_retry(*, run: ReportRun, retried_by: User) -> ReportRun:
    """Queue a failed report again, or one left running longer than REPORTS_STALE_MINUTES (its
    worker died: it is marked failed, then queued). 409 invalid_state for any other status."""
    require(retried_by, Action.REQUEST_REPORT, run.depot_id)
    rate_limit(retried_by, RateScope.REPORT_REQUEST)
    stale = timezone.now() - timedelta(minutes=_setting("REPORTS_STALE_MINUTES", 30))
    ReportRun.objects.filter(pk=run.pk, status=ReportStatus.RUNNING, started_at__lt=stale).update(
        status=ReportStatus.FAILED,
        finished_at=timezone.now(),
        error="Abandoned: still running after REPORTS_STALE_MINUTES (its worker stopped).",
    )
    moved = ReportRun.objects.filter(pk=run.pk, status=ReportStatus.FAILED).update(
        status=ReportStatus.QUEUED, progress=0
    )
    if not moved:
        raise InvalidState(
            _("Report %(number)s is %(status)s: only a failed report is retried.")
            % {"number": run.number, "status": run.get_status_display()}
        )
    transaction.on_commit(partial(_enqueue, run.pk))
    return ReportRun.objects.get(pk=run.pk)


# --- Rendering ------------------------------------------------------------------------------------


def _progress(run_id: int, value: int) -> None:
    """Committed at once (no transaction is open while rendering), so pollers see it."""
    ReportRun.objects.filter(pk=run_id, status=ReportStatus.RUNNING).update(
        progress=max(0, min(99, value))
    )


def covered_lines(builder: kinds.ReportBuilder, run: ReportRun) -> QuerySet[LedgerLine] | None:
    lines = builder.lines(run)
    return None if lines is None else lines.filter(posted_at__lte=run.cutoff)


def part_rows(total: int) -> int:
    """Rows per part: one part up to REPORTS_PART_ROWS (4,000); beyond, parts of equal weight,
    a whole number of them per render process, none above REPORTS_PART_ROWS. Each part costs
    WeasyPrint a fixed start (styles, fonts), and an uneven last round leaves a CPU idle."""
    most = max(1, _setting("REPORTS_PART_ROWS", 4000))
    if total <= most:
        return most
    processes = pdf.render_processes()
    rounds = math.ceil(total / (processes * most))
    return math.ceil(total / (processes * rounds))


def split_blocks(blocks: list[kinds.Block], weight: int) -> list[list[kinds.Block]]:
    """Consecutive blocks in parts of about `weight` rows (a block is never cut)."""
    parts: list[list[kinds.Block]] = [[]]
    rows = 0
    for block in blocks:
        if parts[-1] and rows + block.rows > weight:
            parts.append([])
            rows = 0
        parts[-1].append(block)
        rows += block.rows
    return parts


def render_html(
    run: ReportRun, builder: kinds.ReportBuilder, content: kinds.Content, parts: list[list]
) -> list[str]:
    common = {
        "run": run,
        "builder": builder,
        "content": content,
        "classification_marking": settings.CLASSIFICATION_MARKING,
        "generated_at": timezone.localtime(run.started_at or timezone.now()),
        "page_size": builder.page_size,
        "page_margins": pdf.PAGE_MARGINS,
        "stylesheet": pdf.stylesheet_url(),
    }
    return [
        render_to_string(
            "reports/pdf/document.html",
            {**common, "blocks": blocks, "first": index == 0, "last": index == len(parts) - 1},
        )
        for index, blocks in enumerate(parts)
    ]


def table_files(table: kinds.Table) -> tuple[bytes, bytes]:
    """The CSV (UTF-8 with BOM, for spreadsheet programs) and XLSX of a report's table, written
    by core.exports (formula-like text arrives as text)."""
    return (
        exports.csv_bytes(table.headers, table.rows, bom=True),
        exports.xlsx_bytes(table.headers, table.rows, sheet="Report"),
    )


def report_render(*, run_id: int) -> ReportRun:
    """Render a queued report: claim it (queued → running), compute its digests over what it
    covers, render and number the PDF, store the files, and end done; any error ends it failed
    with the error kept (it may be retried). A run that is not queued is left alone, so the task
    is safe to run twice."""
    started = timezone.now()
    claimed = ReportRun.objects.filter(pk=run_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING,
        started_at=started,
        finished_at=None,
        progress=0,
        error="",
    )
    run = ReportRun.objects.select_related("depot", "requested_by").get(pk=run_id)
    if not claimed:
        return run
    ReportRun.objects.filter(pk=run_id).update(attempts=run.attempts + 1)
    try:
        with translation.override(run.language or settings.LANGUAGE_CODE):
            values = _render(run)
    except Exception as exc:
        logger.exception("Report %s failed to render", run.number)
        ReportRun.objects.filter(pk=run_id, status=ReportStatus.RUNNING).update(
            status=ReportStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:4000],
        )
    else:
        ReportRun.objects.filter(pk=run_id, status=ReportStatus.RUNNING).update(
            status=ReportStatus.DONE, progress=100, finished_at=timezone.now(), **values
        )
    return ReportRun.objects.select_related("depot", "requested_by").get(pk=run_id)


def _render(run: ReportRun) -> dict:
    clock = _Clock()
    builder = builder_or_refuse(run.kind)
    lines = covered_lines(builder, run)
    values: dict[str, Any] = {"ledger_digest": "", "record_digest": "", "line_count": None}
    if lines is not None:
        digest = lines_digest(lines)
        values.update(ledger_digest=digest.digest, line_count=digest.line_count)
    records = builder.records(run)
    if records is not None:
        values["record_digest"] = record_digest(records)
    for name, value in values.items():
        setattr(run, name, value)
    clock.lap("digest")
    _progress(run.pk, 5)
    content = builder.content(run, lines)
    clock.lap("query")
    _progress(run.pk, 10)
    parts = split_blocks(content.blocks, part_rows(sum(block.rows for block in content.blocks)))
    htmls = render_html(run, builder, content, parts)
    clock.lap("html")
    _progress(run.pk, 15)
    pdfs = pdf.render_parts(
        htmls, on_progress=lambda done, total: _progress(run.pk, 15 + 75 * done // total)
    )
    clock.lap("pdf")
    assembled = pdf.assemble(
        pdfs,
        page_size=builder.page_size,
        metadata={
            "/Title": f"{run.number} {content.title}",
            "/Subject": f"Stockpile report {run.number}",
            "/Author": run.requested_by.get_username(),
            "/Creator": "Stockpile",
            "/StockpileReport": run.number,
            "/StockpileDigest": run.digest,
        },
    )
    clock.lap("merge_and_number")
    _progress(run.pk, 95)
    run.file.save(f"{run.number}.pdf", ContentFile(assembled.pdf), save=False)
    values.update(
        file=run.file.name,
        pdf_sha256=hashlib.sha256(assembled.pdf).hexdigest(),
        page_count=assembled.page_count,
    )
    if content.table is not None:
        csv_bytes, xlsx_bytes = table_files(content.table)
        run.csv_file.save(f"{run.number}.csv", ContentFile(csv_bytes), save=False)
        run.xlsx_file.save(f"{run.number}.xlsx", ContentFile(xlsx_bytes), save=False)
        values.update(csv_file=run.csv_file.name, xlsx_file=run.xlsx_file.name)
    clock.lap("files")
    values.update(parts=len(parts), timings=clock.laps)
    return values


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.last, 2)
        self.last = now


# --- Verification ---------------------------------------------------------------------------------


@dataclass
class Verification:
    number: str
    matches: bool
    detail: str
    run: ReportRun | None = None
    pdf_matches: bool | None = None
    ledger_matches: bool | None = None
    record_matches: bool | None = None
    later_lines: int = 0
    later_documents: list[str] = field(default_factory=list)


def _number_of_upload(pdf_data: bytes, runs: QuerySet[ReportRun]) -> str:
    """Hash first: a file the system made is found by its SHA-256 without being parsed. Any other
    upload is read (for the number it claims) outside the web process, capped (pdf_probe)."""
    digest = hashlib.sha256(pdf_data).hexdigest()
    known = runs.filter(pdf_sha256=digest).values_list("number", flat=True).first()
    if known:
        return known
    try:
        number = pdf_probe.number_in_pdf(
            pdf_data,
            max_bytes=settings.REPORT_VERIFY_PARSE_MAX_BYTES,
            timeout=settings.REPORT_VERIFY_PARSE_SECONDS,
        )
    except pdf_probe.ProbeFailed as failure:
        raise ValidationError(
            {
                "file": [
                    _(
                        "This PDF is not a file the system produced, and it could not be read "
                        "(%(why)s). Give its report number instead."
                    )
                    % {"why": failure}
                ]
            }
        ) from None
    if number is None:
        raise ValidationError({"file": [_("This PDF carries no Stockpile report number.")]})
    return number


def report_verify(
    *,
    user: User,
    runs: QuerySet[ReportRun],
    number: str | None = None,
    pdf_data: bytes | None = None,
) -> Verification:
    """Does the ledger still match what report `number` (or the uploaded PDF) showed?

    `runs` are the reports the user may read. The lines the report covered must hash to its
    digest again (else they were altered), no line dated in its period may have been posted
    after its cut-off (else the ledger changed since, e.g. a reversal), the records it showed
    must hash the same, and an uploaded PDF must be, byte for byte, the file the system made.
    Limited per user (core.ratelimit: verifications)."""
    rate_limit(user, RateScope.VERIFICATION)
    if pdf_data is not None:
        number = _number_of_upload(pdf_data, runs)
    if not number or not NUMBER.fullmatch(number.strip()):
        raise ValidationError({"number": [_("Give a report number such as RPT-2026-000123.")]})
    number = number.strip()
    run = runs.filter(number=number).first()
    if run is None:
        raise ValidationError(
            {"number": [_("No report with this number among those you may read.")]}
        )
    audit_record(
        action=AuditAction.VERIFY,
        actor=user,
        object_type="reports.reportrun",
        object_id=str(run.pk),
        object_repr=run.number,
        detail="report verification" + (" (PDF uploaded)" if pdf_data is not None else ""),
    )
    if run.status != ReportStatus.DONE:
        return Verification(
            number,
            False,
            _("Report %(number)s is %(status)s: there is nothing to verify yet.")
            % {"number": number, "status": run.get_status_display()},
            run,
        )
    result = Verification(number=number, matches=True, detail="", run=run)
    problems = []
    if pdf_data is not None:
        result.pdf_matches = hashlib.sha256(pdf_data).hexdigest() == run.pdf_sha256
        if not result.pdf_matches:
            problems.append(_("The PDF is not the file the system produced: it was altered."))
    builder = builder_or_refuse(run.kind)
    lines = covered_lines(builder, run)
    if lines is not None:
        again = lines_digest(lines)
        result.ledger_matches = again.digest == run.ledger_digest
        if not result.ledger_matches:
            problems.append(
                _(
                    "The ledger lines the report covered no longer hash to its digest "
                    "(%(now)d lines now, %(then)d then): the ledger was altered."
                )
                % {"now": again.line_count, "then": run.line_count or 0}
            )
        later = builder.lines(run).filter(posted_at__gt=run.cutoff)
        result.later_lines = later.count()
        if result.later_lines:
            result.later_documents = list(
                later.order_by("document_id")
                .values_list("document__number", flat=True)
                .distinct()[:10]
            )
            problems.append(
                _(
                    "%(count)d ledger lines within the report's content were posted after its "
                    "cut-off (documents %(documents)s): the ledger has changed since the report."
                )
                % {"count": result.later_lines, "documents": ", ".join(result.later_documents)}
            )
    records = builder.records(run)
    if run.record_digest:
        result.record_matches = records is not None and record_digest(records) == run.record_digest
        if not result.record_matches:
            problems.append(_("The records the report showed have changed since."))
    result.matches = not problems
    result.detail = (
        " ".join(problems)
        if problems
        else _("The ledger still matches report %(number)s (digest %(digest)s).")
        % {"number": number, "digest": run.digest}
    )
    return result


# --- Downloads ------------------------------------------------------------------------------------


def report_download_record(run: ReportRun, request, file_format: str) -> None:
    """Every download of a report is in the audit log (who took which file, from where)."""
    audit_download(request, run, name=run.number, detail=f"{run.kind} {file_format}")
