"""The survey builder: the template library, surveys and their questions.

Editing rule: once a survey has an answer, only the wording of its questions (text and
hint) can change; type, options, "required", order, adding and deleting are refused, so the
results stay comparable. HR copies the survey to change more."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max
from django.utils import timezone

from core.services import model_fields_assign
from programs.models import Program
from surveys import anonymity, library, tallies
from surveys.models import (
    TRIGGER_DAYS_MEANING,
    SealedSurveyResponse,
    Survey,
    SurveyQuestion,
    SurveyResponse,
    Trigger,
)

logger = logging.getLogger(__name__)

SURVEY_FIELDS = ("title", "description", "audience", "anonymous", "trigger", "days", "open_days", "reminder_days")
QUESTION_FIELDS = ("kind", "text", "help_text", "choices", "required")
WORDING_FIELDS = ("text", "help_text")
MAX_OPEN_DAYS = 90
MAX_DAYS = 365
MAX_TEXT_ANSWER = 5000
MAX_CHOICES = 20

LOCKED_AFTER_ANSWERS = (
    "People have already answered this survey, so only the wording of its questions can change "
    "(the results must stay comparable). To ask something different, make a copy and pause this survey."
)


# --- The template library ---------------------------------------------------------------


def survey_templates_install() -> int:
    """Install or update the ready-made templates (also done by migrate and seed_demo)."""
    with transaction.atomic():
        return library.templates_install(survey_model=Survey, question_model=SurveyQuestion)


# --- Building surveys -------------------------------------------------------------------


def survey_check(
    *, trigger: str, days: int | None, open_days: int, reminder_days: int, anonymous: bool = False
) -> None:
    """Refuse a schedule that cannot work, naming the field to fix. An anonymous survey
    must go to the whole program at once (``surveys.anonymity``)."""
    errors = {}
    if trigger not in Trigger.values:
        errors["trigger"] = "Choose when the survey is sent."
    elif anonymous and anonymity.trigger_refusal(trigger):
        errors["trigger"] = anonymity.trigger_refusal(trigger)
    elif trigger in TRIGGER_DAYS_MEANING:
        minimum = 0 if trigger == Trigger.PROGRAM_END else 1
        if days is None:
            errors["days"] = f"Say how many {TRIGGER_DAYS_MEANING[trigger]}."
        elif not minimum <= days <= MAX_DAYS:
            errors["days"] = f"Use a number of days from {minimum} to {MAX_DAYS}."
        elif trigger in (Trigger.PROGRAM_EVERY, Trigger.PAIRING_EVERY) and open_days and days < open_days:
            errors["days"] = (
                f"Rounds {days} days apart would overlap: each stays open {open_days} days. "
                "Space them at least as far apart as they stay open."
            )
    if not 2 <= (open_days or 0) <= MAX_OPEN_DAYS:
        errors["open_days"] = f"A round stays open from 2 to {MAX_OPEN_DAYS} days."
    elif not 1 <= (reminder_days or 0) < open_days:
        errors["reminder_days"] = f"Remind between 1 and {open_days - 1} days before the round closes."
    if errors:
        raise ValidationError(errors)


def survey_has_answers(*, survey: Survey) -> bool:
    """Whether anyone answered (released or still sealed anonymous answers count too). One query."""
    answered = Exists(SurveyResponse.objects.filter(survey=survey)) | Exists(
        SealedSurveyResponse.objects.filter(survey=survey)
    )
    return Survey.objects.filter(answered, pk=survey.pk).exists()


def _survey_set_fields(survey: Survey, fields: dict) -> None:
    model_fields_assign(survey, fields, allowed=SURVEY_FIELDS, what="survey fields")
    if survey.trigger not in TRIGGER_DAYS_MEANING:
        survey.days = None
    survey_check(
        trigger=survey.trigger,
        days=survey.days,
        open_days=survey.open_days,
        reminder_days=survey.reminder_days,
        anonymous=survey.anonymous,
    )
    survey.full_clean(exclude=["program", "created_by"])


def _program_check_open(program: Program) -> None:
    if program.status == Program.Status.CLOSED:
        raise ValidationError(f"“{program.name}” is closed: its surveys can no longer change.")


@transaction.atomic
def survey_create(*, program: Program, user, **fields) -> Survey:
    _program_check_open(program)
    survey = Survey(program=program, created_by=user)
    _survey_set_fields(survey, fields)
    survey.save()
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, user, **fields) -> Survey:
    _program_check_open(survey.program)
    was_anonymous, was_program_wide = survey.anonymous, survey.is_program_wide
    _survey_set_fields(survey, fields)
    if survey.anonymous != was_anonymous and survey.instances.exists():
        promise = "anonymous" if was_anonymous else "with their names"
        message = f"People were already asked to answer {promise}; that promise can't change. Make a copy instead."
        raise ValidationError({"anonymous": message})
    survey.save()
    if survey.is_program_wide != was_program_wide:
        # The results chart rounds by day or by month now: the running totals follow.
        tallies.survey_tallies_rebuild(survey=survey)
    return survey


@transaction.atomic
def survey_copy(*, source: Survey, program: Program, user) -> Survey:
    """A draft copy of ``source`` (a library template or another survey) in ``program``."""
    _program_check_open(program)
    title = source.title if source.is_template else f"{source.title} (copy)"
    copy = Survey.objects.create(
        program=program,
        copied_from=source,
        created_by=user,
        title=title[:150],
        **{name: getattr(source, name) for name in SURVEY_FIELDS if name != "title"},
    )
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(survey=copy, order=position, **{name: getattr(q, name) for name in QUESTION_FIELDS})
        for position, q in enumerate(source.questions.all())
    )
    return copy


@transaction.atomic
def survey_delete(*, survey: Survey, user) -> None:
    if survey.instances.exists():
        raise ValidationError(
            "This survey has already been sent, so deleting it would delete people's answers. Pause it instead."
        )
    survey.delete()


@transaction.atomic
def survey_activate(*, survey: Survey, user) -> Survey:
    """Start sending: new rounds open by the survey's trigger."""
    _program_check_open(survey.program)
    if not survey.questions.exists():
        raise ValidationError("Add at least one question before sending the survey.")
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.ACTIVE, updated_at=timezone.now())
    survey.status = Survey.Status.ACTIVE
    return survey


