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
import queue
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext

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


class _Worker:
    """One `reports.pdf_worker` process, fed one part at a time by its own thread."""

    def __init__(self) -> None:
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 (the worker's life; close())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reports.pdf_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            cwd=BASE_DIR,
        )

    def render(self, index: int, html: str) -> bytes:
        job = {
            "index": index,
            "html": html,
            "roots": static_roots(),
            "static_url": _static_prefix(),
        }
        self.process.stdin.write(json.dumps(job).encode() + b"\n")
        self.process.stdin.flush()
        header = self.process.stdout.readline().split()
        if len(header) != 2 or int(header[0]) != index:
            raise RenderError("A report part failed to render: " + self.error_tail())
        pdf = self.process.stdout.read(int(header[1]))
        if not pdf.startswith(b"%PDF"):
            raise RenderError("A report part came back damaged.")
        return pdf

    def error_tail(self) -> str:
        self._stop()
        self.errors.seek(0)
        lines = self.errors.read().decode(errors="replace").strip().splitlines()
        return " / ".join(lines[-3:]) or f"the worker exited with {self.process.returncode}"

    def close(self) -> None:
        self._stop()
        self.errors.close()

    def _stop(self) -> None:
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=getattr(settings, "REPORTS_PART_TIMEOUT_SECONDS", 600))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def render_parts(
    parts: Sequence[str], on_progress: Callable[[int, int], None] | None = None
) -> list[bytes]:
    """Render each HTML part to PDF, in order: here for one part; else in worker processes
    (REPORTS_RENDER_PROCESSES of them, each started once and fed parts as it finishes them)."""
    if len(parts) == 1:
        pdfs = [html_to_pdf(parts[0])]
        if on_progress:
            on_progress(1, 1)
        return pdfs
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for index in range(len(parts)):
        todo.put(index)
    done: queue.SimpleQueue = queue.SimpleQueue()

    def feed() -> None:
        worker = _Worker()
        try:
            while True:
                try:
                    index = todo.get_nowait()
                except queue.Empty:
                    break
                done.put((index, worker.render(index, parts[index])))
        except Exception as exc:  # handed to the main thread, which raises it
            done.put((None, exc))
        finally:
            worker.close()

    threads = [
        threading.Thread(target=feed, daemon=True)
        for _ in range(min(render_processes(), len(parts)))
    ]
    for thread in threads:
        thread.start()
    results: list[bytes | None] = [None] * len(parts)
    for count in range(1, len(parts) + 1):
        index, pdf = done.get()
        if index is None:
            while not todo.empty():  # let the other workers stop after their current part
                todo.get_nowait()
            raise pdf
        results[index] = pdf
        if on_progress:
            on_progress(count, len(parts))
    for thread in threads:
        thread.join()
    return [pdf for pdf in results if pdf is not None]


@dataclass(frozen=True)
class Assembled:
    pdf: bytes
    page_count: int


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _page_counter(template: str) -> str:
    """A CSS `content` value for a "Page %(page)s of %(pages)s" template in any language: its
    text around the placeholders, with the page counters in their places."""
    counters = {"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}
    parts = re.split(r"(%\(pages?\)s)", template)
    return " ".join(counters.get(part) or _css_string(part) for part in parts if part)


# Page heights (mm) of the sizes reports use, for the numbering overlay's fast path.
PAGE_HEIGHTS_MM = {"A4": 297, "A4 landscape": 210}
FOOTER_FONT = "7.5pt 'DejaVu Sans'"


def _numbering_overlay(page_count: int, page_size: str) -> bytes:
    """`page_count` empty pages whose footer says "Page X of Y" in the active language.

    The numbers are known here, so each page is one block carrying its literal text, placed where
    the @bottom-right margin box would put it (top of the bottom margin + 3 mm, right-aligned to
    the page box): WeasyPrint lays out no margin boxes and needs no second pass for
    counter(pages), about a third less time for hundreds of pages. A size without a known height
    takes the margin-box way."""
    template = gettext("Page %(page)s of %(pages)s")
    height = PAGE_HEIGHTS_MM.get(page_size)
    top, _right, bottom, _left = (float(side.removesuffix("mm")) for side in PAGE_MARGINS.split())
    if height is None:
        content = _page_counter(template)
        html = (
            "<html><head><style>"
            f"@page {{ size: {page_size}; margin: {PAGE_MARGINS};"
            f" @bottom-right {{ content: {content};"
            f" font: {FOOTER_FONT}; vertical-align: top; padding-top: 3mm; }} }}"
            "div { break-after: page } div:last-child { break-after: auto }"
            "</style></head><body>" + "<div></div>" * page_count + "</body></html>"
        )
        return html_to_pdf(html)
    offset = height - top - bottom + 3
    pages = "".join(
        "<div>" + escape(template % {"page": number, "pages": page_count}) + "</div>"
        for number in range(1, page_count + 1)
    )
    html = (
        "<html><head><style>"
        f"@page {{ size: {page_size}; margin: {PAGE_MARGINS}; }} body {{ margin: 0 }}"
        f"div {{ height: 0; break-after: page; position: relative; top: {offset:g}mm;"
        f" text-align: right; font: {FOOTER_FONT} }}"
        "div:last-child { break-after: auto }"
        "</style></head><body>" + pages + "</body></html>"
    )
    return html_to_pdf(html)


def assemble(pdfs: Sequence[bytes], *, page_size: str, metadata: dict[str, str]) -> Assembled:
    """Merge the parts in order, number every page "Page X of Y", and set the metadata."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(PdfReader(io.BytesIO(pdf)))
    count = len(writer.pages)
    overlay = PdfReader(io.BytesIO(_numbering_overlay(count, page_size)))
    if len(overlay.pages) != count:
        raise RenderError(f"Numbering made {len(overlay.pages)} pages for {count}.")
    for page, numbers in zip(writer.pages, overlay.pages, strict=True):
        page.merge_page(numbers)
    writer.add_metadata(metadata)
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return Assembled(pdf=out.getvalue(), page_count=count)
