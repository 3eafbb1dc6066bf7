"""Bans and constraints (and their history) are inventory's models now (inventory migration
0012): the tables stay, with their rows and triggers; only Django's state lets go of them.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('inventory', '0013_incidents_bans_freezes'),
        ('surveillance', '0006_stability_category_limited_life_label'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='historicalban',
                    name='ammunition_type',
                ),
                migrations.RemoveField(
                    model_name='historicalban',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalban',
                    name='imposed_by',
                ),
                migrations.RemoveField(
                    model_name='historicalban',
                    name='lifted_by',
                ),
                migrations.RemoveField(
                    model_name='historicalban',
                    name='lot',
                ),
                migrations.DeleteModel(
                    name='Ban',
                ),
                migrations.DeleteModel(
                    name='HistoricalBan',
                ),
            ],
        ),
    ]
