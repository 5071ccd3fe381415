"""The goal models' content types (and so their permissions and admin history) follow them
from ``programs`` to ``goals``."""

from django.db import migrations

MODELS = ("goal", "milestone", "goalcomment", "goalevent")


def move(apps, schema_editor, source="programs", target="goals"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    # A fresh database may already hold the new ones (post_migrate creates them): keep one.
    ContentType.objects.filter(app_label=target, model__in=MODELS).filter(
        model__in=ContentType.objects.filter(app_label=source).values("model")
    ).delete()
    ContentType.objects.filter(app_label=source, model__in=MODELS).update(app_label=target)


def move_back(apps, schema_editor):
    move(apps, schema_editor, source="goals", target="programs")


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0001_initial"),
        ("programs", "0005_goals_moved_to_their_app"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(move, move_back)]
