""" "Download my data": a zip of JSON (and CSV where the data is a table), built in the
background, kept in the database for ``DATA_EXPORT_HOURS`` and downloadable by its owner only.

The request claims nothing but one row: while an export of the same account is waiting or
being built, asking again returns that one (a double click builds one export). The job
claims the row with a conditional UPDATE, so a message delivered twice builds once.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.jobs import task_queue_on_commit
from core.models import Notification
from datarights.models import DataExport
from goals.models import Goal, GoalComment
from matching.models import MentorshipRequest, Pairing
from people.models import Person, SelfIdentification, User
from programs.models import Enrollment, ProgramQuestion
from sessions.models import ActionItem, MentoringSession, PrivateNote
from surveys.models import SurveyAnswer

logger = logging.getLogger(__name__)

# A build whose worker went away (no progress for this long) may be claimed again.
STALE_BUILD = timedelta(minutes=30)

README = """\
Your data from the {product} mentoring platform
=================================================

Made on {made} (UTC) for the account {email}.

Files (JSON; the tables also as CSV):

  account.json               your sign-in account
  directory_entry.json       your entry in the employee directory (from the HR system)
  self_identification.json   what you chose to share about yourself (empty when nothing)
  enrollments.json / .csv    the programs you joined, with your profile answers
  pairings.json              your mentors and mentees
  mentorship_requests.json   requests you sent or received
  goals.json                 your goals, their milestones, and the comments you wrote
  sessions.json / .csv       the sessions you took part in, with their shared notes
  action_items.json          action items of your sessions
  private_notes.json         your private notes (only you ever saw them)
  survey_answers.json / .csv your answers to ATTRIBUTED surveys
  notifications.json / .csv  the notifications you received

About anonymous surveys: your answers to anonymous surveys are NOT in this download,
and cannot be. They were stored without any link to you (sealed, then released in
random order with random ids together with other people's answers), so nobody, the
platform included, can tell which answers were yours. This is by construction.
"""

STEPS = (
    ("account", "Your account and directory entry"),
    ("enrollments", "Your programs and profile answers"),
    ("pairings", "Your pairings and requests"),
    ("goals", "Your goals"),
    ("sessions", "Your sessions and notes"),
    ("surveys", "Your survey answers"),
    ("notifications", "Your notifications"),
)


def data_export_hours() -> int:
    return settings.DATA_EXPORT_HOURS


@transaction.atomic
def data_export_request(*, user: User) -> tuple[DataExport, bool]:
    """Queue a new export for ``user``, or return the one already waiting or being built.

    Returns ``(export, created)``. The account row is locked first, so two requests at the
    same moment (a double click) make one export."""
    from datarights.tasks import data_export_build

    User.objects.select_for_update().filter(pk=user.pk).first()
    pending = DataExport.objects.filter(user=user, status__in=DataExport.PENDING_STATUSES).first()
    if pending is not None:
        return pending, False
    export = DataExport.objects.create(user=user, step="Waiting for a worker…")
    task_queue_on_commit(data_export_build, export.pk)
    return export, True


def data_export_build(*, export_id: int) -> bool:
    """Build one queued export (reporting progress after each part). Returns True when ready."""
    now = timezone.now()
    claimable = Q(status=DataExport.Status.QUEUED) | Q(
        status=DataExport.Status.BUILDING, updated_at__lt=now - STALE_BUILD
    )
    claimed = DataExport.objects.filter(claimable, pk=export_id).update(
        status=DataExport.Status.BUILDING, progress=0, step=STEPS[0][1], updated_at=now
    )
    if claimed != 1:
        return False
    export = DataExport.objects.select_related("user").get(pk=export_id)
    try:
        content = _zip_build(export)
    except Exception:  # noqa: BLE001 - the export must not stay "being built" forever; logged
        logger.exception("Data export %s could not be built", export_id)
        DataExport.objects.filter(pk=export_id, status=DataExport.Status.BUILDING).update(
            status=DataExport.Status.FAILED, step="An unexpected error stopped the export.", updated_at=timezone.now()
        )
        return False
    finished = timezone.now()
    done = DataExport.objects.filter(pk=export_id, status=DataExport.Status.BUILDING).update(
        status=DataExport.Status.READY,
        content=content,
        size=len(content),
        progress=100,
        step="Ready",
        finished_at=finished,
        expires_at=finished + timedelta(hours=data_export_hours()),
        updated_at=finished,
    )
    logger.info("Data export %s built for user %s (%s bytes)", export_id, export.user_id, len(content))
    return bool(done)


def data_export_is_live(export: DataExport, *, now=None) -> bool:
    """Whether ``export`` can still be downloaded."""
    now = now or timezone.now()
    return export.status == DataExport.Status.READY and export.expires_at is not None and export.expires_at > now


def data_export_downloaded(*, export: DataExport) -> None:
    DataExport.objects.filter(pk=export.pk, downloaded_at__isnull=True).update(downloaded_at=timezone.now())


def data_exports_expire(*, now=None) -> int:
    """Delete the files of exports past their time (and of builds that failed); the rows stay
    for HR's list of requests. Idempotent. Returns how many files were deleted."""
    now = now or timezone.now()
    expired = DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lte=now).update(
        status=DataExport.Status.EXPIRED, content=None, updated_at=now
    )
    DataExport.objects.filter(status=DataExport.Status.FAILED).exclude(content=None).update(content=None)
    if expired:
        logger.info("Data exports expired: %s files deleted", expired)
    return expired


