"""Erasing a person: their directory entry, account and everything they wrote, anonymised.

The entry is never deleted: enrollments, pairings, sessions, goals and attributed survey
answers keep pointing at it, so every count, rate, snapshot and survey running total
stays the same. What is erased is what tells *who*: the name, the email, the account,
the text they wrote. Organisational fields the figures are grouped by (department,
seniority, hire, promotion and leaving dates) stay.

Last, a sweep over every text column of every model replaces what is left of their full
name and email addresses (a partner's notification "Your mentoring with ... has ended",
an import preview, an audit line) with the placeholder.
"""

from __future__ import annotations

import json
import logging

from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast

from core.errors import ServiceError
from core.models import FormSubmission, Notification
from datarights.models import DataExport, Erasure
from goals.models import Goal, GoalComment, GoalEvent, Milestone
from matching.models import MentorshipRequest, Pairing
from matching.services import pairing_end
from people import services as people_services
from people.models import Person, User
from programs.models import Enrollment, ProgramQuestion
from sessions.models import ActionItem, CalendarFeed, MentoringSession, PrivateNote, Resource
from surveys.models import SurveyAnswer

logger = logging.getLogger(__name__)

ERASED = "[erased]"
PLACEHOLDER_DOMAIN = "erased.invalid"  # RFC 2606: can never be delivered
PAIRING_END_REASON = "Your partner's data was erased from the platform."
# Text shorter than this is not swept for (a two-letter name would rewrite unrelated text).
MIN_NEEDLE = 5
# Tables whose text is not the person's words: keyed hashes, ciphertext, the sessions deleted above.
SWEEP_SKIP = {
    ("people", "DisclosureRelease"),
    ("surveys", "SealedSurveyResponse"),
    ("sessions", "Session"),
    ("datarights", "Erasure"),
    ("datarights", "RetentionRun"),
}


class ErasureError(ServiceError):
    """An erasure that may not happen (yet); the message says why."""


def erased_name(person_id: int) -> str:
    return f"Erased person #{person_id}"


def erased_email(person_id: int) -> str:
    return f"erased-{person_id}@{PLACEHOLDER_DOMAIN}"


def person_live_pairings(*, person: Person):
    return Pairing.objects.live().filter(Q(mentor__person=person) | Q(mentee__person=person))


def erasure_refusal(*, person: Person, by: User | None, end_pairings: bool) -> str:
    """Why ``person`` cannot be erased now ("" when they can)."""
    if Erasure.objects.filter(person=person).exists():
        return "This person has already been erased."
    user = person.user
    if by is not None and user is not None and user.pk == by.pk:
        return "You cannot erase yourself: ask another HR admin."
    if user is not None and (user.is_hr_admin or user.is_superuser):
        return "This person is an HR admin (or a superuser): remove that role first."
    if not end_pairings and person_live_pairings(person=person).exists():
        return (
            "This person is in a live pairing. Tick “end their pairings” to end it first "
            "(their partner is told), or end it from the pairing's page."
        )
    if end_pairings and by is None and person_live_pairings(person=person).exists():
        return "Only an HR admin can end a pairing."
    return ""


@transaction.atomic
def person_erase(
    *, person: Person, by: User | None, end_pairings: bool = False, reason: str = Erasure.Reason.HR
) -> Erasure:
    """Anonymise ``person`` everywhere (see the module docstring); one transaction.

    Refuses (``ErasureError``) when they were erased already (a double submit), are an HR
    admin, are ``by`` themselves, or are in a live pairing and ``end_pairings`` is off.
    With ``end_pairings`` their live pairings end through matching (partners are told).
    """
    person = Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
    refusal = erasure_refusal(person=person, by=by, end_pairings=end_pairings)
    if refusal:
        raise ErasureError(refusal)
    user = person.user
    names = {person.full_name}
    emails = {person.email}
    if user is not None:
        names.add(user.get_full_name())
        emails.add(user.email)
        EmailAddress = apps.get_model("account", "EmailAddress")
        emails.update(EmailAddress.objects.filter(user=user).values_list("email", flat=True))

    counts: dict[str, int] = {}
    ended = 0
    if end_pairings:
        for pairing in person_live_pairings(person=person).select_related(
            "program", "mentor__person__user", "mentee__person__user"
        ):
            pairing_end(pairing=pairing, user=by, reason=PAIRING_END_REASON)
            ended += 1

    counts.update(_free_text_erase(person=person, user=user))
    counts["partners_downloads"] = _partners_downloads_delete(person)
    counts["self_identification"] = int(people_services.self_identification_withdraw(person=person))
    if user is not None:
        counts.update(_account_erase(user=user, person_id=person.pk))
    _person_anonymise(person)
    counts["text_swept"] = _sweep(
        needles=[n for n in names | emails if n and len(n) >= MIN_NEEDLE],
        replacement_for=lambda needle: erased_email(person.pk) if "@" in needle else erased_name(person.pk),
    )
    erasure = Erasure.objects.create(
        person=person,
        person_number=person.pk,
        reason=reason,
        erased_by=by,
        pairings_ended=ended,
        counts=counts,
    )
    logger.info(
        "Person %s erased (%s) by user %s; %s pairings ended", person.pk, reason, getattr(by, "pk", None), ended
    )
    return erasure


