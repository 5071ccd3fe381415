"""Sessions' goals discussed and resources' goals now point at ``goals.Goal`` (the same
table, moved from ``programs``): state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('goals', '0001_initial'),
        ('mentoring_sessions', '0002_company_scale_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='mentoringsession',
                    name='goals_discussed',
                    field=models.ManyToManyField(blank=True, related_name='sessions', to='goals.goal'),
                ),
                migrations.AlterField(
                    model_name='resource',
                    name='goal',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='resources', to='goals.goal'),
                ),
            ],
            database_operations=[],
        ),
    ]
