"""Imports of existing records (DESIGN.md §14): opening balances from a depot's paper ledgers and
reference data, from a CSV or XLSX file.

`import_submit` is the one entry for the API and the page: it checks the role and scope
(403/404 as everywhere), the rate limit, the duplicate rule (409 `duplicate_import`), reads and
checks the whole file, and then, clean, posts it here and now, or queues it for Celery when it has
more rows than IMPORT_ASYNC_ROWS, or (the page's preview) keeps it validated for confirmation.
A file with any error writes nothing to the stockpile; nor does a dry run. `import_execute` posts
a queued or confirmed file (the Celery task, and the inline path), all or nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record
from core.errors import ApplicationError
from core.ratelimit import RateScope, rate_limit
from core.roles import Action
from core.scoping import require
from imports.errors import DuplicateImport
from imports.models import REFERENCE_KINDS, TAKEN_STATUSES, ImportKind, ImportRun, ImportStatus
from imports.opening import OpeningRow, error, opening_check
from imports.parsing import FileProblem, Sheet, read_sheet
from imports.reference import reference_apply
from inventory.errors import InvalidState
from inventory.models import Depot
from inventory.services.lots import lots_resolve
from inventory.services.posting import (
    OpeningLine,
    opening_balances_post,
    opening_balances_refusal,
)
from surveillance.services import stability_tests_known_record


@dataclass
class ImportOutcome:
    """What an upload came to: `status` validated, rejected, queued or imported; the run when
    one was recorded (imported, queued, or kept for confirmation)."""

    status: str
    rows: int
    errors: list[dict] = field(default_factory=list)
    run: ImportRun | None = None
    preview: list[dict] = field(default_factory=list)


class _Rejected(Exception):
    """Raised inside the import's transaction to undo it; carries the errors."""

    def __init__(self, errors: list[dict]) -> None:
        super().__init__("rejected")
        self.errors = errors


def max_upload_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 10 * 1024 * 1024))


def async_rows() -> int:
    return int(getattr(settings, "IMPORT_ASYNC_ROWS", 2000))


def _progress_key(run_id: int) -> str:
    return f"imports:progress:{run_id}"


def import_progress(run: ImportRun) -> int:
    """How far a running import is (0-100): kept in the cache while its transaction is open,
    since nothing it writes is visible before it commits."""
    if run.status != ImportStatus.RUNNING:
        return run.progress
    return int(cache.get(_progress_key(run.pk), run.progress))


def _report(run_id: int | None, percent: int) -> None:
    if run_id is not None:
        cache.set(_progress_key(run_id), percent, 24 * 3600)


# The share of the progress bar each phase of a posting takes (percent, from, to): checking
# the rows (reported per chunk of rows), then the lots and one step per storehouse document.
CHECKING = (5, 35)
POSTING = (35, 98)