def _person_anonymise(person: Person) -> None:
    person.first_name = erased_name(person.pk)
    person.last_name = ""
    person.email = erased_email(person.pk)
    person.title = ""
    person.manager = None
    person.location = None
    person.time_zone = "UTC"
    person.save()
    person.languages.clear()


def _account_erase(*, user: User, person_id: int) -> dict[str, int]:
    """Deactivate the account, with no name, no usable password, no address and no session."""
    user.email = erased_email(person_id)
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.set_unusable_password()
    user.save()
    counts = {}
    EmailAddress = apps.get_model("account", "EmailAddress")
    counts["email_addresses"] = EmailAddress.objects.filter(user=user).delete()[0]
    if apps.is_installed("allauth.mfa"):
        counts["authenticators"] = apps.get_model("mfa", "Authenticator").objects.filter(user=user).delete()[0]
    counts["sessions"] = _sessions_delete(user)
    counts["notifications"] = Notification.objects.filter(recipient=user).delete()[0]
    counts["calendar_feeds"] = CalendarFeed.objects.filter(user=user).delete()[0]
    counts["form_submissions"] = FormSubmission.objects.filter(user=user).delete()[0]
    # Their downloads' files go; the rows stay in HR's list of requests (who asked, when).
    counts["data_exports"] = (
        DataExport.objects.filter(user=user)
        .exclude(status=DataExport.Status.EXPIRED, content=None)
        .update(status=DataExport.Status.EXPIRED, content=None, size=0)
    )
    return counts


def _partners_downloads_delete(person: Person) -> int:
    """Their mentors' and mentees' downloads name them (a zip the sweep cannot read): those
    files are deleted now rather than when they expire; the partners can ask again."""
    pairings = Pairing.objects.filter(Q(mentor__person=person) | Q(mentee__person=person))
    partners = set(pairings.values_list("mentor__person__user", flat=True)) | set(
        pairings.values_list("mentee__person__user", flat=True)
    )
    partners.discard(None)
    partners.discard(person.user_id)
    return (
        DataExport.objects.filter(user__in=partners)
        .exclude(content=None)
        .update(status=DataExport.Status.EXPIRED, content=None, size=0)
    )


def _sessions_delete(user: User) -> int:
    """Sign the account out everywhere: delete its database sessions (the store is the database)."""
    wanted = str(user.pk)
    doomed = []
    for session in Session.objects.iterator(chunk_size=500):
        try:
            if str(session.get_decoded().get("_auth_user_id")) == wanted:
                doomed.append(session.pk)
        except Exception:  # noqa: BLE001, S112 - an undecodable session is nobody's
            continue
    return Session.objects.filter(pk__in=doomed).delete()[0]


def _erase(queryset, *fields) -> int:
    """Replace each non-empty field of ``queryset``'s rows with "[erased]"; returns rows changed."""
    changed = 0
    for field in fields:
        changed += queryset.exclude(**{field: ""}).exclude(**{field: ERASED}).update(**{field: ERASED})
    return changed


