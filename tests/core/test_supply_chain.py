"""What the app is built from is what was reviewed: every dependency pinned with hashes in the lock
files that `make` and the Docker image install with --require-hashes, and every vendored asset
matching its recorded SHA-256."""

import hashlib
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of sha256 hashes) from a pip-compile lock file."""
    pins: dict[str, tuple[str, int]] = {}
    name = None
    for line in path.read_text().splitlines():
        if match := re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ \\;]+)", line):
            name = canonicalize_name(match.group(1))
            pins[name] = (match.group(2), 0)
        elif name and "--hash=sha256:" in line:
            version, hashes = pins[name]
            pins[name] = (version, hashes + line.count("--hash=sha256:"))
    return pins


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("requirements.lock", PROJECT["dependencies"]),
        (
            "requirements-dev.lock",
            PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"],
        ),
    ],
)
def test_the_lock_pins_every_dependency_within_its_range_with_hashes(lock, requirements):
    pins = locked(ROOT / lock)
    assert pins, f"{lock} is empty"
    for text in requirements:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in {lock}: run `make lock`"
        version, _ = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {name}=={version}, outside {requirement.specifier}: run `make lock`"
        )
    unhashed = [name for name, (_, hashes) in pins.items() if hashes == 0]
    assert unhashed == [], f"pinned without a hash in {lock}: {unhashed}"


def test_every_vendored_asset_matches_its_recorded_digest():
    vendor = ROOT / "static" / "vendor"
    recorded = {}
    for line in (vendor / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        recorded[name.removeprefix("./")] = digest
    present = {
        str(path.relative_to(vendor))
        for path in vendor.rglob("*")
        if path.is_file() and path.name not in {"SHA256SUMS", "README.md"}
    }
    assert present == set(recorded), "a vendored file is not recorded in SHA256SUMS (or gone)"
    for name, digest in recorded.items():
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest, name