@transaction.atomic
def survey_pause(*, survey: Survey, user) -> Survey:
    """Stop opening new rounds; rounds already open stay open until they close."""
    if survey.status != Survey.Status.ACTIVE:
        raise ValidationError("Only a survey that is being sent can be paused.")
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.PAUSED, updated_at=timezone.now())
    survey.status = Survey.Status.PAUSED
    return survey


def survey_question_check(*, kind: str, choices: list[str]) -> None:
    if kind not in SurveyQuestion.Kind.values:
        raise ValidationError({"kind": "Choose a type of question."})
    if kind in SurveyQuestion.CHOICE_KINDS:
        if len(choices) < 2:
            raise ValidationError({"choices": "Give at least two options, one per line."})
        if len(choices) > MAX_CHOICES:
            raise ValidationError({"choices": f"Give at most {MAX_CHOICES} options."})
        if len({c.casefold() for c in choices}) != len(choices):
            raise ValidationError({"choices": "Each option must be different."})
        if any(len(c) > 200 for c in choices):
            raise ValidationError({"choices": "Keep each option under 200 characters."})


def _question_set_fields(question: SurveyQuestion, fields: dict) -> None:
    model_fields_assign(question, fields, allowed=QUESTION_FIELDS, what="question fields")
    if question.kind not in SurveyQuestion.CHOICE_KINDS:
        question.choices = []
    survey_question_check(kind=question.kind, choices=question.choices)
    question.full_clean(exclude=["survey"])


def _questions_check_editable(survey: Survey) -> None:
    _program_check_open(survey.program)
    if survey_has_answers(survey=survey):
        raise ValidationError(LOCKED_AFTER_ANSWERS)


@transaction.atomic
def survey_question_create(*, survey: Survey, user, **fields) -> SurveyQuestion:
    _questions_check_editable(survey)
    question = SurveyQuestion(survey=survey)
    _question_set_fields(question, fields)
    question.order = (survey.questions.aggregate(m=Max("order"))["m"] or 0) + 1
    question.save()
    return question


@transaction.atomic
def survey_question_update(*, question: SurveyQuestion, user, **fields) -> SurveyQuestion:
    """Change a question. Once people have answered, only its wording may change."""
    survey = question.survey
    _program_check_open(survey.program)
    if survey_has_answers(survey=survey):
        before = {name: getattr(question, name) for name in QUESTION_FIELDS}
        changed = {name for name, value in fields.items() if before.get(name) != value}
        if question.kind not in SurveyQuestion.CHOICE_KINDS and fields.get("choices") == []:
            changed.discard("choices")
        if changed - set(WORDING_FIELDS):
            raise ValidationError(LOCKED_AFTER_ANSWERS)
    _question_set_fields(question, fields)
    question.save()
    return question


@transaction.atomic
def survey_question_delete(*, question: SurveyQuestion, user) -> None:
    survey = question.survey
    _questions_check_editable(survey)
    if survey.status == Survey.Status.ACTIVE and survey.questions.count() == 1:
        raise ValidationError("A survey that is being sent needs at least one question. Pause it first.")
    question.delete()


@transaction.atomic
def survey_question_move(*, question: SurveyQuestion, direction: str, user) -> None:
    """Swap with the neighbour and renumber 0..n, so equal orders become a stable sequence."""
    if direction not in ("up", "down"):
        raise ValidationError("Move up or down.")
    _questions_check_editable(question.survey)
    items = list(question.survey.questions.all())
    index = next(i for i, other in enumerate(items) if other.pk == question.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items):
        other.order = position
    SurveyQuestion.objects.bulk_update(items, ["order"])
