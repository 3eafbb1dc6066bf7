"""Reading an uploaded spreadsheet (CSV or XLSX) into rows of text, defensively (DESIGN.md §14).

The file is a stranger's: it may be huge, a zip bomb dressed as a workbook, in a legacy encoding,
carry a BOM, or hold formulas. Each problem is an ImportError-like `FileProblem` with a code the
answer names; nothing here touches the database. Rows are numbered from 1 = the first data row.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from core.exports import FORMULA_STARTS

XLSX_MAGIC = b"PK\x03\x04"


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 10 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", 50_000))


@dataclass
class FileProblem(Exception):
    """The file as a whole (or one cell of it) cannot be read: `code`, and where."""

    code: str
    detail: str
    row: int | None = None
    column: str | None = None

    def as_error(self) -> dict:
        return {"row": self.row, "column": self.column, "code": self.code, "detail": self.detail}


@dataclass
class Sheet:
    """The file's header (lower-case column names) and its data rows, as text by column."""

    columns: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)


def _text(value) -> str:
    """A cell as the text a clerk typed: dates as YYYY-MM-DD, whole numbers without ".0", and
    the quote the system's own exports put before a formula-like text (core.exports) removed,
    so an export reads back as it was."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def read_sheet(data: bytes, *, file_name: str = "") -> Sheet:
    """The spreadsheet in `data`: XLSX when it is a zip (whatever its name), else CSV."""
    if not data:
        raise FileProblem("empty_file", _("The file is empty."))
    if len(data) > max_bytes():
        raise FileProblem(
            "file_too_large",
            _("The file is larger than %(mb)s MB: split it into several files.")
            % {"mb": max_bytes() // (1024 * 1024)},
        )
    if data.startswith(XLSX_MAGIC):
        header, rows = _xlsx_rows(data)
    elif file_name.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        raise FileProblem(
            "bad_format", _("This is not an XLSX workbook: save it as .xlsx or as CSV (UTF-8).")
        )
    else:
        header, rows = _csv_rows(data)
    return _sheet(header, rows)


def _sheet(header: list, rows) -> Sheet:
    columns = [_text(name).lower().replace(" ", "_") for name in header]
    while columns and not columns[-1]:
        columns.pop()
    if not any(columns):
        raise FileProblem("empty_file", _("The file has no header row."))
    sheet = Sheet(columns=columns)
    limit = max_rows()
    for number, values in enumerate(rows, start=1):
        texts = [_text(value) for value in values]
        if not any(texts):
            # A blank line is no row of the file (it keeps its number, so the rows after it keep
            # theirs): a spreadsheet formatted down to its millionth line is not refused for it.
            continue
        if len(sheet.rows) >= limit:
            raise FileProblem(
                "too_many_rows",
                _("The file has more than %(rows)s rows: split it into several files.")
                % {"rows": limit},
            )
        extra = [text for text in texts[len(columns) :] if text]
        if extra:
            sheet.problems.append(
                FileProblem(
                    "extra_cells",
                    _("This row has more cells than the header has columns."),
                    row=number,
                )
            )
        row = {name: (texts[i] if i < len(texts) else "") for i, name in enumerate(columns)}
        row["__row__"] = str(number)
        sheet.rows.append(row)
    return sheet


def _csv_rows(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileProblem(
            "bad_encoding",
            _("The file is not UTF-8 text (line %(line)s): save it as “CSV UTF-8” or as XLSX.")
            % {"line": line},
        ) from None
    if "\x00" in text:
        raise FileProblem("bad_format", _("This is not a CSV text file."))
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise FileProblem("empty_file", _("The file is empty.")) from None
    except csv.Error as exc:
        raise FileProblem("bad_format", str(exc)) from None

    def rows():
        try:
            yield from reader
        except csv.Error as exc:
            raise FileProblem(
                "bad_format",
                _("Line %(line)s: %(error)s") % {"line": reader.line_num, "error": exc},
            ) from None

    return header, rows()


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise FileProblem("bad_format", _("This XLSX workbook is damaged.")) from None
    if unpacked > 10 * max_bytes():
        # A zip bomb: a few kilobytes that unpack to gigabytes.
        raise FileProblem("file_too_large", _("This workbook unpacks to too much data."))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of error for a damaged workbook
        raise FileProblem("bad_format", _("This XLSX workbook cannot be read.")) from None
    sheet = book.worksheets[0]
    cells = sheet.iter_rows()
    try:
        header = [cell.value for cell in next(cells)]
    except StopIteration:
        raise FileProblem("empty_file", _("The workbook's first sheet is empty.")) from None

    def rows():
        for number, row in enumerate(cells, start=1):
            values = []
            for index, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f" or (
                    isinstance(cell.value, str) and cell.value.startswith("=")
                ):
                    raise FileProblem(
                        "formula_cell",
                        _(
                            "A formula is not a value: copy the cells and paste them as values, "
                            "then upload again."
                        ),
                        row=number,
                        column=str(header[index]) if index < len(header) else None,
                    )
                values.append(cell.value)
            yield values

    return header, rows()
