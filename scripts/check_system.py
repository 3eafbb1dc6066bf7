"""Stop at once, with the exact install command, when a system library the app needs is missing.

WeasyPrint needs Pango (and HarfBuzz, fontconfig) from the operating system; pip cannot install
them. Standard library only: this runs before the virtual environment exists.
"""

import ctypes.util
import sys

REQUIRED = {
    "pango-1.0": "libpango-1.0-0",
    "pangoft2-1.0": "libpangoft2-1.0-0",
    "harfbuzz": "libharfbuzz0b",
    "fontconfig": "fontconfig",
}

missing = [
    package for library, package in REQUIRED.items() if not ctypes.util.find_library(library)
]
if missing:
    packages = " ".join([*missing, "fonts-dejavu-core"])
    sys.exit(
        "Stockpile renders PDF reports with WeasyPrint, which needs system libraries that are "
        f"missing here. Install them with:\n\n  sudo apt-get install -y {packages}\n"
    )
