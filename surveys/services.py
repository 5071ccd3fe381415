"""Survey writes: the builder, distribution (event hooks and the hourly sweep),
and answering.

Distribution is safe to run twice: a round is unique per survey and occurrence,
an invitation per round and person, each notification has an idempotency key
(``survey-invitation:<id>``, ``survey-reminder:<id>``), and the sweep marks what it
has sent (``invited_at``, ``reminded_at``) in the same transaction, so the next run
only looks at what is left. Everything works in bulk: the queries per run grow with
the number of surveys and batches, not with people or pairings.

Editing rule: once a survey has an answer, only the wording of its questions
(text and hint) can change; type, options, "required", order, adding and deleting
are refused, so the results stay comparable. HR copies the survey to change more.
"""

import logging
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from core.notifications import notification_emails_queue, notifications_send_bulk
from core.services import model_fields_assign
from matching.models import Pairing
from programs.models import Enrollment, Program
from surveys import anonymity, library, signals
from surveys.models import (
    PAIRING_SCHEDULE_TRIGGERS,
    PROGRAM_SCHEDULE_TRIGGERS,
    TRIGGER_DAYS_MEANING,
    SealedSurveyResponse,
    Survey,
    SurveyAnswer,
    SurveyInstance,
    SurveyInvitation,
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
    was_anonymous = survey.anonymous
    _survey_set_fields(survey, fields)
    if survey.anonymous != was_anonymous and survey.instances.exists():
        promise = "anonymous" if was_anonymous else "with their names"
        message = f"People were already asked to answer {promise}; that promise can't change. Make a copy instead."
        raise ValidationError({"anonymous": message})
    survey.save()
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


# --- Distribution -----------------------------------------------------------------------


@dataclass
class Round:
    """A round the sweep or an event wants open, and who it asks."""

    occurrence: str
    occurs_on: date
    invitees: list[tuple[int, str]] = field(default_factory=list)  # (enrollment id, role)
    pairing_id: int | None = None
    session_id: int | None = None


def survey_rounds_open(*, survey: Survey, rounds: list[Round], now: datetime) -> list[int]:
    """Open the rounds not open yet and invite their people; returns the new rounds' ids.
    The invitations are sent by ``survey_invitations_send`` (the sweep, or a task
    an event hook queues).

    Set-based: one query for what exists, one insert for the rounds, one for the
    invitations. A concurrent run inserting the same round or invitation is
    ignored by the unique constraints.
    """
    rounds = [r for r in rounds if r.invitees]
    if not rounds:
        return []
    wanted = {r.occurrence: r for r in rounds}
    existing = set(survey.instances.filter(occurrence__in=wanted).values_list("occurrence", flat=True))
    new = [r for occurrence, r in wanted.items() if occurrence not in existing]
    if not new:
        return []
    closes_at = now + timedelta(days=survey.open_days)
    SurveyInstance.objects.bulk_create(
        [
            SurveyInstance(
                survey=survey,
                occurrence=r.occurrence,
                pairing_id=r.pairing_id,
                session_id=r.session_id,
                occurs_on=r.occurs_on,
                opens_at=now,
                closes_at=closes_at,
                remind_at=closes_at - timedelta(days=survey.reminder_days),
            )
            for r in new
        ],
        ignore_conflicts=True,
    )
    ids = dict(survey.instances.filter(occurrence__in=[r.occurrence for r in new]).values_list("occurrence", "pk"))
    SurveyInvitation.objects.bulk_create(
        [
            SurveyInvitation(instance_id=ids[r.occurrence], enrollment_id=enrollment_id, role=role)
            for r in new
            for enrollment_id, role in r.invitees
        ],
        ignore_conflicts=True,
    )
    return [ids[r.occurrence] for r in new]


def _pairing_invitees(pairing: dict, roles: list[str]) -> list[tuple[int, str]]:
    """The pairing's people in the survey's audience."""
    people = [("mentor", pairing["mentor_id"]), ("mentee", pairing["mentee_id"])]
    return [(enrollment_id, role) for role, enrollment_id in people if role in roles]


PAIRING_VALUES = ("pk", "program_id", "mentor_id", "mentee_id")


def survey_audience(*, survey: Survey) -> list[tuple[int, str]]:
    """Everyone approved in the program in the survey's audience. People who have
    no account yet are asked too: they find the survey when they first sign in."""
    return list(
        Enrollment.objects.approved()
        .filter(program_id=survey.program_id, role__in=survey.roles)
        .values_list("pk", "role")
    )


def _due(occurs_on: date, today: date, survey: Survey) -> bool:
    """A round is due from its day until it would have closed: a late sweep still opens it, an old one doesn't."""
    return occurs_on <= today and (today - occurs_on).days < survey.open_days


def _program_round(survey: Survey, today: date) -> Round | None:
    program = survey.program
    start, end = program.start_date, program.end_date
    if survey.trigger == Trigger.PROGRAM_DAY:
        occurs_on, occurrence = start + timedelta(days=survey.days), f"program-day:{survey.days}"
    elif survey.trigger == Trigger.PROGRAM_MIDPOINT:
        occurs_on, occurrence = start + timedelta(days=(end - start).days // 2), "program-midpoint"
    elif survey.trigger == Trigger.PROGRAM_END:
        occurs_on, occurrence = end - timedelta(days=survey.days), f"program-end:{survey.days}"
    else:  # PROGRAM_EVERY
        number = (today - start).days // survey.days
        if number < 1:
            return None
        occurs_on, occurrence = start + timedelta(days=number * survey.days), f"program-every:{survey.days}:{number}"
    if not (start <= occurs_on <= end and _due(occurs_on, today, survey)):
        return None
    return Round(occurrence=occurrence, occurs_on=occurs_on)


def _pairing_round(survey: Survey, pairing: dict, today: date) -> Round | None:
    started_on = timezone.localdate(pairing["started_at"])
    end = survey.program.end_date
    prefix = f"pairing:{pairing['pk']}"
    if survey.trigger == Trigger.PAIRING_DAY:
        occurs_on, occurrence = started_on + timedelta(days=survey.days), f"{prefix}:day:{survey.days}"
    elif survey.trigger == Trigger.PAIRING_MIDPOINT:
        if end <= started_on:
            return None
        occurs_on = started_on + timedelta(days=(end - started_on).days // 2)
        occurrence = f"{prefix}:midpoint"
    else:  # PAIRING_EVERY
        number = (today - started_on).days // survey.days
        if number < 1:
            return None
        occurs_on = started_on + timedelta(days=number * survey.days)
        occurrence = f"{prefix}:every:{survey.days}:{number}"
    if occurs_on > end or not _due(occurs_on, today, survey):
        return None
    return Round(occurrence=occurrence, occurs_on=occurs_on, pairing_id=pairing["pk"])


def survey_instances_open_due(*, now: datetime | None = None) -> int:
    """Open the scheduled rounds that are due in running programs; returns how many opened.

    Queries per run grow with the number of scheduled surveys, not with people
    or pairings: each survey reads its program's participants or active
    pairings once and inserts rounds and invitations in bulk.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    surveys = Survey.objects.filter(
        status=Survey.Status.ACTIVE,
        program__status=Program.Status.RUNNING,
        trigger__in=PROGRAM_SCHEDULE_TRIGGERS + PAIRING_SCHEDULE_TRIGGERS,
    ).select_related("program")
    opened = 0
    pairings_by_program: dict[int, list[dict]] = {}
    for survey in surveys:
        if survey.trigger in PROGRAM_SCHEDULE_TRIGGERS:
            round_ = _program_round(survey, today)
            if round_ is None:
                continue
            round_.invitees = survey_audience(survey=survey)
            if survey.anonymous and anonymity.audience_refusal(len(round_.invitees)):
                logger.info("Anonymous survey %s not sent: audience under the privacy minimum", survey.pk)
                continue
            rounds = [round_]
        elif survey.anonymous:
            continue  # Paused by the anonymity migration; never sent per pairing.
        else:
            if survey.program_id not in pairings_by_program:
                pairings_by_program[survey.program_id] = list(
                    Pairing.objects.filter(
                        program_id=survey.program_id, status=Pairing.Status.ACTIVE, started_at__isnull=False
                    ).values(*PAIRING_VALUES, "started_at")
                )
            rounds = []
            for pairing in pairings_by_program[survey.program_id]:
                round_ = _pairing_round(survey, pairing, today)
                if round_ is not None:
                    round_.invitees = _pairing_invitees(pairing, survey.roles)
                    rounds.append(round_)
        with transaction.atomic():
            opened += len(survey_rounds_open(survey=survey, rounds=rounds, now=now))
    return opened


def _event_rounds_open(*, pairing_id: int, trigger: str, occurrence: str, session_id=None, now=None) -> list[int]:
    now = now or timezone.now()
    pairing = Pairing.objects.filter(pk=pairing_id).values(*PAIRING_VALUES, "status", "started_at").first()
    if pairing is None:
        logger.warning("Survey event %s ignored: no pairing %r", trigger, pairing_id)
        return []
    if trigger == Trigger.PAIRING_ENDED and (pairing["status"] != Pairing.Status.ENDED or not pairing["started_at"]):
        return []  # Completed pairings get the end-of-program survey; a proposal that never started has no story.
    if pairing["status"] in (Pairing.Status.PROPOSED, Pairing.Status.DECLINED):
        return []
    opened = []
    # Anonymous surveys never go to one pairing (the builder refuses them): skip any left over.
    surveys = Survey.objects.filter(
        program_id=pairing["program_id"], status=Survey.Status.ACTIVE, trigger=trigger, anonymous=False
    )
    for survey in surveys:
        round_ = Round(
            occurrence=occurrence,
            occurs_on=timezone.localdate(now),
            pairing_id=pairing["pk"],
            session_id=session_id,
            invitees=_pairing_invitees(pairing, survey.roles),
        )
        with transaction.atomic():
            opened += survey_rounds_open(survey=survey, rounds=[round_], now=now)
    for instance_id in opened:
        _invite_on_commit(instance_id)
    return opened


def _invite_on_commit(instance_id: int) -> None:
    from core.jobs import task_queue_on_commit
    from surveys.tasks import survey_instance_invite

    task_queue_on_commit(survey_instance_invite, instance_id)


def surveys_on_session_held(*, session_id: int, pairing_id: int, now: datetime | None = None) -> list[int]:
    """A session of ``pairing_id`` was held: open the program's post-session pulses
    for its two people. Call it when the session is logged as held; calling it
    again for the same session does nothing. Returns the ids of the rounds opened;
    the invitations go out when the caller's transaction commits."""
    return _event_rounds_open(
        pairing_id=pairing_id,
        trigger=Trigger.SESSION_HELD,
        occurrence=f"session:{int(session_id)}",
        session_id=int(session_id),
        now=now,
    )


def surveys_on_pairing_ended(*, pairing_id: int, now: datetime | None = None) -> list[int]:
    """A pairing that had started ended early (status "ended"): open the program's exit
    surveys for its two people. Completed pairings and proposals that never started
    are ignored; calling it twice does nothing more. Returns the ids of the rounds
    opened; the invitations go out when the caller's transaction commits."""
    return _event_rounds_open(
        pairing_id=pairing_id, trigger=Trigger.PAIRING_ENDED, occurrence=f"pairing-ended:{pairing_id}", now=now
    )


@transaction.atomic
def survey_send_now(*, survey: Survey, user, now: datetime | None = None) -> SurveyInstance:
    """Open a round of a hand-sent survey for the program's audience now."""
    now = now or timezone.now()
    if survey.trigger != Trigger.MANUAL or survey.status != Survey.Status.ACTIVE:
        raise ValidationError("Only a survey that HR sends by hand, and that is being sent, can be sent now.")
    still_open = survey.instances.open().filter(closes_at__gt=now).first()
    if still_open:
        raise ValidationError(
            f"A round of this survey is open until {date_format(timezone.localtime(still_open.closes_at), 'j M Y')}; "
            "send the next one after it closes."
        )
    today = timezone.localdate(now)
    invitees = survey_audience(survey=survey)
    if not invitees:
        raise ValidationError("Nobody in the survey's audience has joined the program yet.")
    if survey.anonymous and anonymity.audience_refusal(len(invitees)):
        raise ValidationError(anonymity.audience_refusal(len(invitees)))
    opened = survey_rounds_open(
        survey=survey,
        rounds=[Round(occurrence=f"manual:{today.isoformat()}", occurs_on=today, invitees=invitees)],
        now=now,
    )
    if not opened:
        raise ValidationError("This survey was already sent today.")
    _invite_on_commit(opened[0])
    return SurveyInstance.objects.get(pk=opened[0])


NOTIFY_BATCH = 500
NOTIFY_VALUES = (
    "pk",
    "instance__closes_at",
    "instance__survey__title",
    "instance__survey__anonymous",
    "instance__survey__program__name",
    "enrollment__person__user_id",
    "enrollment__person__time_zone",
)


def _closing_date(closes_at: datetime, time_zone: str) -> str:
    """The closing day in the person's own time zone ("Wednesday 9 December")."""
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_default_timezone()
    return date_format(closes_at.astimezone(zone), "l j F")


def _notification_item(row: dict, *, reminder: bool, email: bool, url_pattern: str) -> dict:
    title = row["instance__survey__title"]
    program = row["instance__survey__program__name"]
    closes = _closing_date(row["instance__closes_at"], row["enrollment__person__time_zone"])
    privacy = (
        "Your answers are anonymous." if row["instance__survey__anonymous"] else "The program team sees your answers."
    )
    if reminder:
        item = {
            "kind": "survey_reminder",
            "key": f"survey-reminder:{row['pk']}",
            "title": f"Reminder: “{title}” closes {closes}",
            "body": f"You haven't answered “{title}” for {program} yet. It takes a few minutes. {privacy}",
        }
    else:
        item = {
            "kind": "survey_invitation",
            "key": f"survey-invitation:{row['pk']}",
            "title": f"Please answer: {title}",
            "body": f"{program} asks for your feedback. Please answer by {closes}. {privacy}",
        }
    url = url_pattern.replace("999999999", str(row["pk"]))
    return {**item, "recipient_id": row["enrollment__person__user_id"], "url": url, "email": email}


def _invitations_notify(invitations: QuerySet, *, claim_field: str, now: datetime, reminder: bool, email: bool) -> int:
    """Notify the invitations' people in batches; returns how many notifications were created.

    Each batch marks its invitations (``claim_field``) and creates their notifications
    in one transaction, a few queries per batch. The notification keys
    (``survey-invitation:<id>``, ``survey-reminder:<id>``) make a second or concurrent
    run tell nobody twice. People without an account yet are marked but not notified:
    they find the survey on their home page when they first sign in.
    """
    url_pattern = reverse("surveys:invitation_answer", args=[999999999])
    rows = list(invitations.order_by("pk").values(*NOTIFY_VALUES))
    created = 0
    for start in range(0, len(rows), NOTIFY_BATCH):
        chunk = rows[start : start + NOTIFY_BATCH]
        items = [
            _notification_item(row, reminder=reminder, email=email, url_pattern=url_pattern)
            for row in chunk
            if row["enrollment__person__user_id"]
        ]
        with transaction.atomic():
            SurveyInvitation.objects.filter(
                pk__in=[row["pk"] for row in chunk], **{f"{claim_field}__isnull": True}
            ).update(**{claim_field: now})
            ids = notifications_send_bulk(items)
            notification_emails_queue(ids)
        created += len(ids)
    return created


def survey_invitations_send(
    *, now: datetime | None = None, instance_ids: list[int] | None = None, email: bool = True
) -> int:
    """Tell everyone invited to an open round who hasn't been told yet; returns how many were notified.
    ``email=False`` notifies in the app only (the demo data uses it)."""
    now = now or timezone.now()
    pending = SurveyInvitation.objects.filter(
        invited_at__isnull=True, instance__status=SurveyInstance.Status.OPEN, instance__closes_at__gt=now
    )
    if instance_ids is not None:
        pending = pending.filter(instance_id__in=instance_ids)
    return _invitations_notify(pending, claim_field="invited_at", now=now, reminder=False, email=email)


def survey_reminders_send(*, now: datetime | None = None) -> int:
    """Remind once, before the round closes, those who haven't answered."""
    now = now or timezone.now()
    due = SurveyInvitation.objects.filter(
        answered=False,
        invited_at__isnull=False,
        reminded_at__isnull=True,
        instance__status=SurveyInstance.Status.OPEN,
        instance__remind_at__lte=now,
        instance__closes_at__gt=now,
    )
    return _invitations_notify(due, claim_field="reminded_at", now=now, reminder=True, email=True)


def survey_instances_close_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return (
        SurveyInstance.objects.open()
        .filter(closes_at__lte=now)
        .update(status=SurveyInstance.Status.CLOSED, closed_at=now)
    )


def surveys_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The hourly job: close what is over, open what is due, invite, remind."""
    now = now or timezone.now()
    return {
        "closed": survey_instances_close_due(now=now),
        "opened": survey_instances_open_due(now=now),
        "invited": survey_invitations_send(now=now),
        "reminded": survey_reminders_send(now=now),
    }


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
    response, _ = SurveyResponse.objects.update_or_create(
        invitation=invitation,
        defaults={
            "survey": survey,
            "instance": instance,
            "role": invitation.role,
            "department": person.department.name if person.department_id else "",
            "submitted_on": timezone.localdate(now),
        },
    )
    SurveyInvitation.objects.filter(pk=invitation.pk).update(answered=True)
    invitation.answered = True
    response.answers.all().delete()
    SurveyAnswer.objects.bulk_create(anonymity.answer_rows(response=response, questions=questions, clean=clean))
    response_id, survey_id, enrollment_id = response.pk, survey.pk, invitation.enrollment_id
    transaction.on_commit(
        lambda: signals.survey_answered.send_robust(
            sender=SurveyResponse, response_id=response_id, survey_id=survey_id, enrollment_id=enrollment_id
        )
    )
    return ""
