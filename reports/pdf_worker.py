"""Render parts of long reports in a process of its own: `python -m reports.pdf_worker`.

WeasyPrint is pure Python, so the parts of a long report render in parallel only in separate
processes; plain subprocesses work under any Celery pool (a prefork child may not start
multiprocessing children). Each worker renders parts until its stdin closes: one JSON line per part
in (`{"index", "html", "roots", "static_url"}`), one frame per part out (`<index> <length>\n`,
then the PDF). It never imports Django and loads nothing but the static files under `roots` and
data: URLs.
"""

import json
import sys

from reports.fetcher import STATIC_ORIGIN, StaticURLFetcher


def render(html: str, roots: list[str], static_url: str) -> bytes:
    from weasyprint import HTML

    fetcher = StaticURLFetcher(roots, static_url)
    return HTML(string=html, base_url=f"{STATIC_ORIGIN}/", url_fetcher=fetcher).write_pdf()


def main() -> int:
    out = sys.stdout.buffer
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        pdf = render(job["html"], job["roots"], job["static_url"])
        out.write(f"{job['index']} {len(pdf)}\n".encode())
        out.write(pdf)
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
