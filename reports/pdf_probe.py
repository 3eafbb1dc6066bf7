"""Read the report number out of an uploaded PDF, in a child process of its own.

An uploaded PDF is hostile input, and PDF parsers have had denial-of-service bugs (deep nesting,
decompression bombs, endless cross-reference loops). So the web process never parses one: it
hashes the upload and looks the hash up first (a file the system made is found without parsing),
then tries the uncompressed metadata entry with a linear regex, and only then hands the bytes to
this module in a child process capped in memory and time (`number_in_pdf`). Usage as a child:
`python -m reports.pdf_probe < file.pdf` prints the number, or nothing.
"""

from __future__ import annotations

import io
import os
import re
import resource
import subprocess
import sys

# A report's number (RPT-<year>-<n>); reports.services uses this one pattern too.
NUMBER = re.compile(r"RPT-[0-9]{4}-[0-9]{6}")
METADATA_NUMBER = re.compile(rb"/StockpileReport\s*\((" + NUMBER.pattern.encode() + rb")\)")
MEMORY_BYTES = 512 * 1024 * 1024


class ProbeFailed(Exception):
    """The PDF could not be read within the limits (too large, too slow, too much memory)."""


def number_in_pdf(data: bytes, *, max_bytes: int, timeout: float) -> str | None:
    """The report number a PDF carries (metadata, else its first page's text), or None."""
    found = METADATA_NUMBER.search(data)
    if found:
        return found.group(1).decode()
    if len(data) > max_bytes:
        raise ProbeFailed(f"larger than {max_bytes // (1024 * 1024)} MB")
    try:
        child = subprocess.run(
            [sys.executable, "-m", "reports.pdf_probe"],
            input=data,
            capture_output=True,
            timeout=timeout,
            env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.pathsep.join(sys.path)},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ProbeFailed(f"not read within {timeout:g} s") from None
    if child.returncode != 0:
        raise ProbeFailed("the reader gave up")
    number = child.stdout.decode().strip()
    return number if NUMBER.fullmatch(number) else None


def _probe(data: bytes) -> str | None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        meta = reader.metadata or {}
        number = str(meta.get("/StockpileReport", "") or "")
        if NUMBER.fullmatch(number):
            return number
        found = NUMBER.search(reader.pages[0].extract_text() or "") if reader.pages else None
        return found.group(0) if found else None
    except (PyPdfError, ValueError, KeyError, OSError, RecursionError):
        return None


if __name__ == "__main__":
    # The child caps its own memory first (no preexec_fn: the web process may be threaded).
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    print(_probe(sys.stdin.buffer.read()) or "")
