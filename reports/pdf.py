"""Turning a report's HTML into one PDF, fast enough for long statements (docs/performance.md).

WeasyPrint lays out about 250 table rows a second on this machine, in one Python thread. A long
report is therefore cut into parts at block boundaries (a lot's section, a slice of the document
list), the parts are rendered side by side in worker processes (reports.pdf_worker), and merged
with pypdf. "Page X of Y" can only be known once every part is done, so it is stamped in a second
pass: WeasyPrint renders Y empty pages carrying only that footer, and each is laid over its page.
Short reports take the same path in this process (one part, no worker), so every report is
numbered the same way.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from reports.fetcher import STATIC_ORIGIN, StaticURLFetcher

BASE_DIR = Path(__file__).resolve().parent.parent

# The page box of every report; the overlay that numbers the pages must use the same.
PAGE_MARGINS = "16mm 12mm 16mm 12mm"
STYLESHEET = "css/reports-pdf.css"


class RenderError(RuntimeError):
    pass


def render_processes() -> int:
    """How many parts render at once (REPORTS_RENDER_PROCESSES, default: the CPUs, at most 4)."""
    return max(1, getattr(settings, "REPORTS_RENDER_PROCESSES", min(os.cpu_count() or 1, 4)))


def static_roots() -> list[str]:
    """The directories the app's static files are served from, and nothing else."""
    roots = [str(path) for path in settings.STATICFILES_DIRS]
    if Path(settings.STATIC_ROOT).is_dir():
        roots.append(str(settings.STATIC_ROOT))
    return roots


def _static_prefix() -> str:
    return "/" + settings.STATIC_URL.strip("/") + "/"


def url_fetcher() -> StaticURLFetcher:
    return StaticURLFetcher(static_roots(), _static_prefix())


def stylesheet_url() -> str:
    """The reports' stylesheet by its source name (not the manifest's hashed one): the fetcher
    reads it from the static directories, collected or not."""
    return f"{_static_prefix()}{STYLESHEET}"


def html_to_pdf(html: str, fetcher: StaticURLFetcher | None = None) -> bytes:
    """One HTML document to PDF in this process, through the app's URL fetcher."""
    from weasyprint import HTML

    fetcher = fetcher or url_fetcher()
    return HTML(string=html, base_url=f"{STATIC_ORIGIN}/", url_fetcher=fetcher).write_pdf()


def _render_in_worker(html: str) -> bytes:
    job = json.dumps({"html": html, "roots": static_roots(), "static_url": url_fetcher().prefix})
    done = subprocess.run(
        [sys.executable, "-m", "reports.pdf_worker"],
        input=job.encode(),
        capture_output=True,
        cwd=BASE_DIR,
        timeout=getattr(settings, "REPORTS_PART_TIMEOUT_SECONDS", 600),
        check=False,
    )
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise RenderError("A report part failed to render: " + " / ".join(tail))
    return done.stdout


def render_parts(
    parts: Sequence[str], on_progress: Callable[[int, int], None] | None = None
) -> list[bytes]:
    """Render each HTML part to PDF, in parallel when there are several; in order."""
    if len(parts) == 1:
        pdfs = [html_to_pdf(parts[0])]
        if on_progress:
            on_progress(1, 1)
        return pdfs
    results: list[bytes | None] = [None] * len(parts)
    with ThreadPoolExecutor(max_workers=min(render_processes(), len(parts))) as pool:
        futures = {pool.submit(_render_in_worker, html): index for index, html in enumerate(parts)}
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if on_progress:
                on_progress(done, len(parts))
    return [pdf for pdf in results if pdf is not None]


@dataclass(frozen=True)
class Assembled:
    pdf: bytes
    page_count: int


def _numbering_overlay(page_count: int, page_size: str, label: str) -> bytes:
    """`page_count` empty pages whose footer says "<label> X of Y"."""
    html = (
        "<html><head><style>"
        f"@page {{ size: {page_size}; margin: {PAGE_MARGINS};"
        f' @bottom-right {{ content: "{label} " counter(page) " of " counter(pages);'
        " font: 7.5pt 'DejaVu Sans'; vertical-align: top; padding-top: 3mm; } }"
        "div { break-after: page } div:last-child { break-after: auto }"
        "</style></head><body>" + "<div></div>" * page_count + "</body></html>"
    )
    return html_to_pdf(html)


def assemble(
    pdfs: Sequence[bytes], *, page_size: str, metadata: dict[str, str], label: str = "Page"
) -> Assembled:
    """Merge the parts in order, number every page "Page X of Y", and set the metadata."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(PdfReader(io.BytesIO(pdf)))
    count = len(writer.pages)
    overlay = PdfReader(io.BytesIO(_numbering_overlay(count, page_size, label)))
    if len(overlay.pages) != count:
        raise RenderError(f"Numbering made {len(overlay.pages)} pages for {count}.")
    for page, numbers in zip(writer.pages, overlay.pages, strict=True):
        page.merge_page(numbers)
    writer.add_metadata(metadata)
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return Assembled(pdf=out.getvalue(), page_count=count)
