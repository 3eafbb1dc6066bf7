"""Long tables as listings: one fixed-pitch line per row, in a one-cell table row.

WeasyPrint's time grows with the boxes it lays out: a five-cell table row costs about five times
a one-cell row (docs/performance.md). Long tables (a statement's movements, its documents, a
stock card) are therefore printed as a ledger listing: each row's fields padded to fixed widths
in a monospaced font, one cell per row, the column heads in a <thead> that repeats on every page.
Text is truncated to its column here (the CSV/XLSX export keeps it whole) and escaped by the
template like any other text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext

GAP = "  "


@dataclass(frozen=True)
class Column:
    title: str  # or a lazy translation
    width: int
    right: bool = False


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int):  # grouped as the report's language groups digits
        return number_format(value, force_grouping=True)
    return str(value)


def _fit(text: str, column: Column) -> str:
    if len(text) > column.width:
        text = text[: column.width - 1] + "…"
    return text.rjust(column.width) if column.right else text.ljust(column.width)


@dataclass(frozen=True)
class Row:
    text: str
    css: str = ""


class Listing:
    def __init__(self, *columns: Column) -> None:
        self.columns = columns

    @property
    def header(self) -> str:
        return GAP.join(_fit(str(column.title), column) for column in self.columns).rstrip()

    def row(self, *values, css: str = "") -> Row:
        cells = [
            _fit(_text(value), column) for value, column in zip(values, self.columns, strict=True)
        ]
        return Row(GAP.join(cells).rstrip(), css)

    def label(self, text: str, value=None, *, css: str = "") -> Row:
        """A row whose text spans every column but the last, which holds `value`."""
        last = self.columns[-1]
        span = sum(column.width for column in self.columns[:-1]) + len(GAP) * (
            len(self.columns) - 1
        )
        head = text[:span].ljust(span)
        return Row((head + _fit(_text(value), last)).rstrip(), css)
