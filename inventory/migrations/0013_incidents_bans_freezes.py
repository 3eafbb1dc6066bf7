"""Incidents, bans and constraints become inventory's models (issue 16: they govern posting).

The tables keep their names and their rows: the move is in Django's state only (the stockchecks,
surveillance and diversion migrations that depend on this one let go of their side). The depot
freeze, read so far from the stock-check table, gets a table of its own (DepotFreeze); stockchecks
migration 0005 records there the freezes of the checks counting now.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inventory', '0012_reversal_proposal'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DepotFreeze',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reference', models.CharField(help_text="The count's number, e.g. a stock check's.", max_length=40, verbose_name='reference')),
                ('frozen_at', models.DateTimeField(verbose_name='frozen at')),
                ('depot', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='freeze', to='inventory.depot')),
            ],
        ),

        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='HistoricalBan',
                fields=[
                    ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('ban', 'ban'), ('constraint', 'constraint')], max_length=10, verbose_name='kind')),
                    ('reason', models.TextField(verbose_name='reason')),
                    ('reference', models.CharField(max_length=120, verbose_name='reference')),
                    ('permitted_recipient_kinds', models.JSONField(blank=True, default=list, help_text='Constraints only: the recipient kinds that may still receive the stock.', verbose_name='permitted recipient kinds')),
                    ('disposal_recommended', models.BooleanField(default=False, help_text='Bans only: the stock will not be made serviceable again and is to be disposed of. It then counts as surplus (obsolete or banned); a temporary ban does not.', verbose_name='remedy is disposal')),
                    ('imposed_at', models.DateTimeField(blank=True, editable=False)),
                    ('lifted_at', models.DateTimeField(blank=True, null=True)),
                    ('lift_reason', models.TextField(blank=True, verbose_name='reason for lifting')),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.CharField(max_length=100, null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('ammunition_type', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='inventory.ammunitiontype')),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('imposed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('lifted_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('lot', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='inventory.lot')),
                ],
                options={
                    'verbose_name': 'historical ban',
                    'verbose_name_plural': 'historical bans',
                    'db_table': 'surveillance_historicalban',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='Incident',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('count_variance', 'stock-check loss'), ('transit_shortfall', 'transit shortfall'), ('loss_adjustment', 'loss recorded by adjustment'), ('theft', 'theft report'), ('other', 'other loss')], max_length=20, verbose_name='kind')),
                    ('status', models.CharField(choices=[('open', 'open'), ('under_investigation', 'under investigation'), ('closed', 'closed')], default='open', max_length=20, verbose_name='status')),
                    ('title', models.CharField(max_length=200, verbose_name='title')),
                    ('description', models.TextField(blank=True, verbose_name='description')),
                    ('occurred_on', models.DateField(verbose_name='occurred or discovered on')),
                    ('units_lost', models.BigIntegerField(default=0, verbose_name='units lost')),
                    ('neq_lost_kg', models.DecimalField(decimal_places=6, default=0, max_digits=20)),
                    ('stock_check_id', models.BigIntegerField(blank=True, db_index=True, null=True)),
                    ('reported_at', models.DateTimeField()),
                    ('findings', models.TextField(blank=True, verbose_name='findings')),
                    ('suspected_point_of_loss', models.CharField(blank=True, max_length=300, verbose_name='suspected point of loss')),
                    ('closed_at', models.DateTimeField(blank=True, null=True)),
                    ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('depot', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='inventory.depot')),
                    ('other_depot', models.ForeignKey(blank=True, help_text='For a transit shortfall: the sending depot, which sees the incident too.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='inventory.depot')),
                    ('reported_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'stockchecks_incident',
                    'ordering': ['-id'],
                },
            ),
            migrations.CreateModel(
                name='IncidentDocument',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('document', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='incident_link', to='inventory.document')),
                    ('incident', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='links', to='inventory.incident')),
                ],
                options={
                    'db_table': 'stockchecks_incidentdocument',
                },
            ),
            migrations.AddField(
                model_name='incident',
                name='documents',
                field=models.ManyToManyField(blank=True, related_name='+', through='inventory.IncidentDocument', to='inventory.document'),
            ),
            migrations.CreateModel(
                name='Ban',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('ban', 'ban'), ('constraint', 'constraint')], max_length=10, verbose_name='kind')),
                    ('reason', models.TextField(verbose_name='reason')),
                    ('reference', models.CharField(max_length=120, verbose_name='reference')),
                    ('permitted_recipient_kinds', models.JSONField(blank=True, default=list, help_text='Constraints only: the recipient kinds that may still receive the stock.', verbose_name='permitted recipient kinds')),
                    ('disposal_recommended', models.BooleanField(default=False, help_text='Bans only: the stock will not be made serviceable again and is to be disposed of. It then counts as surplus (obsolete or banned); a temporary ban does not.', verbose_name='remedy is disposal')),
                    ('imposed_at', models.DateTimeField(auto_now_add=True)),
                    ('lifted_at', models.DateTimeField(blank=True, null=True)),
                    ('lift_reason', models.TextField(blank=True, verbose_name='reason for lifting')),
                    ('ammunition_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='bans', to='inventory.ammunitiontype')),
                    ('imposed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('lifted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('lot', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='bans', to='inventory.lot')),
                ],
                options={
                    'db_table': 'surveillance_ban',
                    'ordering': ['-imposed_at', '-id'],
                    'indexes': [models.Index(condition=models.Q(('lifted_at__isnull', True)), fields=['lot'], name='ban_active_lot'), models.Index(condition=models.Q(('lifted_at__isnull', True)), fields=['ammunition_type'], name='ban_active_type')],
                    'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('ammunition_type__isnull', True), ('lot__isnull', False)), models.Q(('ammunition_type__isnull', False), ('lot__isnull', True)), _connector='OR'), name='ban_one_subject'), models.CheckConstraint(condition=models.Q(models.Q(('lifted_at__isnull', True), ('lifted_by__isnull', True)), models.Q(('lifted_at__isnull', False), ('lifted_by__isnull', False)), _connector='OR'), name='ban_lifted_by_someone')],
                },
            ),
            migrations.AddIndex(
                model_name='incident',
                index=models.Index(fields=['depot', 'status', '-id'], name='incident_depot_status'),
            ),
            migrations.AddIndex(
                model_name='incident',
                index=models.Index(fields=['depot', 'reported_at'], name='incident_depot_month'),
            ),
            migrations.AddConstraint(
                model_name='incident',
                constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'closed'), _negated=True), models.Q(('findings', ''), _negated=True), _connector='OR'), name='incident_closed_has_findings'),
            ),
            migrations.AddConstraint(
                model_name='incident',
                constraint=models.CheckConstraint(condition=models.Q(('units_lost__gte', 0)), name='incident_units_positive'),
            ),
            ],
        ),
    ]
