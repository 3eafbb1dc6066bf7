"""Make sure the system packages the app needs are here, before anything else runs.

pip cannot install these: Python's venv module (Debian splits it out), WeasyPrint's Pango, HarfBuzz
and fontconfig for PDF reports, and with --tests (make test) Debian's Chromium for the browser
tests, poppler-utils for the tests that look at rendered pages and gettext for the catalogue
checks. When something is missing on Debian or Ubuntu and we may install (root, or sudo without a
password), install it with apt-get and say so; otherwise stop at once with the exact command to
type. Standard library only: this runs before the virtual environment exists.

Usage: python3 scripts/check_system.py [--tests]
"""

from __future__ import annotations

import ctypes.util
import importlib.util
import os
import shutil
import subprocess
import sys

LIBRARIES = {
    "pango-1.0": "libpango-1.0-0",
    "pangoft2-1.0": "libpangoft2-1.0-0",
    "harfbuzz": "libharfbuzz0b",
    "fontconfig": "fontconfig",
}
FONT_PACKAGE = "fonts-dejavu-core"
FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def venv_package() -> str | None:
    """Debian's python3 lacks ensurepip (so `python3 -m venv` fails) until python3.X-venv is in."""
    if importlib.util.find_spec("ensurepip") is not None:
        return None
    return f"python3.{sys.version_info.minor}-venv"


def missing_packages(tests: bool) -> list[str]:
    missing = [
        package for library, package in LIBRARIES.items() if not ctypes.util.find_library(library)
    ]
    if not os.path.exists(FONT_FILE):
        missing.append(FONT_PACKAGE)
    if package := venv_package():
        missing.append(package)
    if tests:
        # The browser tests drive Debian's Chromium: Playwright cannot download a browser here.
        if not os.path.exists("/usr/bin/chromium"):
            missing.append("chromium")
        if shutil.which("pdftoppm") is None:
            missing.append("poppler-utils")
        # msgfmt and msgattrib check the translation catalogues (`make messages` compiles them).
        if shutil.which("msgfmt") is None or shutil.which("msgattrib") is None:
            missing.append("gettext")
    return missing


def installer() -> list[str] | None:
    """The command prefix that may run apt-get without asking anyone, or None."""
    if shutil.which("apt-get") is None:
        return None
    if os.geteuid() == 0:
        return []
    sudo = shutil.which("sudo")
    if sudo and subprocess.run([sudo, "-n", "true"], capture_output=True).returncode == 0:
        return [sudo, "-n"]
    return None


def main(argv: list[str]) -> int:
    tests = "--tests" in argv
    missing = missing_packages(tests)
    if not missing:
        return 0
    why = (
        "Stockpile needs system packages that are missing here (Python's venv module; "
        "WeasyPrint's libraries and a font for PDF reports"
        + ("; Chromium, poppler-utils and gettext for the tests" if tests else "")
        + ")"
    )
    prefix = installer()
    if prefix is None:
        print(
            f"{why}. Install them with:\n\n  sudo apt-get install -y {' '.join(missing)}\n",
            file=sys.stderr,
        )
        return 1
    print(f"{why}. Installing them with apt-get: {' '.join(missing)}", flush=True)
    # Never prompt, and never let needrestart restart the machine's services behind our back.
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "NEEDRESTART_SUSPEND": "1"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *missing]):
        done = subprocess.run([*prefix, *command], env=env, stdout=subprocess.DEVNULL)
        if done.returncode != 0:
            print(
                f"apt-get failed. Install the packages by hand:\n\n"
                f"  sudo apt-get install -y {' '.join(missing)}\n",
                file=sys.stderr,
            )
            return 1
    still = missing_packages(tests)
    if still:
        print(f"Still missing after apt-get: {' '.join(still)}", file=sys.stderr)
        return 1
    print("System packages installed.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
