"""Record every depot's chain head now; optionally write them out to keep a copy elsewhere."""

import json

from django.core.management.base import BaseCommand

from audit.models import LedgerCheckpoint
from audit.services import checkpoint_export, checkpoint_take


class Command(BaseCommand):
    help = (
        "Take a checkpoint of every depot's ledger chain head. --export FILE writes all "
        "checkpoints as JSON, for `verify_ledger --checkpoints FILE` to check against later."
    )

    def add_arguments(self, parser):
        parser.add_argument("--export", metavar="FILE", help="Write every checkpoint to FILE.")
        parser.add_argument(
            "--no-take", action="store_true", help="Only export the checkpoints already taken."
        )

    def handle(self, *args, export=None, no_take=False, **options):
        if not no_take:
            taken = checkpoint_take()
            for checkpoint in taken:
                self.stdout.write(
                    f"{checkpoint.depot.code}: {checkpoint.line_count} lines, head "
                    f"{checkpoint.head_hash}"
                )
        if export:
            rows = checkpoint_export(LedgerCheckpoint.objects.select_related("depot"))
            with open(export, "w", encoding="utf-8") as handle:
                json.dump(rows, handle, indent=1)
            self.stdout.write(f"Wrote {len(rows)} checkpoints to {export}.")
