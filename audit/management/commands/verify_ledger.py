"""Recompute every depot's hash chain; exit 1 and name the first broken line if any."""

import json

from django.core.management.base import BaseCommand, CommandError

from audit.services import FULL, INCREMENTAL, ledger_verification_run


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
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="Check only each depot's lines after its latest verified checkpoint (the "
            "nightly run); without it every line is read again.",
        )

    def handle(self, *args, checkpoints=None, incremental=False, **options):
        external = []
        if checkpoints:
            try:
                with open(checkpoints, encoding="utf-8") as handle:
                    external = json.load(handle)
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read {checkpoints}: {error}") from error
        record = ledger_verification_run(
            external_checkpoints=external, mode=INCREMENTAL if incremental else FULL
        )
        seconds = (record.finished_at - record.started_at).total_seconds()
        self.stdout.write(
            f"{record.mode.capitalize()} check: {record.lines_checked} lines in "
            f"{record.depots_checked} depots against {record.checkpoints_checked} checkpoints, "
            f"{seconds:.1f} s."
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
