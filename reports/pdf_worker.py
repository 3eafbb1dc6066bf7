"""Render one part of a long report in a process of its own: `python -m reports.pdf_worker`.

Reads `{"html", "roots", "static_url"}` as JSON on stdin and writes the PDF to stdout. WeasyPrint is
pure Python, so parts of a long report render in parallel only in separate processes; a plain
subprocess works under any Celery pool (a prefork child may not start multiprocessing children).
It never imports Django and loads nothing but the static files under `roots` and data: URLs.
"""

import json
import sys

from reports.fetcher import STATIC_ORIGIN, StaticURLFetcher


def render(html: str, roots: list[str], static_url: str) -> bytes:
    from weasyprint import HTML

    fetcher = StaticURLFetcher(roots, static_url)
    return HTML(string=html, base_url=f"{STATIC_ORIGIN}/", url_fetcher=fetcher).write_pdf()


def main() -> int:
    job = json.load(sys.stdin)
    sys.stdout.buffer.write(render(job["html"], job["roots"], job["static_url"]))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
