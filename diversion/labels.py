"""Printable lot labels: a QR code (segno) and a Code 128 barcode (python-barcode), both SVG,
carrying inventory.labels.label_payload: the lot number as marked and the type's code."""

from __future__ import annotations

import io

import barcode
import segno
from barcode.writer import SVGWriter

from inventory.labels import label_payload
from inventory.models import Lot


def _svg_body(data: bytes) -> str:
    """The <svg> element alone (no XML declaration or doctype), to inline in a page."""
    text = data.decode("utf-8")
    return text[text.index("<svg") :]


def qr_svg(payload: str) -> str:
    out = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(
        out, kind="svg", scale=3, border=2, xmldecl=False, svgns=True, title=payload
    )
    return _svg_body(out.getvalue())


def barcode_svg(payload: str) -> str:
    out = io.BytesIO()
    barcode.get("code128", payload, writer=SVGWriter()).write(
        out, options={"module_height": 10.0, "module_width": 0.25, "write_text": False}
    )
    return _svg_body(out.getvalue())


def lot_label(lot: Lot) -> dict:
    """What a label shows: the lot, its payload and the two codes as SVG markup."""
    payload = label_payload(lot.lot_number, lot.ammunition_type.code)
    return {"lot": lot, "payload": payload, "qr": qr_svg(payload), "barcode": barcode_svg(payload)}
