"""The Celery application: tasks live in each app's tasks.py and are found automatically."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stockpile.settings")

app = Celery("stockpile")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _alert_jobs_schedule(sender, **kwargs):
    """Daily alert jobs (DESIGN.md §8), beside the schedule in settings.CELERY_BEAT_SCHEDULE:
    the sweep at 03:00 (after the nightly reconciliation), the e-mail digest at 06:00."""
    from celery.schedules import crontab

    sender.add_periodic_task(
        crontab(hour=3, minute=0),
        sender.signature("alerts.surveillance_sweep"),
        name="surveillance-sweep",
    )
    sender.add_periodic_task(
        crontab(hour=6, minute=0),
        sender.signature("alerts.send_digests"),
        name="alert-digest",
    )
