"""What the apps' management commands share."""

from pathlib import Path

from django.core.management.base import CommandError


def file_text(path: Path) -> str:
    """The text (UTF-8) of a file named on the command line; a CommandError says why not."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from exc
