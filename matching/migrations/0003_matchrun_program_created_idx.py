from django.db import migrations, models


class Migration(migrations.Migration):
    """A program's latest match run (the matching index, the program's matching page)."""

    dependencies = [("matching", "0002_criteria_enforce_gap_pairing_ended_by")]

    operations = [
        migrations.AddIndex(
            model_name="matchrun",
            index=models.Index(fields=["program", "-created_at"], name="matchrun_program_created_idx"),
        ),
    ]
