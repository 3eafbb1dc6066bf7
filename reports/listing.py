"""Long tables as listings: one fixed-pitch line per row, in a one-cell table row.

WeasyPrint's time grows with the boxes it lays out: a five-cell table row costs about five times
a one-cell row (docs/performance.md). Long tables (a statement's movements, its documents, a
stock card) are therefore printed as a ledger listing: each row's fields padded to fixed widths
in a monospaced font, one cell per row, the column heads in a <thead> that repeats on every page.
Text is truncated to its column here (the CSV/XLSX export keeps it whole) and escaped by the
template like any other text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

GAP = "  "
# Row styles that change only the weight or slant of a line (the same monospaced advance, the
# same height): such rows run on inside the cell of the rows around them. Any other style (a
# group heading's space above it) keeps a table row of its own.
INLINE_CSS = frozenset({"", "balance", "subtotal", "variance"})


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


def body_html(rows: Iterable[Row]) -> SafeString:
    """A listing's <tbody> rows as HTML, joined in Python (no template loop).

    Consecutive rows of an INLINE_CSS style share one cell, one line each (white-space: pre,
    with the line height of a one-row cell: `table.listing td.lines` in reports-pdf.css), so
    WeasyPrint lays out one box per run of lines instead of a table row per line. It still breaks
    the cell between any two lines and repeats the column heads on each page, so the pages and
    their text are those of one row per line (tests/reports/test_listing_layout.py)."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append('<tr><td class="lines">' + "\n".join(run) + "</td></tr>\n")
            run.clear()

    for row in rows:
        text = escape(row.text, quote=False)
        if row.css in INLINE_CSS:
            run.append(f'<span class="{row.css}">{text}</span>' if row.css else text)
        else:
            flush()
            out.append(f'<tr class="{escape(row.css)}"><td>{text}</td></tr>\n')
    flush()
    return mark_safe("".join(out))  # noqa: S308 (every text escaped above)
