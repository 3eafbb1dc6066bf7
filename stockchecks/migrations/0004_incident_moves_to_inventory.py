"""Incidents are inventory's models now (inventory migration 0012): the tables stay, with their
rows; only Django's state lets go of them. Runs after diversion's foreign keys moved over.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('inventory', '0013_incidents_bans_freezes'),
        ('diversion', '0005_verification_incident_in_inventory'),
        ('stockchecks', '0003_blind_counts_under_way'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='incidentdocument',
                    name='incident',
                ),
                migrations.RemoveField(
                    model_name='incidentdocument',
                    name='document',
                ),
                migrations.DeleteModel(
                    name='Incident',
                ),
                migrations.DeleteModel(
                    name='IncidentDocument',
                ),
            ],
        ),
    ]
