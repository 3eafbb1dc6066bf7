"""Listings joined in Python, runs of lines in one cell (reports.listing.body_html), paginate and
read exactly as one table row per line did: same pages, same text on each page."""

import io
import re

import pytest
from django.template import engines
from django.utils.html import escape
from pypdf import PdfReader

from reports import pdf
from reports.builders.ledger import DOCUMENTS, MOVEMENTS
from reports.listing import body_html

# The listing template before body_html: one table row per listing row.
ROW_PER_LINE = (
    '<table class="listing"><thead><tr><th>{{ listing.header }}</th></tr></thead><tbody>'
    '{% for row in rows %}<tr{% if row.css %} class="{{ row.css }}"{% endif %}>'
    "<td>{{ row.text }}</td></tr>\n{% endfor %}</tbody></table>"
)


def lots(count: int) -> list[tuple[str, list]]:
    """Statement-like sections of different lengths, with every row style a statement uses."""
    sections = []
    for lot in range(count):
        rows = [MOVEMENTS.label("Opening balance", 1000 + lot, css="balance")]
        for group in range(1 + lot % 3):
            rows.append(MOVEMENTS.label(f"Kind {group} <&>", css="group"))
            rows.extend(
                MOVEMENTS.row(f"DA-2026-{lot:03d}{n:03d}", "2026-03-01", "SH1", "Unit & Co", -n)
                for n in range(3 + (lot * 7 + group) % 17)
            )
            rows.append(MOVEMENTS.label(f"Total kind {group}", -5, css="subtotal"))
        rows.append(MOVEMENTS.label("Closing balance", 995, css="balance"))
        sections.append((f"LOT-{lot:03d}", rows))
    return sections


def document(body) -> str:
    sections = "".join(
        f'<div class="lot"><h3>Lot {name} <span>Cartridge</span></h3>{body(MOVEMENTS, rows)}</div>'
        for name, rows in lots(40)
    )
    documents = [
        DOCUMENTS.row(f"DA-2026-{n:06d}", "Issue", "2026-03-01", "2026-03-01 10:00", "clerk",
                      "Unit <B> · REF", 2)
        for n in range(300)
    ]  # fmt: skip
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f'<link rel="stylesheet" href="{pdf.stylesheet_url()}">'
        f"<style>@page {{ size: A4 landscape; margin: {pdf.PAGE_MARGINS}; }}</style></head><body>"
        f"<h1>Statement</h1>{sections}<h2>Documents</h2>{body(DOCUMENTS, documents)}"
        "</body></html>"
    )


def per_line(listing, rows) -> str:
    template = engines["django"].from_string(ROW_PER_LINE)
    return template.render({"listing": listing, "rows": rows})


def joined(listing, rows) -> str:
    return (
        f'<table class="listing"><thead><tr><th>{escape(listing.header)}</th></tr></thead>'
        f"<tbody>{body_html(rows)}</tbody></table>"
    )


def pages(html: str) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf.html_to_pdf(html)))
    return [re.sub(r"\s+", " ", page.extract_text()).strip() for page in reader.pages]


def test_joined_listings_have_the_pages_and_text_of_one_row_per_line():
    before, after = pages(document(per_line)), pages(document(joined))
    assert len(before) > 10
    assert len(after) == len(before)
    for number, (old, new) in enumerate(zip(before, after, strict=True), start=1):
        assert new == old, f"page {number} differs"


def test_the_body_escapes_text_and_keeps_row_styles():
    rows = [
        MOVEMENTS.label("Opening <b>", 5, css="balance"),
        MOVEMENTS.label("Receipt", css="group"),
        MOVEMENTS.row("N<1>", "2026-01-01", "SH1", "A & B", 3),
        MOVEMENTS.label("Total", 3, css="subtotal"),
    ]
    html = body_html(rows)
    assert "<b>" not in html
    assert "&lt;b&gt;" in html
    assert "A &amp; B" in html
    assert html.count("<tr") == 3  # balance | group heading | line + subtotal
    assert '<span class="balance">' in html
    assert '<span class="subtotal">' in html
    assert '<tr class="group">' in html


def words_and_places(data: bytes) -> list[list[tuple[str, int, int]]]:
    """Each page's text pieces with where they are drawn (points, rounded)."""
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        pieces = []

        def visit(text, cm, tm, font, size, pieces=pieces):
            if text.strip():
                x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
                pieces.append((text.strip(), round(x), round(y)))

        page.extract_text(visitor_text=visit)
        found.append(pieces)
    return found


@pytest.mark.parametrize("size", ["A4", "A4 landscape"])
def test_the_numbering_overlay_says_and_places_what_the_margin_box_did(monkeypatch, size):
    fast = words_and_places(pdf._numbering_overlay(12, size))
    monkeypatch.setattr(pdf, "PAGE_HEIGHTS_MM", {})  # the @bottom-right margin-box way
    reference = words_and_places(pdf._numbering_overlay(12, size))
    assert len(fast) == len(reference) == 12
    assert fast == reference
    assert "12" in "".join(text for text, _x, _y in fast[11])
