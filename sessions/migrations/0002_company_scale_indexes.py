"""Indexes for the mentoring pages at company scale (issue 12): HR's activity page counts the
sessions held lately and those planned from a covering (status, starts_at) index, and the open
action items and those done lately from two partial indexes; the pairing lists count each
pairing's open items from the first."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring_sessions", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="mentoringsession",
            name="session_status_start_idx",
        ),
        migrations.AddIndex(
            model_name="mentoringsession",
            index=models.Index(
                fields=["status", "starts_at"],
                include=("pairing", "duration_minutes"),
                name="session_status_start_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="actionitem",
            index=models.Index(
                condition=models.Q(("done_at__isnull", True)),
                fields=["pairing", "due_date"],
                name="action_item_open_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="actionitem",
            index=models.Index(
                condition=models.Q(("done_at__isnull", False)), fields=["done_at"], name="action_item_done_idx"
            ),
        ),
    ]
