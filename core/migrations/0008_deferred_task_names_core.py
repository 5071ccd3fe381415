"""The shared services moved from the project package ``mentorship`` to the ``core`` app
(same label, same tables): a background task the broker refused before the upgrade is
stored under its old name and would not be found when it is sent again."""

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

OLD, NEW = "mentorship.tasks.", "core.tasks."


def rename(apps, schema_editor, old=OLD, new=NEW):
    DeferredTask = apps.get_model("mentorship", "DeferredTask")
    DeferredTask.objects.filter(task_name__startswith=old).update(
        task_name=Concat(Value(new), Substr(F("task_name"), len(old) + 1))
    )


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [("mentorship", "0007_notification_newest_idx")]

    operations = [migrations.RunPython(rename, rename_back)]
