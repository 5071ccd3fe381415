"""Schema for anonymous surveys by construction: a response links to its survey,
its round may be empty, and sealed answers wait in their own table (see
0004_anonymous_by_construction for the data)."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0001_initial"),
        ("surveys", "0002_install_survey_templates"),
    ]

    operations = [
        migrations.AddField(
            model_name="surveyresponse",
            name="survey",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="responses",
                to="surveys.survey",
            ),
        ),
        migrations.AlterField(
            model_name="surveyresponse",
            name="instance",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="responses",
                to="surveys.surveyinstance",
            ),
        ),
        migrations.AlterField(
            model_name="surveyresponse",
            name="role",
            field=models.CharField(blank=True, choices=[("mentor", "Mentor"), ("mentee", "Mentee")], max_length=10),
        ),
        migrations.CreateModel(
            name="SealedSurveyResponse",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                (
                    "group",
                    models.CharField(blank=True, choices=[("mentor", "Mentor"), ("mentee", "Mentee")], max_length=10),
                ),
                ("edit_key_hash", models.CharField(db_index=True, max_length=64)),
                ("sealed", models.TextField()),
                (
                    "instance",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sealed_responses",
                        to="surveys.surveyinstance",
                    ),
                ),
                (
                    "survey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sealed_responses",
                        to="surveys.survey",
                    ),
                ),
            ],
        ),
    ]
