"""Tables shown on the surplus pages, and their CSV and XLSX exports: one Table object feeds
both, so an export holds exactly the rows and columns the screen shows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.http import HttpResponse
from django.utils.text import slugify

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Column:
    key: str
    label: str
    numeric: bool = False


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    # Per row, links for some cells: {column key: url}.
    links: list[dict[str, str]] = field(default_factory=list)
    # Per row, buttons shown after the data (not data: never exported).
    actions: list[list[tuple[str, str]]] = field(default_factory=list)
    caption: str = ""
    truncated: bool = False

    def add(
        self,
        values: list,
        links: dict[str, str] | None = None,
        actions: list[tuple[str, str]] | None = None,
    ) -> None:
        # Dates as the screen shows them (ISO), so the files hold the same text.
        self.rows.append([v.isoformat() if isinstance(v, date) else v for v in values])
        self.links.append(links or {})
        self.actions.append(actions or [])

    @property
    def has_actions(self) -> bool:
        return any(self.actions)

    def body(self):
        """Per row: its cells as (value, link, numeric), and its actions; for the template."""
        for values, links, actions in zip(self.rows, self.links, self.actions, strict=True):
            cells = [
                (value, links.get(column.key), column.numeric)
                for value, column in zip(values, self.columns, strict=True)
            ]
            yield cells, actions


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_response(table: Table, stem: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(column.label) for column in table.columns])
    for values in table.rows:
        writer.writerow([_plain(value) for value in values])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_name(table, stem)}.csv"'
    return response


def xlsx_response(table: Table, stem: str) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=slugify(str(table.title))[:31] or "table")
    sheet.append([str(column.label) for column in table.columns])
    for values in table.rows:
        sheet.append([_plain(value) for value in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_name(table, stem)}.xlsx"'
    return response


def _name(table: Table, stem: str) -> str:
    return f"{stem}-{table.key}"