# --- Building the zip ------------------------------------------------------------------------


def _progress(export_id: int, index: int) -> None:
    percent = min(95, 100 * index // len(STEPS))
    step = STEPS[index][1] if index < len(STEPS) else "Packing the file"
    DataExport.objects.filter(pk=export_id).update(progress=percent, step=step, updated_at=timezone.now())


def _json(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    if not rows:
        return ""
    columns = list(rows[0])
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row.get(key)) for key in columns})
    return out.getvalue()


def _cell(value):
    if isinstance(value, list | dict):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if value is None:
        return ""
    text = str(value)
    # A spreadsheet would run a cell that starts like a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _zip_build(export: DataExport) -> bytes:
    user = export.user
    person = Person.objects.select_related("department", "location", "manager").filter(user=user).first()
    files: dict[str, str] = {}
    parts = [
        lambda: _account_part(user, person),
        lambda: _enrollments_part(person),
        lambda: _pairings_part(person),
        lambda: _goals_part(user, person),
        lambda: _sessions_part(user, person),
        lambda: _surveys_part(person),
        lambda: _notifications_part(user),
    ]
    for index, part in enumerate(parts):
        _progress(export.pk, index)
        files.update(part())
    _progress(export.pk, len(STEPS))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            README.format(
                product=settings.PRODUCT_NAME, made=timezone.now().strftime("%Y-%m-%d %H:%M"), email=user.email
            ),
        )
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _account_part(user: User, person: Person | None) -> dict[str, str]:
    account = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "is_hr_admin": user.is_hr_admin,
    }
    entry = None
    identification = {}
    if person is not None:
        entry = {
            "id": person.pk,
            "email": person.email,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "title": person.title,
            "department": person.department.name if person.department else "",
            "location": person.location.name if person.location else "",
            "manager": person.manager.full_name if person.manager else "",
            "time_zone": person.time_zone,
            "languages": list(person.languages.values_list("name", flat=True)),
            "seniority": person.seniority,
            "hire_date": person.hire_date,
            "termination_date": person.termination_date,
            "promotion_date": person.promotion_date,
        }
        record = SelfIdentification.objects.filter(person=person).first()
        if record is not None:
            identification = {
                field: getattr(record, f"get_{field}_display")() if getattr(record, field) else ""
                for field in ("gender", "age_band", "disability", "lgbtq", "first_generation_professional")
            }
            identification["ethnicity"] = record.ethnicity
            identification["updated_at"] = record.updated_at
    return {
        "account.json": _json(account),
        "directory_entry.json": _json(entry),
        "self_identification.json": _json(identification),
    }


def _enrollments_part(person: Person | None) -> dict[str, str]:
    if person is None:
        return {"enrollments.json": _json([])}
    enrollments = Enrollment.objects.filter(person=person).select_related("program").prefetch_related("skills__skill")
    questions = dict(
        ProgramQuestion.objects.filter(program__enrollments__person=person).values_list("pk", "text").distinct()
    )
    rows = []
    for enrollment in enrollments:
        rows.append(
            {
                "program": enrollment.program.name,
                "role": enrollment.role,
                "status": enrollment.get_status_display(),
                "applied_at": enrollment.applied_at,
                "decided_at": enrollment.decided_at,
                "objectives": enrollment.objectives,
                "goals": enrollment.goals_text,
                "meeting_format": enrollment.meeting_format,
                "availability_hours": enrollment.availability_hours,
                "mentor_capacity": enrollment.mentor_capacity,
                "working_style": enrollment.working_style,
                "skills": [{"skill": item.skill.name, "direction": item.direction} for item in enrollment.skills.all()],
                "answers": {
                    questions.get(int(key), f"question {key}") if str(key).isdigit() else key: value
                    for key, value in (enrollment.answers or {}).items()
                },
            }
        )
    return {"enrollments.json": _json(rows), "enrollments.csv": _csv(rows)}


