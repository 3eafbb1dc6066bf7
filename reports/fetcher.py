"""What WeasyPrint may load while rendering a report: the app's own static files and data: URLs.

Nothing else: no network, no file:// (a report's HTML carries user-entered text, and an SVG in a
data: URL may name further resources, which come through here too). Importing this module does
not import Django, so the render worker processes (reports.pdf_worker) start quickly.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

# WeasyPrint reports each rendering step at INFO (from its import on): noise in a worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

# Relative URLs in report templates resolve against this origin; it never leaves the process.
STATIC_ORIGIN = "https://static.stockpile.invalid"


class RefusedURL(ValueError):
    """WeasyPrint logs the refusal and renders on without the resource."""


class StaticURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher over `roots` (the static file directories), mounted at
    `static_url` on STATIC_ORIGIN, and data: URLs (decoded by WeasyPrint's own fetcher, allowed
    that one protocol). Keeps the URLs it refused, for logs and tests."""

    def __init__(self, roots: list[str], static_url: str = "/static/") -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)
        self.roots = [Path(root).resolve() for root in roots]
        self.prefix = "/" + static_url.strip("/") + "/"
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url[:5].lower() == "data:":
            return super().fetch(url, headers)
        path = self._static_file(url)
        if path is None:
            self.refused.append(url)
            raise RefusedURL(f"Reports load only the app's static files and data: URLs: {url}")
        mime_type, _encoding = mimetypes.guess_type(path.name)
        return URLFetcherResponse(
            url, path.read_bytes(), {"Content-Type": mime_type or "application/octet-stream"}
        )

    def _static_file(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != STATIC_ORIGIN or parts.query:
            return None
        if not parts.path.startswith(self.prefix):
            return None
        relative = unquote(parts.path[len(self.prefix) :])
        for root in self.roots:
            candidate = (root / relative).resolve()
            if candidate.is_relative_to(root) and candidate.is_file():
                return candidate
        return None
