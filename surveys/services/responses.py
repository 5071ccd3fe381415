"""Answering a survey: attributed answers, and anonymous ones sealed by ``surveys.anonymity``."""

import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format

from surveys import anonymity, signals, tallies
from surveys.models import (
    SurveyAnswer,
    SurveyInstance,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from surveys.services.builder import MAX_TEXT_ANSWER

logger = logging.getLogger(__name__)

# --- Answering --------------------------------------------------------------------------


def survey_answers_check(*, questions: list[SurveyQuestion], answers: dict) -> dict:
    """Validate answers (question id -> value) against the questions; returns the clean ones.

    Refuses, per question, a missing required answer, a number off the scale
    and an option that is not offered. Field names in the error are ``q_<id>``.
    """
    errors, clean = {}, {}
    for question in questions:
        value = answers.get(question.pk)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", [], ()):
            if question.required:
                errors[f"q_{question.pk}"] = "Please answer this question."
            continue
        kind = question.kind
        if kind in SurveyQuestion.NUMBER_KINDS:
            scale = question.scale
            try:
                number = int(value)
            except (TypeError, ValueError):
                number = None
            if number not in scale:
                errors[f"q_{question.pk}"] = f"Choose a number from {scale[0]} to {scale[-1]}."
            else:
                clean[question.pk] = number
        elif kind == SurveyQuestion.Kind.SINGLE:
            if value not in question.choices:
                errors[f"q_{question.pk}"] = "Choose one of the options offered."
            else:
                clean[question.pk] = value
        elif kind == SurveyQuestion.Kind.MULTIPLE:
            chosen = [value] if isinstance(value, str) else list(value)
            if any(option not in question.choices for option in chosen):
                errors[f"q_{question.pk}"] = "Choose only among the options offered."
            else:
                clean[question.pk] = [option for option in question.choices if option in chosen]
        else:
            text = str(value)
            if len(text) > MAX_TEXT_ANSWER:
                errors[f"q_{question.pk}"] = f"Keep your answer under {MAX_TEXT_ANSWER} characters."
            else:
                clean[question.pk] = text
    if errors:
        raise ValidationError(errors)
    return clean


def survey_closed_message(instance: SurveyInstance) -> str:
    closed = date_format(timezone.localtime(instance.closes_at), "j F Y")
    return f"This survey closed on {closed}, so it no longer accepts answers. Thank you all the same."


@transaction.atomic
def survey_response_submit(
    *, invitation: SurveyInvitation, answers: dict, edit_key: str = "", now: datetime | None = None
) -> str:
    """Save (or replace) ``invitation``'s answers while its round is open.

    Attributed surveys: the response hangs on the invitation and can be changed
    until the round closes. Anonymous surveys: the answers are sealed and join the
    results with others' (``surveys.anonymity``); the invitation only becomes
    "answered". A random key, of which only a hash is stored, lets the
    respondent's browser read them back (and change them while still sealed).
    Returns the key to give the browser ("" for attributed surveys, or when the
    browser's key was used).
    """
    now = now or timezone.now()
    instance = SurveyInstance.objects.select_for_update().select_related("survey").get(pk=invitation.instance_id)
    tallies.lock(instance.survey_id)  # Before any row: the order every writer of the survey's totals follows.
    if not instance.is_open_at(now):
        raise ValidationError(survey_closed_message(instance))
    survey = instance.survey
    questions = list(survey.questions.all())
    clean = survey_answers_check(questions=questions, answers=answers)
    if not clean:
        raise ValidationError("Answer at least one question before you send your answers.")
    if survey.anonymous:
        return anonymity.anonymous_submit(
            invitation=invitation, instance=instance, clean=clean, edit_key=edit_key, now=now
        )
    person = invitation.enrollment.person
    # The running totals (surveys.tallies): the answers replaced come off, the new ones go on.
    changes = tallies.Changes(survey)
    multiple = tallies.multiple_choice(questions)
    changes.add_answers(
        SurveyAnswer.objects.filter(response__invitation=invitation).values_list(*tallies.ANSWER_VALUES),
        multiple=multiple,
        sign=-1,
    )
    response, created = SurveyResponse.objects.update_or_create(
        invitation=invitation,
        defaults={
            "survey": survey,
            "instance": instance,
            "role": invitation.role,
            "department": person.department.name if person.department_id else "",
            "submitted_on": timezone.localdate(now),
        },
    )
    if SurveyInvitation.objects.filter(pk=invitation.pk, answered=False).update(answered=True):
        changes.add_round(instance.occurs_on, answered=1)
    invitation.answered = True
    if created:
        changes.add_round(instance.occurs_on, responses=1)
    response.answers.all().delete()
    rows = anonymity.answer_rows(response=response, questions=questions, clean=clean)
    SurveyAnswer.objects.bulk_create(rows)
    changes.add_answers(tallies.answer_rows_of(rows, occurs_on=instance.occurs_on), multiple=multiple)
    changes.save()
    response_id, survey_id, enrollment_id = response.pk, survey.pk, invitation.enrollment_id
    transaction.on_commit(
        lambda: signals.survey_answered.send_robust(
            sender=SurveyResponse, response_id=response_id, survey_id=survey_id, enrollment_id=enrollment_id
        )
    )
    return ""