def _free_text_erase(*, person: Person, user: User | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    enrollments = Enrollment.objects.filter(person=person)
    counts["profile_answers"] = _enrollments_erase(enrollments)
    goals = Goal.objects.filter(enrollment__person=person)
    if user is not None:
        goals = Goal.objects.filter(Q(enrollment__person=person) | Q(created_by=user))
    counts["goals"] = _erase(goals, "title", "description", "success_measure")
    counts["milestones"] = _erase(Milestone.objects.filter(goal__in=goals), "title")
    counts["goal_events"] = _erase(
        GoalEvent.objects.filter(
            goal__in=goals,
            kind__in=[GoalEvent.Kind.MILESTONE_ADDED, GoalEvent.Kind.MILESTONE_DONE, GoalEvent.Kind.MILESTONE_REOPENED],
        ),
        "to_value",
    )
    counts["mentorship_requests"] = _erase(MentorshipRequest.objects.filter(mentee__person=person), "message")
    counts["mentorship_requests"] += _erase(MentorshipRequest.objects.filter(mentor__person=person), "decline_reason")
    counts["action_items"] = _erase(ActionItem.objects.filter(owner=person), "title")
    counts["survey_answers"] = _erase(
        SurveyAnswer.objects.filter(response__invitation__enrollment__person=person), "text"
    )
    if user is None:
        return counts
    counts["action_items"] += _erase(ActionItem.objects.filter(created_by=user), "title")
    counts["goal_comments"] = _erase(GoalComment.objects.filter(author=user), "body")
    counts["session_notes"] = _erase(MentoringSession.objects.filter(logged_by=user), "shared_notes", "topics_other")
    counts["session_notes"] += _erase(MentoringSession.objects.filter(scheduled_by=user), "agenda")
    counts["session_notes"] += _erase(MentoringSession.objects.filter(cancelled_by=user), "cancel_reason")
    counts["resources"] = _erase(Resource.objects.filter(recommended_by=user), "note")
    counts["pairing_reasons"] = _erase(Pairing.objects.filter(ended_by=user), "end_reason")
    counts["private_notes"] = PrivateNote.objects.filter(author=user).delete()[0]
    return counts


def _enrollments_erase(enrollments) -> int:
    """Profile answers in their own words become "[erased]"; choices (what matching and the
    figures count) stay."""
    text_questions = set(ProgramQuestion.objects.filter(kind=ProgramQuestion.Kind.TEXT).values_list("pk", flat=True))
    changed = 0
    for enrollment in enrollments.only("pk", "goals_text", "answers"):
        answers = dict(enrollment.answers or {})
        for key, value in answers.items():
            if str(key).isdigit() and int(key) in text_questions and isinstance(value, str) and value:
                answers[key] = ERASED
        goals_text = ERASED if enrollment.goals_text else ""
        if answers != enrollment.answers or goals_text != enrollment.goals_text:
            Enrollment.objects.filter(pk=enrollment.pk).update(answers=answers, goals_text=goals_text)
            changed += 1
    return changed


def _text_fields(model) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField) and not field.primary_key
    ]


def _sweep(*, needles: list[str], replacement_for) -> int:
    """Replace every remaining occurrence of ``needles`` (case-insensitive) in every text
    column of every model; returns the number of values changed."""
    if not needles:
        return 0
    changed = 0
    for model in apps.get_models():
        if (model._meta.app_label, model.__name__) in SWEEP_SKIP or model._meta.proxy or not model._meta.managed:
            continue
        for field in _text_fields(model):
            if isinstance(field, models.JSONField):
                lookup = Q()
                # Stored JSON may escape what is not ASCII ("Jos\u00e9"): look for both spellings.
                for needle in {*needles, *(json.dumps(needle)[1:-1] for needle in needles)}:
                    lookup |= Q(**{"_sweep_text__icontains": needle})
                rows = model._base_manager.annotate(_sweep_text=Cast(field.attname, models.TextField())).filter(lookup)
            elif isinstance(field, models.EmailField) or field.unique:
                # Someone else's address may contain theirs ("malice@" holds "alice@"): whole values only.
                for needle in needles:
                    for pk in model._base_manager.filter(**{f"{field.attname}__iexact": needle}).values_list(
                        "pk", flat=True
                    ):
                        model._base_manager.filter(pk=pk).update(**{field.attname: replacement_for(needle)})
                        changed += 1
                continue
            else:
                lookup = Q()
                for needle in needles:
                    lookup |= Q(**{f"{field.attname}__icontains": needle})
                rows = model._base_manager.filter(lookup)
            for pk, value in rows.values_list("pk", field.attname):
                new = _replace(value, needles, replacement_for)
                if new != value:
                    model._base_manager.filter(pk=pk).update(**{field.attname: new})
                    changed += 1
    return changed


def _replace(value, needles, replacement_for):
    if isinstance(value, str):
        lowered = value.lower()
        for needle in sorted(needles, key=len, reverse=True):
            start = lowered.find(needle.lower())
            while start != -1:
                replacement = replacement_for(needle)
                value = value[:start] + replacement + value[start + len(needle) :]
                lowered = value.lower()
                start = lowered.find(needle.lower(), start + len(replacement))
        return value
    if isinstance(value, list):
        return [_replace(item, needles, replacement_for) for item in value]
    if isinstance(value, dict):
        return {
            _replace(key, needles, replacement_for): _replace(item, needles, replacement_for)
            for key, item in value.items()
        }
    return value
