"""Anonymous surveys become anonymous by construction (see surveys/anonymity.py).

Every response gets a direct link to its survey. Existing anonymous answers are
rewritten in the new shape, none lost, and lose the links that could narrow
them to fewer than ``PRIVACY_MIN_GROUP`` people:

* no department, and one date per batch instead of each person's;
* a round of one pairing (a pulse, an exit survey) or of fewer people than the
  minimum is dropped: the answer is pooled over the whole survey;
* the role is kept only when the round asked the minimum of each role;
* a pool of at least the minimum is rewritten in random order with new ids; a
  smaller one is sealed (encrypted) until more answers join it, as new answers are.

Anonymous surveys that went to one pairing at a time are paused (HR must pick a
program-wide schedule to send them again).
"""

import random
import uuid
from collections import Counter, defaultdict

from django.conf import settings
from django.db import migrations

PER_PAIRING_TRIGGERS = ("session_held", "pairing_ended", "pairing_day", "pairing_midpoint", "pairing_every")


def _value(kind, rows):
    if kind in ("rating", "nps"):
        return rows[0].number
    if kind == "multiple":
        return [row.choice for row in rows]
    if kind == "single":
        return rows[0].choice
    return rows[0].text


def forward(apps, schema_editor):
    from surveys.anonymity import seal

    Survey = apps.get_model("surveys", "Survey")
    SurveyResponse = apps.get_model("surveys", "SurveyResponse")
    SurveyAnswer = apps.get_model("surveys", "SurveyAnswer")
    SurveyInvitation = apps.get_model("surveys", "SurveyInvitation")
    SurveyQuestion = apps.get_model("surveys", "SurveyQuestion")
    Sealed = apps.get_model("surveys", "SealedSurveyResponse")
    minimum = int(settings.PRIVACY_MIN_GROUP)
    shuffle = random.SystemRandom().shuffle

    for response in SurveyResponse.objects.filter(survey__isnull=True).select_related("instance"):
        response.survey_id = response.instance.survey_id
        response.save(update_fields=["survey"])

    for survey in Survey.objects.filter(anonymous=True):
        if survey.trigger in PER_PAIRING_TRIGGERS and survey.status == "active":
            survey.status = "paused"
            survey.save(update_fields=["status"])
        responses = list(SurveyResponse.objects.filter(survey=survey).select_related("instance"))
        if not responses:
            continue
        invited = defaultdict(Counter)
        for instance_id, role in SurveyInvitation.objects.filter(instance__survey=survey).values_list(
            "instance_id", "role"
        ):
            invited[instance_id][role] += 1
        kinds = dict(SurveyQuestion.objects.filter(survey=survey).values_list("pk", "kind"))
        answers = defaultdict(lambda: defaultdict(list))
        for answer in SurveyAnswer.objects.filter(response__survey=survey):
            answers[answer.response_id][answer.question_id].append(answer)
        pools = defaultdict(list)
        for response in responses:
            instance = response.instance
            counts = invited[instance.pk] if instance else Counter()
            if instance and instance.pairing_id is None and instance.session_id is None and sum(counts.values()) >= minimum:
                both = counts["mentor"] >= minimum and counts["mentee"] >= minimum
                pools[(instance.pk, response.role if both else "")].append(response)
            else:
                pools[(None, "")].append(response)
        for (instance_id, group), members in pools.items():
            values = {
                response.pk: {qid: _value(kinds[qid], rows) for qid, rows in answers[response.pk].items()}
                for response in members
            }
            day = max(response.submitted_on for response in members)
            SurveyResponse.objects.filter(pk__in=[response.pk for response in members]).delete()
            shuffle(members)
            if len(members) < minimum:
                Sealed.objects.bulk_create(
                    [
                        Sealed(
                            id=uuid.uuid4(),
                            survey=survey,
                            instance_id=instance_id,
                            group=group,
                            edit_key_hash=response.edit_key_hash,
                            sealed=seal(values[response.pk], survey_id=survey.pk, instance_id=instance_id, group=group),
                        )
                        for response in members
                    ]
                )
                continue
            new_rows, new_answers = [], []
            for response in members:
                row = SurveyResponse(
                    id=uuid.uuid4(),
                    survey=survey,
                    instance_id=instance_id,
                    role=group,
                    edit_key_hash=response.edit_key_hash,
                    department="",
                    submitted_on=day,
                )
                new_rows.append(row)
                for qid, value in values[response.pk].items():
                    options = value if isinstance(value, list) else [value]
                    for option in options:
                        kind = kinds[qid]
                        new_answers.append(
                            SurveyAnswer(
                                response=row,
                                question_id=qid,
                                number=option if kind in ("rating", "nps") else None,
                                choice=option if kind in ("single", "multiple") else "",
                                text=option if kind == "text" else "",
                            )
                        )
            SurveyResponse.objects.bulk_create(new_rows)
            shuffle(new_answers)
            SurveyAnswer.objects.bulk_create(new_answers)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0003_response_survey_sealed")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
