"""The goal models move here from ``programs`` (issue 13): state only; the tables stay
``programs_goal``, ``programs_milestone``, ``programs_goalcomment`` and ``programs_goalevent``
(``db_table``), so no row moves."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('programs', '0004_enrollment_program_state_idx'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Goal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200)),
                        ('description', models.TextField(blank=True, verbose_name='Why it matters')),
                        ('success_measure', models.TextField(blank=True, verbose_name='How you will know you got there')),
                        ('target_date', models.DateField(blank=True, null=True)),
                        ('status', models.CharField(choices=[('not_started', 'Not started'), ('in_progress', 'In progress'), ('achieved', 'Achieved'), ('dropped', 'Dropped')], default='not_started', max_length=12)),
                        ('progress', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)])),
                        ('progress_from_milestones', models.BooleanField(default=False, help_text='Progress is the share of milestones done.', verbose_name='Progress follows the milestones')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('enrollment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='goals', to='programs.enrollment')),
                        ('template', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='adopted_goals', to='programs.goaltemplate')),
                    ],
                    options={
                        'db_table': 'programs_goal',
                        'ordering': ['enrollment', 'created_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='GoalComment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('body', models.TextField()),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('goal', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='comments', to='goals.goal')),
                    ],
                    options={
                        'db_table': 'programs_goalcomment',
                        'ordering': ['goal', 'created_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Milestone',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200)),
                        ('due_date', models.DateField(blank=True, null=True)),
                        ('done_at', models.DateTimeField(blank=True, null=True)),
                        ('order', models.PositiveSmallIntegerField(default=0)),
                        ('done_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('goal', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='milestones', to='goals.goal')),
                    ],
                    options={
                        'db_table': 'programs_milestone',
                        'ordering': ['goal', 'order', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='GoalEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('created', 'Created'), ('edited', 'Edited'), ('progress', 'Progress changed'), ('status', 'Status changed'), ('milestone_added', 'Milestone added'), ('milestone_done', 'Milestone done'), ('milestone_reopened', 'Milestone reopened'), ('comment', 'Comment')], max_length=20)),
                        ('from_value', models.CharField(blank=True, max_length=200)),
                        ('to_value', models.CharField(blank=True, max_length=200)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('comment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='goals.goalcomment')),
                        ('goal', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='goals.goal')),
                        ('milestone', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='goals.milestone')),
                    ],
                    options={
                        'db_table': 'programs_goalevent',
                        'ordering': ['goal', '-created_at', '-pk'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='goal',
                    constraint=models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='goal_progress_at_most_100'),
                ),
            ],
            database_operations=[],
        ),
    ]