def _report_between(run_id: int | None, start: int, end: int, done: int, total: int) -> None:
    """Report `done` of `total` steps of a phase spanning `start`..`end` percent."""
    if total:
        _report(run_id, start + (end - start) * min(done, total) // total)


def _require_import_right(user: User, kind: str, depot: Depot | None) -> None:
    if kind not in ImportKind.values:
        raise ValidationError({"kind": [_("Not a kind of import.")]})
    if kind in REFERENCE_KINDS:
        require(user, Action.MANAGE_REFERENCE)
        return
    if depot is None:
        raise ValidationError({"depot": [_("Name the depot the balances belong to.")]})
    require(user, Action.RECORD_MOVEMENT, depot.pk)


def _check_not_taken(*, kind: str, depot: Depot | None, file_sha256: str) -> None:
    taken = (
        ImportRun.objects.filter(
            kind=kind, depot=depot, file_sha256=file_sha256, status__in=TAKEN_STATUSES
        )
        .order_by("id")
        .first()
    )
    if taken is not None:
        raise DuplicateImport(
            _("This file (SHA-256 %(sha)s) was already imported here by %(run)s on %(day)s.")
            % {"sha": file_sha256[:12] + "…", "run": taken.number, "day": taken.created_at.date()},
            file_sha256=file_sha256,
            id=taken.pk,
        )


def _sheet_or_errors(data: bytes, file_name: str) -> tuple[Sheet | None, list[dict]]:
    try:
        return read_sheet(data, file_name=file_name), []
    except FileProblem as problem:
        return None, [problem.as_error()]


def _data_rows(sheet: Sheet | None) -> int:
    if sheet is None:
        return 0
    return sum(1 for row in sheet.rows if any(v for k, v in row.items() if k != "__row__"))


def _preview(sheet: Sheet, errors: list[dict], limit: int = 10_000) -> list[dict]:
    """Every row with its result, for the page: the values and the errors found on it."""
    by_row: dict[int, list[dict]] = {}
    for problem in errors:
        for number in problem.get("rows") or ([problem["row"]] if problem["row"] else []):
            by_row.setdefault(number, []).append(problem)
    rows = []
    for values in sheet.rows[:limit]:
        number = int(values["__row__"])
        rows.append(
            {
                "row": number,
                "cells": [values.get(name, "") for name in sheet.columns],
                "errors": by_row.get(number, []),
            }
        )
    return rows


def import_submit(
    *,
    user: User,
    kind: str,
    depot: Depot | None,
    file_name: str,
    data: bytes,
    reference: str = "",
    dry_run: bool = False,
    keep_for_confirmation: bool = False,
    inline: bool | None = None,
) -> ImportOutcome:
    """Check a file and, unless it is a dry run or has any error, import it (or queue it, or
    keep it for the page's confirmation). Raises PermissionDenied (403), DuplicateImport (409),
    RateLimited (429) or ValidationError (400, a bad kind or missing depot); a file with errors
    is an outcome `rejected`, nothing written."""
    _require_import_right(user, kind, depot)
    if kind in REFERENCE_KINDS:
        depot = None
    rate_limit(user, RateScope.IMPORT)
    file_sha256 = hashlib.sha256(data).hexdigest()
    _check_not_taken(kind=kind, depot=depot, file_sha256=file_sha256)
    sheet, errors = _sheet_or_errors(data, file_name)
    rows = _data_rows(sheet)
    if sheet is not None:
        errors = _check(kind, sheet, depot=depot, user=user)
    preview = _preview(sheet, errors) if sheet is not None and keep_for_confirmation else []
    if errors:
        return ImportOutcome(ImportStatus.REJECTED, rows, errors, preview=preview)
    if dry_run:
        return ImportOutcome(ImportStatus.VALIDATED, rows)
    run = ImportRun(
        kind=kind,
        depot=depot,
        file_name=file_name[:255],
        file_sha256=file_sha256,
        content=data,
        reference=reference.strip()[:120],
        rows=rows,
        created_by=user,
    )
    if keep_for_confirmation:
        run.status = ImportStatus.VALIDATED
        run.save()
        return ImportOutcome(ImportStatus.VALIDATED, rows, run=run, preview=preview)
    if inline is None:
        inline = rows <= async_rows()
    if not inline:
        return _queue(run)
    return _import_now(run)


def import_confirm(*, run: ImportRun, user: User, inline: bool | None = None) -> ImportOutcome:
    """Import a file the page kept after its preview: by the person who uploaded it, once."""
    _require_import_right(user, run.kind, run.depot)
    if run.created_by_id != user.pk:
        raise PermissionDenied(_("Only the person who uploaded the file confirms its import."))
    with transaction.atomic():
        # The run locked, its status read again: two confirmations at once (a double click, two
        # tabs) post the file once; the second waits, then finds it imported (or queued).
        locked = ImportRun.objects.select_for_update().filter(pk=run.pk).first()
        if locked is None or locked.status != ImportStatus.VALIDATED:
            shown = locked or run
            raise InvalidState(
                _("Import %(run)s is %(status)s: it cannot be confirmed.")
                % {"run": shown.number, "status": shown.get_status_display()}
            )
        _check_not_taken(kind=locked.kind, depot=locked.depot, file_sha256=locked.file_sha256)
        if inline is None:
            inline = locked.rows <= async_rows()
        outcome = _import_now(locked) if inline else _queue(locked)
    run.refresh_from_db()
    return outcome


def _queue(run: ImportRun) -> ImportOutcome:
    run.status = ImportStatus.QUEUED
    try:
        with transaction.atomic():
            run.save()
            transaction.on_commit(partial(_enqueue, run.pk))
    except IntegrityError:
        _check_not_taken(kind=run.kind, depot=run.depot, file_sha256=run.file_sha256)
        raise
    return ImportOutcome(ImportStatus.QUEUED, run.rows, run=run)


def _enqueue(run_id: int) -> None:
    from imports.tasks import import_run_task  # here: imports.tasks imports this module

    import_run_task.delay(run_id=run_id)


def _import_now(run: ImportRun) -> ImportOutcome:
    """Post a clean file in this request: the run is written with its documents in the same
    transaction, so a refusal (the stockpile changed since the check) leaves nothing, not even
    the run. A file kept for confirmation is marked rejected, with the errors."""
    try:
        _post(run)
    except _Rejected as rejected:
        if run.pk is not None:
            _record_failure(run, ImportStatus.REJECTED, rejected.errors)
        return ImportOutcome(ImportStatus.REJECTED, run.rows, rejected.errors)
    except IntegrityError:
        _check_not_taken(kind=run.kind, depot=run.depot, file_sha256=run.file_sha256)
        raise
    return ImportOutcome(ImportStatus.IMPORTED, run.rows, run=run)


def _post(run: ImportRun) -> None:
    """Post the run's file and record it imported, in one transaction (raises _Rejected)."""
    with transaction.atomic():
        documents, created = _apply(run, user=run.created_by)
        _finish(run, documents=documents, created=created)


def _finish(run: ImportRun, *, documents: list[int], created: int) -> None:
    run.status = ImportStatus.IMPORTED
    run.documents = documents
    run.created = created
    run.progress = 100
    run.content = None
    run.errors = []
    run.finished_at = timezone.now()
    run.save()
    audit_record(
        action=AuditAction.CREATE,
        actor=run.created_by,
        object_type="imports.importrun",
        object_id=str(run.pk),
        object_repr=f"{run.number} {run.file_name}"[:200],
        changes={
            "kind": [None, run.kind],
            "depot": [None, run.depot.code if run.depot else None],
            "file_sha256": [None, run.file_sha256],
            "rows": [None, run.rows],
            "documents": [None, documents],
        },
        detail=_("Imported %(rows)s rows of %(file)s") % {"rows": run.rows, "file": run.file_name},
    )


def _record_failure(run: ImportRun, status: str, errors: list[dict]) -> None:
    ImportRun.objects.filter(pk=run.pk).update(
        status=status, errors=errors, content=None, finished_at=timezone.now()
    )
    run.status, run.errors = status, errors


def _check(kind: str, sheet: Sheet, *, depot: Depot | None, user: User) -> list[dict]:
    """The errors of a file, writing nothing: opening balances are checked against the
    stockpile; reference rows are created through their services in a transaction that is then
    undone."""
    if kind == ImportKind.OPENING_BALANCES:
        errors = opening_check(sheet, depot=depot)[1]
        return errors + _posting_refusal(depot)
    try:
        with transaction.atomic():
            _created, errors = reference_apply(kind, sheet, user=user)
            raise _Rejected(errors)
    except _Rejected as undone:
        return undone.errors


def _posting_refusal(depot: Depot) -> list[dict]:
    """The refusal the posting would answer whatever the rows (a closed period, a depot frozen
    for a stock check), as an error of the file: a dry run's verdict is the real run's."""
    try:
        opening_balances_refusal(depot=depot)
    except (ApplicationError, ValidationError) as exc:
        return [_refusal_error(exc)]
    return []


def _refusal_error(exc: ApplicationError | ValidationError) -> dict:
    """The posting's refusal, as an error of the whole file (no row, no column)."""
    if isinstance(exc, ValidationError):
        return error(None, None, "invalid", " ".join(exc.messages))
    return error(None, None, **exc.as_dict())


def _apply(run: ImportRun, *, user: User) -> tuple[list[int], int]:
    """Read, check again and post the run's file inside the caller's transaction: the ids of the
    documents posted and the records created. Raises _Rejected with the errors."""
    run_id = run.pk
    _report(run_id, 5)
    sheet, errors = _sheet_or_errors(bytes(run.content), run.file_name)
    if errors:
        raise _Rejected(errors)
    if run.kind in REFERENCE_KINDS:
        created, errors = reference_apply(run.kind, sheet, user=user)
        if errors:
            raise _Rejected(errors)
        return [], created
    rows, errors = opening_check(
        sheet, depot=run.depot, progress=partial(_report_between, run_id, *CHECKING)
    )
    _report(run_id, CHECKING[1])
    if errors:
        raise _Rejected(errors)
    try:
        documents = opening_balances_post(
            depot=run.depot,
            lines=[_opening_line(row) for row in rows],
            posted_by=user,
            file_name=run.file_name,
            file_sha256=run.file_sha256,
            reference=run.reference,
            progress=partial(_report_between, run_id, *POSTING),
        )
        _record_known_tests(rows, depot=run.depot, user=user)
    except (ApplicationError, ValidationError) as exc:
        raise _Rejected([_refusal_error(exc)]) from exc
    _report(run_id, 99)
    return [document.pk for document in documents], len(rows)


def _opening_line(row: OpeningRow) -> OpeningLine:
    return OpeningLine(
        lot=row.existing_lot.pk if row.existing_lot is not None else row.new_lot(),
        storehouse_id=row.storehouse.pk,
        quantity=row.quantity,
        row=row.row,
        note=row.note,
    )


def _record_known_tests(rows: list[OpeningRow], *, depot: Depot, user: User) -> None:
    """The stability tests the file names, recorded on the lots now that they exist."""
    tested = [row for row in rows if row.stability is not None]
    if not tested:
        return

    lots = lots_resolve([row.new_lot() for row in tested])
    stability_tests_known_record(
        depot=depot,
        known=[
            (lot.pk, row.stability[0], row.stability[1])
            for lot, row in zip(lots, tested, strict=True)
        ],
        recorded_by=user,
    )


def import_execute(*, run_id: int) -> ImportRun:
    """Post a queued import (the Celery task): claimed once (queued → running), then all or
    nothing; a refusal leaves the run rejected with its errors, an unexpected error failed."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != ImportStatus.QUEUED:
            return run
        run.status = ImportStatus.RUNNING
        run.save(update_fields=["status"])
    _report(run.pk, 1)
    try:
        _post(run)
    except _Rejected as rejected:
        _record_failure(run, ImportStatus.REJECTED, rejected.errors)
    except (PermissionDenied, ApplicationError) as exc:
        code = getattr(exc, "code", "permission_denied")
        _record_failure(run, ImportStatus.REJECTED, [error(None, None, code, str(exc))])
    except Exception as exc:
        _record_failure(run, ImportStatus.FAILED, [error(None, None, "failed", str(exc)[:500])])
        raise
    finally:
        cache.delete(_progress_key(run.pk))
    return run


def stale_hours() -> int:
    return int(getattr(settings, "IMPORT_STALE_HOURS", 24))


def imports_stale_clear(*, now=None) -> int:
    """Clear the bytes of files checked on the page but not confirmed within IMPORT_STALE_HOURS
    (the nightly job): each run becomes `expired`, its record kept for the audit trail (name,
    SHA-256, rows, who and when), nothing else touched. Returns how many were cleared."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=stale_hours())
    with transaction.atomic():
        runs = list(
            ImportRun.objects.select_for_update(skip_locked=True)
            .filter(status=ImportStatus.VALIDATED, created_at__lt=cutoff)
            .order_by("id")
            .defer("content")
        )
        ImportRun.objects.filter(pk__in=[run.pk for run in runs]).update(
            status=ImportStatus.EXPIRED, content=None, finished_at=now
        )
        for run in runs:
            audit_record(
                action=AuditAction.UPDATE,
                actor=None,
                object_type="imports.importrun",
                object_id=str(run.pk),
                object_repr=f"{run.number} {run.file_name}"[:200],
                changes={"status": [ImportStatus.VALIDATED, ImportStatus.EXPIRED]},
                detail=f"never confirmed within {stale_hours()} h: file content cleared "
                f"(SHA-256 {run.file_sha256} kept)",
            )
    return len(runs)
