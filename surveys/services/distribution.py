"""Distribution: rounds opened by events (a session held, a pairing ended early) and by
schedules, invitations, reminders and closing, by the hourly sweep.

Safe to run twice: a round is unique per survey and occurrence, an invitation per round and
person, each notification has an idempotency key (``survey-invitation:<id>``,
``survey-reminder:<id>``), and the sweep marks what it has sent (``invited_at``,
``reminded_at``) in the same transaction, so the next run only looks at what is left.
Everything works in bulk: the queries per run grow with the number of surveys and batches,
not with people or pairings."""

import logging
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from core.models import Notification
from core.notifications import notification_emails_queue, notifications_send_bulk
from matching.models import Pairing
from programs.models import Enrollment, Program
from surveys import anonymity, tallies
from surveys.models import (
    PAIRING_SCHEDULE_TRIGGERS,
    PROGRAM_SCHEDULE_TRIGGERS,
    Survey,
    SurveyInstance,
    SurveyInvitation,
    Trigger,
)

logger = logging.getLogger(__name__)

# --- Distribution -----------------------------------------------------------------------


@dataclass
class Round:
    """A round the sweep or an event wants open, and who it asks."""

    occurrence: str
    occurs_on: date
    invitees: list[tuple[int, str]] = field(default_factory=list)  # (enrollment id, role)
    pairing_id: int | None = None
    session_id: int | None = None


@transaction.atomic
def survey_rounds_open(*, survey: Survey, rounds: list[Round], now: datetime) -> list[int]:
    """Open the rounds not open yet and invite their people; returns the new rounds' ids.
    The invitations are sent by ``survey_invitations_send`` (the sweep, or a task
    an event hook queues).

    Set-based: one query for what exists, one insert for the rounds, one for the
    invitations, and the survey's running totals (``surveys.tallies``). The survey's row
    is locked first, so a concurrent run waits and then finds the rounds open; the
    unique constraints still ignore a round or invitation inserted twice.
    """
    rounds = [r for r in rounds if r.invitees]
    if not rounds:
        return []
    tallies.lock(survey.pk)
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
    changes = tallies.Changes(survey)
    for r in new:  # New rounds (under the lock): each distinct invitee was inserted.
        changes.add_round(r.occurs_on, rounds=1, invited=len({enrollment_id for enrollment_id, _ in r.invitees}))
    changes.save()
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
            "kind": Notification.Kind.SURVEY_REMINDER,
            "key": f"survey-reminder:{row['pk']}",
            "title": f"Reminder: “{title}” closes {closes}",
            "body": f"You haven't answered “{title}” for {program} yet. It takes a few minutes. {privacy}",
        }
    else:
        item = {
            "kind": Notification.Kind.SURVEY_INVITATION,
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
