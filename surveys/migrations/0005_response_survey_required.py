import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("surveys", "0004_anonymous_by_construction")]

    operations = [
        migrations.AlterField(
            model_name="surveyresponse",
            name="survey",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="responses", to="surveys.survey"
            ),
        ),
        migrations.AddConstraint(
            model_name="surveyresponse",
            constraint=models.CheckConstraint(
                condition=models.Q(("invitation__isnull", False), ("department", ""), _connector="OR"),
                name="anonymous_response_has_no_department",
            ),
        ),
    ]
