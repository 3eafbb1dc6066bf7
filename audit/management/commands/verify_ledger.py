"""Recompute every depot's hash chain; exit 1 and name the first broken line if any."""

import json

from django.core.management.base import BaseCommand, CommandError

from audit.services import ledger_verification_run


class Command(BaseCommand):
    help = (
        "Verify the ledger's hash chains against their chain heads and checkpoints (and an "
        "exported checkpoint file kept outside the database). Exits non-zero on a break."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoints",
            metavar="FILE",
            help="JSON file written by `ledger_checkpoint --export` (a copy kept elsewhere).",
        )

    def handle(self, *args, checkpoints=None, **options):
        external = []
        if checkpoints:
            try:
                with open(checkpoints, encoding="utf-8") as handle:
                    external = json.load(handle)
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read {checkpoints}: {error}") from error
        record = ledger_verification_run(external_checkpoints=external)
        self.stdout.write(
            f"Checked {record.lines_checked} lines in {record.depots_checked} depots against "
            f"{record.checkpoints_checked} checkpoints."
        )
        if record.ok:
            self.stdout.write(self.style.SUCCESS("Ledger intact."))
            return
        for each in record.result.broken:
            self.stderr.write(
                f"BROKEN depot {each.depot} line {each.line} document {each.document}: "
                f"{each.reason}"
            )
        raise CommandError("Ledger verification failed.", returncode=1)
