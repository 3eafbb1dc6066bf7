from datetime import date

from django.core.management.base import BaseCommand, CommandError

from core.models import JobOutcome
from surplus.tasks import surplus_snapshot_run


class Command(BaseCommand):
    help = (
        "Compute the surplus against national requirements and store it as a dated snapshot "
        "(DESIGN.md §9). Prints what it stored; exits 1 if it fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="Snapshot as of this date (requirements then in force).",
        )

    def handle(self, *args, **options):
        try:
            run, snapshot = surplus_snapshot_run(taken_on=options["today"])
        except Exception as exc:
            raise CommandError(f"The surplus snapshot failed: {exc}") from exc
        if run.outcome == JobOutcome.SKIPPED_LOCKED:
            self.stdout.write(
                self.style.WARNING(
                    f"Another snapshot is running; this one did nothing (run {run.pk}, "
                    "no snapshot stored)."
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Snapshot {snapshot.pk} as of {snapshot.taken_on}: "
                f"{run.rows_touched.get('subjects', 0)} types or groups, "
                f"{snapshot.rows_written} rows stored (run {run.pk})."
            )
        )
