"""The goal models moved to the ``goals`` app with their tables: ``programs`` forgets
them (state only; no table is dropped)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('mentoring_sessions', '0003_goals_moved_to_their_app'),
        ('programs', '0004_enrollment_program_state_idx'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='goalcomment',
                    name='goal',
                ),
                migrations.RemoveField(
                    model_name='goalevent',
                    name='goal',
                ),
                migrations.RemoveField(
                    model_name='milestone',
                    name='goal',
                ),
                migrations.RemoveField(
                    model_name='goalcomment',
                    name='author',
                ),
                migrations.RemoveField(
                    model_name='goalevent',
                    name='comment',
                ),
                migrations.RemoveField(
                    model_name='goalevent',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='goalevent',
                    name='milestone',
                ),
                migrations.RemoveField(
                    model_name='milestone',
                    name='done_by',
                ),
                migrations.DeleteModel(
                    name='Goal',
                ),
                migrations.DeleteModel(
                    name='GoalComment',
                ),
                migrations.DeleteModel(
                    name='GoalEvent',
                ),
                migrations.DeleteModel(
                    name='Milestone',
                ),
            ],
            database_operations=[],
        ),
    ]