def _pairings_part(person: Person | None) -> dict[str, str]:
    if person is None:
        return {"pairings.json": _json([]), "mentorship_requests.json": _json([])}
    pairings = (
        Pairing.objects.filter(Q(mentor__person=person) | Q(mentee__person=person))
        .select_related("program", "mentor__person", "mentee__person")
        .order_by("created_at")
    )
    rows = []
    for pairing in pairings:
        mine_as_mentor = pairing.mentor.person_id == person.pk
        partner = pairing.mentee.person if mine_as_mentor else pairing.mentor.person
        rows.append(
            {
                "program": pairing.program.name,
                "your_role": "mentor" if mine_as_mentor else "mentee",
                "partner": partner.full_name,
                "status": pairing.get_status_display(),
                "created_at": pairing.created_at,
                "started_at": pairing.started_at,
                "ended_at": pairing.ended_at,
                "end_reason": pairing.end_reason,
            }
        )
    requests = [
        {
            "program": request.program.name,
            "you_were": "mentee" if request.mentee.person_id == person.pk else "mentor",
            "mentee": request.mentee.person.full_name,
            "mentor": request.mentor.person.full_name,
            "message": request.message,
            "status": request.get_status_display(),
            "decline_reason": request.decline_reason,
            "created_at": request.created_at,
        }
        for request in MentorshipRequest.objects.filter(Q(mentee__person=person) | Q(mentor__person=person))
        .select_related("program", "mentee__person", "mentor__person")
        .order_by("created_at")
    ]
    return {"pairings.json": _json(rows), "mentorship_requests.json": _json(requests)}


def _goals_part(user: User, person: Person | None) -> dict[str, str]:
    goals = []
    if person is not None:
        for goal in (
            Goal.objects.filter(enrollment__person=person)
            .select_related("enrollment__program")
            .prefetch_related("milestones")
            .order_by("created_at")
        ):
            goals.append(
                {
                    "program": goal.enrollment.program.name,
                    "title": goal.title,
                    "why_it_matters": goal.description,
                    "success_measure": goal.success_measure,
                    "target_date": goal.target_date,
                    "status": goal.get_status_display(),
                    "progress": goal.progress,
                    "created_at": goal.created_at,
                    "milestones": [
                        {"title": m.title, "due_date": m.due_date, "done_at": m.done_at} for m in goal.milestones.all()
                    ],
                }
            )
    comments = [
        {"goal": comment.goal.title, "comment": comment.body, "written_at": comment.created_at}
        for comment in GoalComment.objects.filter(author=user).select_related("goal").order_by("created_at")
    ]
    return {"goals.json": _json({"goals": goals, "comments_you_wrote": comments})}


def _sessions_part(user: User, person: Person | None) -> dict[str, str]:
    if person is None:
        return {"sessions.json": _json([]), "private_notes.json": _json([]), "action_items.json": _json([])}
    sessions = (
        MentoringSession.objects.filter(Q(pairing__mentor__person=person) | Q(pairing__mentee__person=person))
        .select_related("pairing__program")
        .order_by("starts_at")
    )
    rows = [
        {
            "program": session.pairing.program.name,
            "starts_at": session.starts_at,
            "duration_minutes": session.duration_minutes,
            "status": session.get_status_display(),
            "format": session.format,
            "place": session.place,
            "agenda": session.agenda,
            "topics": session.topics,
            "topics_other": session.topics_other,
            "shared_notes": session.shared_notes,
            "cancel_reason": session.cancel_reason,
        }
        for session in sessions
    ]
    notes = [
        {"session_starts_at": note.session.starts_at, "note": note.body}
        for note in PrivateNote.objects.filter(author=user).select_related("session").order_by("session__starts_at")
    ]
    items = [
        {"title": item.title, "owner": item.owner.full_name, "due_date": item.due_date, "done_at": item.done_at}
        for item in ActionItem.objects.filter(
            Q(pairing__mentor__person=person) | Q(pairing__mentee__person=person)
        ).select_related("owner")
    ]
    return {
        "sessions.json": _json(rows),
        "sessions.csv": _csv(rows),
        "private_notes.json": _json(notes),
        "action_items.json": _json(items),
    }


def _surveys_part(person: Person | None) -> dict[str, str]:
    """Attributed answers only: an anonymous answer has no link to the person (by construction)."""
    if person is None:
        return {"survey_answers.json": _json([])}
    answers = (
        SurveyAnswer.objects.filter(response__invitation__enrollment__person=person)
        .select_related("question", "response__survey")
        .order_by("response__submitted_on", "question__pk")
    )
    rows = [
        {
            "survey": answer.response.survey.title,
            "answered_on": answer.response.submitted_on,
            "question": answer.question.text,
            "number": answer.number,
            "choice": answer.choice,
            "text": answer.text,
        }
        for answer in answers
    ]
    return {"survey_answers.json": _json(rows), "survey_answers.csv": _csv(rows)}


def _notifications_part(user: User) -> dict[str, str]:
    rows = list(
        Notification.objects.filter(recipient=user)
        .order_by("created_at")
        .values("created_at", "kind", "title", "body", "url", "read_at")
    )
    return {"notifications.json": _json(rows), "notifications.csv": _csv(rows)}
