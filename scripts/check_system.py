"""Stop at once, with the exact install command, when a system package the app needs is missing.

WeasyPrint needs Pango (and HarfBuzz, fontconfig) from the operating system, and with --tests
(make test) the browser tests need Debian's Chromium; pip cannot install either. Standard library
only: this runs before the virtual environment exists.
"""

import ctypes.util
import sys
from pathlib import Path

REQUIRED = {
    "pango-1.0": "libpango-1.0-0",
    "pangoft2-1.0": "libpangoft2-1.0-0",
    "harfbuzz": "libharfbuzz0b",
    "fontconfig": "fontconfig",
}

missing = [
    package for library, package in REQUIRED.items() if not ctypes.util.find_library(library)
]
if "--tests" in sys.argv and not Path("/usr/bin/chromium").exists():
    # The browser tests drive Debian's Chromium; Playwright cannot download a browser here.
    missing.append("chromium")
if missing:
    packages = " ".join([*missing, "fonts-dejavu-core"])
    sys.exit(
        "Stockpile needs system packages that are missing here (WeasyPrint's libraries for PDF "
        "reports; Chromium for the browser tests). Install them with:\n\n"
        f"  sudo apt-get install -y {packages}\n"
    )
