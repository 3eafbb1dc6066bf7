"""What a lot label's QR code and barcode carry, and how a scan is read back (DESIGN.md §5: the
lot number is the tracing key). No database, no imports from other apps.

The payload is the lot number exactly as marked, then `|` and the ammunition type's code:
`BALL-7|762-BALL`. A scanner types it like a keyboard; every lot box reads the part before the
`|` as the lot number (and may use the type to tell apart lots of the same number).
"""

LABEL_SEPARATOR = "|"


def label_payload(lot_number: str, type_code: str) -> str:
    return f"{lot_number}{LABEL_SEPARATOR}{type_code}"


def scanned_lot(text: str) -> tuple[str, str]:
    """(lot number, type code) from what was typed or scanned; the type is "" when only a lot
    number was typed."""
    number, _sep, type_code = (text or "").partition(LABEL_SEPARATOR)
    return number.strip(), type_code.strip()
