"""Load an amended mixing matrix as a new version (docs/policy.md)."""

from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from core.management import file_text
from inventory.services.reference import mixing_matrix_version_create


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--effective-from: {value!r} is not a date YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = (
        "Load a new version of the compatibility mixing matrix from a CSV file laid out like "
        "inventory/reference/mixing_matrix.csv. Validates the whole file first; on any problem "
        "it writes nothing and exits 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv", help="The matrix: a 'group' column, then one per group.")
        parser.add_argument(
            "--effective-from",
            required=True,
            type=str,
            help="First day (YYYY-MM-DD) of the movements the new version applies to.",
        )
        parser.add_argument("--note", default="", help="Why the matrix changed.")
        parser.add_argument(
            "--source",
            default="",
            help="The authority's decision or document (default: the file's name).",
        )

    def handle(self, *args, **options):
        effective_from = _date(options["effective_from"])
        path = Path(options["csv"])
        text = file_text(path)
        try:
            version = mixing_matrix_version_create(
                csv_text=text,
                effective_from=effective_from,
                source=options["source"] or path.name,
                note=options["note"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(f"  {message}")
            raise CommandError(
                f"{path} was not loaded ({len(exc.messages)} problem(s)); nothing was written."
            ) from exc
        except IntegrityError as exc:
            # Another version was loaded at the same moment and took the next number.
            raise CommandError(
                f"{path} was not loaded: another version was loaded at the same time; nothing "
                "was written. Check the versions in the administration, then run again."
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Mixing matrix version {version.version} loaded from {path}: "
                f"{version.cells.count()} cells, effective from {version.effective_from:%Y-%m-%d}."
            )
        )
