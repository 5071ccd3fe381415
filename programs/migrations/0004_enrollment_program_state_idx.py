from django.db import migrations, models


class Migration(migrations.Migration):
    """Counts of a program's participants by status and role (the matching index) from the index alone."""

    dependencies = [("programs", "0003_goals_and_inactivity_threshold")]

    operations = [
        migrations.AddIndex(
            model_name="enrollment",
            index=models.Index(fields=["program", "status", "role"], name="enrollment_program_state_idx"),
        ),
    ]
