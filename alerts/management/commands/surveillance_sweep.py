from datetime import date

from django.core.management.base import BaseCommand, CommandError

from alerts.sweep import surveillance_sweep_run
from core.models import JobOutcome


class Command(BaseCommand):
    help = (
        "Run the surveillance sweep once: raise and resolve alerts of every registered detector. "
        "Prints what it changed; exits 1 if it fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="Sweep as of this date."
        )

    def handle(self, *args, **options):
        try:
            run = surveillance_sweep_run(today=options["today"])
        except Exception as exc:
            raise CommandError(f"The surveillance sweep failed: {exc}") from exc
        if run.outcome == JobOutcome.SKIPPED_LOCKED:
            self.stdout.write(
                self.style.WARNING("Another sweep is running; this one did nothing (run %s).")
                % run.pk
            )
            return
        for key, value in sorted(run.rows_touched.items()):
            if value:
                self.stdout.write(f"{key}: {value}")
        raised = sum(v for k, v in run.rows_touched.items() if k.endswith(".raised"))
        resolved = sum(v for k, v in run.rows_touched.items() if k.endswith(".resolved"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Sweep done (run {run.pk}): {raised} alert(s) raised, {resolved} resolved."
            )
        )
