"""Tables shown on the surplus pages, and their CSV and XLSX exports: one Table object feeds
both, so an export holds exactly the rows and columns the screen shows. The files are written by
core.exports, the one writer that keeps formulas out of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.http import HttpResponse
from django.utils.text import slugify

from core import exports


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


def csv_response(table: Table, stem: str) -> HttpResponse:
    return exports.csv_response(_headers(table), table.rows, filename=f"{_name(table, stem)}.csv")


def xlsx_response(table: Table, stem: str) -> HttpResponse:
    return exports.xlsx_response(
        _headers(table),
        table.rows,
        filename=f"{_name(table, stem)}.xlsx",
        sheet=slugify(str(table.title)) or "table",
    )


def _headers(table: Table) -> list[str]:
    return [str(column.label) for column in table.columns]


def _name(table: Table, stem: str) -> str:
    return f"{stem}-{table.key}"
