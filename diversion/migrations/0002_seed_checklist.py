"""Seed the pre-transfer risk assessment checklist, version 1 (diversion/reference_data.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from diversion import reference_data

    reference_data.load(
        ChecklistVersion=apps.get_model("diversion", "ChecklistVersion"),
        ChecklistItem=apps.get_model("diversion", "ChecklistItem"),
    )


class Migration(migrations.Migration):
    dependencies = [("diversion", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
