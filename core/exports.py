"""The one writer of CSV and XLSX files: every export and report table goes through it.

Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` as a formula, and tab or
carriage return can smuggle one past a first glance; a failed sign-in named
`=HYPERLINK("http://...")` or a lot number typed by a clerk would otherwise reach an auditor's
spreadsheet live (OWASP "CSV injection"). Text cells starting with one of those characters get
a leading single quote, OWASP's remedy, which spreadsheet programs show as text. Numbers stay
numbers, and so does text that is only a number (a signed quantity such as "-40"). openpyxl
writes any string starting with "=" as a formula, so XLSX cells are neutralised the same way.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def cell(value: Any) -> Any:
    """A value safe to put in a spreadsheet cell: numbers, dates and booleans as they are, None
    as empty, anything else as text, with a quote before text that would start a formula."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    text = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _row(values: Iterable[Any]) -> list[Any]:
    return [cell(value) for value in values]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(headers: Sequence[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The file as CSV lines, one at a time (for exports that stream: the audit log)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(_row(headers))
    for values in rows:
        yield writer.writerow(_row(values))


def csv_bytes(headers: Sequence[Any], rows: Iterable[Iterable[Any]], *, bom: bool = True) -> bytes:
    """The whole file as UTF-8; with the BOM spreadsheet programs need to read it as UTF-8."""
    text = "".join(csv_lines(headers, rows))
    return (("\ufeff" if bom else "") + text).encode()


def xlsx_bytes(headers: Sequence[Any], rows: Iterable[Iterable[Any]], *, sheet: str) -> bytes:
    """The file as a one-sheet workbook (`sheet` at most 31 characters, as Excel requires)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    worksheet = book.create_sheet(title=sheet[:31] or "Sheet")
    worksheet.append(_row(headers))
    for values in rows:
        worksheet.append(_row(values))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_response(
    headers: Sequence[Any], rows: Iterable[Iterable[Any]], *, filename: str, stream: bool = False
):
    """A CSV download; `stream` for exports whose rows are read from the database as they go."""
    if stream:
        response = StreamingHttpResponse(csv_lines(headers, rows), content_type=CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(csv_bytes(headers, rows, bom=False), content_type=CSV_CONTENT_TYPE)
    return _attachment(response, filename)


def xlsx_response(
    headers: Sequence[Any], rows: Iterable[Iterable[Any]], *, filename: str, sheet: str
) -> HttpResponse:
    return _attachment(
        HttpResponse(xlsx_bytes(headers, rows, sheet=sheet), content_type=XLSX_CONTENT_TYPE),
        filename,
    )
