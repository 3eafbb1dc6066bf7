"""A verification's incident is inventory's Incident now (same table): state only, as the
foreign key's constraint is unchanged.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('diversion', '0004_verification_cancelled_by_reversal'),
        ('inventory', '0013_incidents_bans_freezes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='historicalverification',
                    name='incident',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='inventory.incident'),
                ),
                migrations.AlterField(
                    model_name='verification',
                    name='incident',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='inventory.incident'),
                ),
            ],
        ),
    ]
