from django.db import migrations


def install(apps, schema_editor):
    from surveys.library import templates_install

    templates_install(
        survey_model=apps.get_model("surveys", "Survey"),
        question_model=apps.get_model("surveys", "SurveyQuestion"),
    )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
