from django.db import migrations, models


class Migration(migrations.Migration):
    """A person's notifications newest first, read from the index (a list of 5,000 was sorted per page)."""

    dependencies = [("mentorship", "0006_form_submission")]

    operations = [
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["recipient", "-created_at", "-id"], name="notification_newest_idx"),
        ),
    ]
