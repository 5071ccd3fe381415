"""Enrollment: invitations, open sign-up, the participant profile, HR decisions
and the waitlist.

Services change state and refuse changes the rules don't allow by raising
``EnrollmentError`` (its message is meant for the person who tried). The read
helpers at the bottom build the participant home and the HR participants page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from core.errors import ServiceError
from core.jobs import task_queue_on_commit
from core.notifications import notification_send
from people.models import Person, Skill
from programs import signals
from programs.models import Enrollment, EnrollmentSkill, Program, Role

logger = logging.getLogger(__name__)

# Statuses of someone who takes part (or is about to): they count on the
# participant home, in navigation and in training.
ACTIVE_STATUSES = (Enrollment.Status.APPLIED, Enrollment.Status.APPROVED, Enrollment.Status.WAITLISTED)
DECIDABLE_STATUSES = {
    "approve": (Enrollment.Status.APPLIED, Enrollment.Status.WAITLISTED, Enrollment.Status.DECLINED),
    "decline": (Enrollment.Status.APPLIED, Enrollment.Status.WAITLISTED, Enrollment.Status.APPROVED),
}


class EnrollmentError(ServiceError):
    """A change the enrollment rules don't allow. The message is shown to the user."""


@dataclass(frozen=True)
class EnrollmentProfile:
    """What a participant tells us when they enrol (the matching profile)."""

    role: str
    objectives: list[str]
    goals_text: str
    meeting_format: str
    availability_hours: int
    working_style: dict[str, int]
    answers: dict[str, object]
    skills: list[tuple[Skill, int]]
    mentor_capacity: int | None = None
    charter_agreed: bool = False


@dataclass
class InviteResult:
    invited: list[Enrollment] = field(default_factory=list)
    already_enrolled: list[Person] = field(default_factory=list)


@dataclass
class DecisionResult:
    approved: list[Enrollment] = field(default_factory=list)
    waitlisted: list[Enrollment] = field(default_factory=list)
    declined: list[Enrollment] = field(default_factory=list)
    skipped: list[Enrollment] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        for label, items in (
            ("approved", self.approved),
            ("put on the waitlist because the program is full", self.waitlisted),
            ("declined", self.declined),
        ):
            if items:
                parts.append(f"{len(items)} {label}")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped (not in a state that can be decided)")
        return "; ".join(parts) + "." if parts else "Nothing changed."


@dataclass(frozen=True)
class Places:
    """Places for one role: ``limit`` None means no limit."""

    role: str
    limit: int | None
    approved: int
    waiting: int

    @property
    def free(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.approved, 0)

    @property
    def can_promote(self) -> bool:
        return self.waiting > 0 and (self.free is None or self.free > 0)


# --- Checks -----------------------------------------------------------------


def program_enrollment_check_open(*, program: Program) -> None:
    """Raise unless the program takes new participants right now."""
    if program.status == Program.Status.ENROLLING:
        return
    reasons = {
        Program.Status.DRAFT: "hasn't opened for enrollment yet",
        Program.Status.MATCHING: "has closed enrollment: matching has started",
        Program.Status.RUNNING: "has closed enrollment: the program is running",
        Program.Status.CLOSED: "has ended",
    }
    raise EnrollmentError(f"{program.name} {reasons.get(program.status, 'is not taking enrollments')}.")


def program_charter(*, program: Program, role: str) -> str:
    """The expectations a participant in ``role`` agrees to (may be empty)."""
    if role == Role.MENTOR:
        return program.mentor_expectations
    if role == Role.MENTEE:
        return program.mentee_expectations
    return ""


def role_limit(*, program: Program, role: str) -> int | None:
    return program.max_mentors if role == Role.MENTOR else program.max_mentees


def _enrollment_url(enrollment: Enrollment) -> str:
    return reverse("programs:enrollment_detail", args=[enrollment.pk])


# --- Invitations --------------------------------------------------------------


@transaction.atomic
def enrollment_invite(*, program: Program, people: Iterable[Person], invited_by, message: str = "") -> InviteResult:
    """Invite people to the program. People already in it (in any state) are
    left alone and reported back; everyone else gets an invitation: an in-app
    notification and email, or an email with a sign-up link if they have no
    account yet."""
    program_enrollment_check_open(program=program)
    people = {person.pk: person for person in people}
    existing = set(program.enrollments.filter(person_id__in=people).values_list("person_id", flat=True))
    result = InviteResult(already_enrolled=[people[pk] for pk in sorted(existing)])
    now = timezone.now()
    new = [
        Enrollment(
            program=program,
            person=person,
            role="",
            status=Enrollment.Status.INVITED,
            invited_by=invited_by,
            invited_at=now,
            invitation_message=message.strip(),
        )
        for pk, person in people.items()
        if pk not in existing
    ]
    for enrollment in new:
        enrollment.save()
        enrollment_invitation_notify(enrollment=enrollment)
        result.invited.append(enrollment)
    return result


def enrollment_invitation_notify(*, enrollment: Enrollment) -> None:
    """Tell an invited person: through the notification service if they have
    an account, else by an email queued for after commit."""
    person, program = enrollment.person, enrollment.program
    inviter = enrollment.invited_by.get_full_name() if enrollment.invited_by else ""
    if person.user_id:
        body = (
            f"{inviter or 'HR'} invited you to join {program.name} as a mentor or mentee. "
            "Choose your role and fill in your profile to apply."
        )
        if enrollment.invitation_message:
            body += f"\n\n{enrollment.invitation_message}"
        notification_send(
            recipient=person.user,
            kind="program_invitation",
            title=f"You're invited to {program.name}",
            key=f"program-invite:{enrollment.pk}",
            body=body,
            url=_enrollment_url(enrollment),
        )
        return
    from programs.tasks import enrollment_invitation_email_send

    task_queue_on_commit(enrollment_invitation_email_send, enrollment.pk)


def enrollment_invitation_email_deliver(*, enrollment_id: int) -> bool:
    """Email the invitation to a person who has no account yet, at most once.

    The claim is a conditional UPDATE, so two workers given the same id send
    one email. Returns True when this call sent it.
    """
    claimed = Enrollment.objects.filter(
        pk=enrollment_id, status=Enrollment.Status.INVITED, invitation_emailed_at__isnull=True
    ).update(invitation_emailed_at=timezone.now())
    if claimed != 1:
        return False
    enrollment = Enrollment.objects.select_related("program", "person", "invited_by").get(pk=enrollment_id)
    next_url = _enrollment_url(enrollment)
    context = {
        "enrollment": enrollment,
        "program": enrollment.program,
        "person": enrollment.person,
        "signup_link": f"{settings.SITE_URL}{reverse('account_signup')}?next={next_url}",
        "login_link": f"{settings.SITE_URL}{reverse('account_login')}?next={next_url}",
    }
    try:
        send_mail(
            subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}You're invited to {enrollment.program.name}",
            message=render_to_string("programs/enrollment/email/invitation.txt", context),
            from_email=None,
            recipient_list=[enrollment.person.email],
        )
    except Exception:
        logger.exception("Invitation email for enrollment %s failed; releasing it for a retry", enrollment_id)
        Enrollment.objects.filter(pk=enrollment_id).update(invitation_emailed_at=None)
        raise
    return True


# --- The participant's profile ---------------------------------------------------


@transaction.atomic
def enrollment_profile_save(
    *, program: Program, person: Person, profile: EnrollmentProfile, enrollment: Enrollment | None = None
) -> Enrollment:
    """Apply to ``program`` (new or invited enrollment) or update an existing
    application. Applying needs the program to be enrolling; editing needs
    profiles to be editable (until matching starts)."""
    if enrollment is not None and (enrollment.program_id != program.pk or enrollment.person_id != person.pk):
        raise EnrollmentError("This enrollment belongs to someone else.")
    applying = enrollment is None or enrollment.status in (Enrollment.Status.INVITED, Enrollment.Status.WITHDRAWN)
    if enrollment is not None and enrollment.status == Enrollment.Status.DECLINED:
        raise EnrollmentError("HR has declined this application, so it can't be changed.")
    if applying:
        program_enrollment_check_open(program=program)
    elif not program.profiles_editable:
        raise EnrollmentError("Matching has started, so profiles can no longer be changed.")
    if profile.role not in program.allowed_roles:
        raise EnrollmentError(f"{program.name} doesn't take {Role(profile.role).label.lower()}s.")
    role_changes = enrollment is not None and enrollment.role and enrollment.role != profile.role
    if role_changes and enrollment.status in (Enrollment.Status.APPROVED, Enrollment.Status.WAITLISTED):
        raise EnrollmentError(
            f"You were accepted as a {enrollment.get_role_display().lower()}; ask HR if you need to change your role."
        )
    charter = program_charter(program=program, role=profile.role)
    if charter and not profile.charter_agreed:
        raise EnrollmentError("Please read and agree to the charter.")

    now = timezone.now()
    if enrollment is None:
        enrollment = Enrollment(program=program, person=person)
    if applying:
        enrollment.status = Enrollment.Status.APPLIED
        enrollment.applied_at = now
        enrollment.decided_by = None
        enrollment.decided_at = None
    if charter and (enrollment.charter_agreed_at is None or role_changes):
        enrollment.charter_agreed_at = now
    enrollment.role = profile.role
    enrollment.objectives = list(profile.objectives)
    enrollment.goals_text = profile.goals_text
    enrollment.meeting_format = profile.meeting_format
    enrollment.availability_hours = profile.availability_hours
    enrollment.mentor_capacity = profile.mentor_capacity if profile.role == Role.MENTOR else None
    enrollment.working_style = dict(profile.working_style)
    enrollment.answers = dict(profile.answers)
    enrollment.full_clean(exclude=["program", "person"], validate_unique=False, validate_constraints=False)
    enrollment.save()

    direction = EnrollmentSkill.Direction.HAS if profile.role == Role.MENTOR else EnrollmentSkill.Direction.WANTS
    enrollment.skills.all().delete()
    EnrollmentSkill.objects.bulk_create(
        EnrollmentSkill(enrollment=enrollment, skill=skill, direction=direction, level=level)
        for skill, level in profile.skills
    )
    return enrollment


@transaction.atomic
def enrollment_withdraw(*, enrollment: Enrollment) -> Enrollment:
    """The participant leaves the program, or declines an invitation."""
    if enrollment.status in (Enrollment.Status.WITHDRAWN, Enrollment.Status.DECLINED):
        raise EnrollmentError("You are no longer in this program.")
    if enrollment.program.status == Program.Status.CLOSED:
        raise EnrollmentError("This program has ended.")
    enrollment.status = Enrollment.Status.WITHDRAWN
    enrollment.save(update_fields=["status", "updated_at"])
    _pairings_end(enrollment=enrollment, user=enrollment.person.user, reason=f"{enrollment.person} left the program.")
    return enrollment


def _pairings_end(*, enrollment: Enrollment, user, reason: str) -> None:
    # Someone who leaves can't stay paired: matching ends their pairings in this transaction
    # and their partner goes back to the pool.
    signals.enrollment_left.send(
        sender=Enrollment, enrollment_id=enrollment.pk, user_id=user.pk if user else None, reason=reason
    )


# --- HR decisions and the waitlist ---------------------------------------------


def _lock_program(program: Program) -> Program:
    # Serialises decisions on one program so two HR admins can't both fill the last place.
    return Program.objects.select_for_update().get(pk=program.pk)


def _check_decisions_allowed(program: Program) -> None:
    if program.status == Program.Status.CLOSED:
        raise EnrollmentError(f"{program.name} has ended; applications can no longer be decided.")


def _notify_decision(enrollment: Enrollment) -> None:
    user = enrollment.person.user
    if user is None:
        return
    program = enrollment.program
    role = enrollment.get_role_display().lower()
    messages = {
        Enrollment.Status.APPROVED: (
            f"You're in: {program.name}",
            f"HR approved your application as a {role}. You'll be matched when matching starts.",
        ),
        Enrollment.Status.WAITLISTED: (
            f"You're on the waitlist for {program.name}",
            f"{program.name} is full for {role}s right now. We'll tell you as soon as a place frees up.",
        ),
        Enrollment.Status.DECLINED: (
            f"Your application to {program.name}",
            f"HR couldn't accept your application as a {role} this time.",
        ),
    }
    title, body = messages[enrollment.status]
    notification_send(
        recipient=user,
        kind=f"enrollment_{enrollment.status}",
        title=title,
        key=f"enrollment-{enrollment.status}:{enrollment.pk}",
        body=body,
        url=_enrollment_url(enrollment),
    )


def _approve_locked(*, program: Program, enrollment: Enrollment, decided_by) -> Enrollment:
    limit = role_limit(program=program, role=enrollment.role)
    full = (
        limit is not None
        and program.enrollments.filter(role=enrollment.role, status=Enrollment.Status.APPROVED)
        .exclude(pk=enrollment.pk)
        .count()
        >= limit
    )
    new_status = Enrollment.Status.WAITLISTED if full else Enrollment.Status.APPROVED
    if new_status == enrollment.status:
        return enrollment
    enrollment.status = new_status
    enrollment.decided_by = decided_by
    enrollment.decided_at = timezone.now()
    enrollment.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _notify_decision(enrollment)
    _pairings_end(
        enrollment=enrollment, user=decided_by, reason=f"{enrollment.person} no longer takes part in the program."
    )
    return enrollment


def _decline_locked(*, enrollment: Enrollment, decided_by) -> Enrollment:
    enrollment.status = Enrollment.Status.DECLINED
    enrollment.decided_by = decided_by
    enrollment.decided_at = timezone.now()
    enrollment.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _notify_decision(enrollment)
    _pairings_end(
        enrollment=enrollment, user=decided_by, reason=f"{enrollment.person} no longer takes part in the program."
    )
    return enrollment


@transaction.atomic
def enrollment_approve(*, enrollment: Enrollment, decided_by) -> Enrollment:
    """Approve an application. If the program is full for the role, the person
    goes on the waitlist instead (check ``enrollment.status`` afterwards)."""
    program = _lock_program(enrollment.program)
    _check_decisions_allowed(program)
    if enrollment.status not in DECIDABLE_STATUSES["approve"]:
        if enrollment.status == Enrollment.Status.APPROVED:
            return enrollment
        raise EnrollmentError(f"{enrollment.person} hasn't applied, so there is nothing to approve.")
    if not enrollment.role:
        raise EnrollmentError(f"{enrollment.person} hasn't chosen a role yet.")
    return _approve_locked(program=program, enrollment=enrollment, decided_by=decided_by)


@transaction.atomic
def enrollment_decline(*, enrollment: Enrollment, decided_by) -> Enrollment:
    """Decline an application (or remove an approved participant: their place frees up)."""
    _lock_program(enrollment.program)
    _check_decisions_allowed(enrollment.program)
    if enrollment.status == Enrollment.Status.DECLINED:
        return enrollment
    if enrollment.status not in DECIDABLE_STATUSES["decline"]:
        raise EnrollmentError(f"{enrollment.person} hasn't applied, so there is nothing to decline.")
    return _decline_locked(enrollment=enrollment, decided_by=decided_by)


@transaction.atomic
def enrollments_decide(*, program: Program, enrollment_ids: Iterable[int], decision: str, decided_by) -> DecisionResult:
    """Approve or decline many applications at once. Approvals go in application
    order, so when places run out the earliest applicants get them and the rest
    are waitlisted."""
    if decision not in DECIDABLE_STATUSES:
        raise EnrollmentError("Choose approve or decline.")
    locked = _lock_program(program)
    _check_decisions_allowed(locked)
    enrollments = list(
        program.enrollments.filter(pk__in=list(enrollment_ids))
        .select_related("person__user", "program")
        .order_by("applied_at", "pk")
    )
    result = DecisionResult()
    for enrollment in enrollments:
        if enrollment.status not in DECIDABLE_STATUSES[decision] or not enrollment.role:
            result.skipped.append(enrollment)
        elif decision == "decline":
            result.declined.append(_decline_locked(enrollment=enrollment, decided_by=decided_by))
        else:
            before = enrollment.status
            _approve_locked(program=locked, enrollment=enrollment, decided_by=decided_by)
            if enrollment.status == Enrollment.Status.APPROVED:
                result.approved.append(enrollment)
            elif before == Enrollment.Status.WAITLISTED:
                result.skipped.append(enrollment)
            else:
                result.waitlisted.append(enrollment)
    return result


@transaction.atomic
def enrollment_waitlist_promote(*, program: Program, role: str, decided_by) -> Enrollment:
    """Approve the person who has waited longest for ``role``, if a place is free."""
    locked = _lock_program(program)
    _check_decisions_allowed(locked)
    places = program_places(program=locked)[role]
    if not places.waiting:
        raise EnrollmentError(f"Nobody is waiting for a {Role(role).label.lower()} place.")
    if not places.can_promote:
        raise EnrollmentError(f"There is no free {Role(role).label.lower()} place to give.")
    enrollment = (
        locked.enrollments.filter(role=role, status=Enrollment.Status.WAITLISTED)
        .select_related("person__user", "program")
        .order_by("applied_at", "pk")
        .first()
    )
    return _approve_locked(program=locked, enrollment=enrollment, decided_by=decided_by)


# --- Reads ----------------------------------------------------------------------


def program_places(*, program: Program) -> dict[str, Places]:
    """Approved and waiting counts against the program's limits, per role (one query)."""
    counts = program.enrollments.aggregate(
        **{
            f"{role}_{status}": Count("pk", filter=Q(role=role, status=status))
            for role in Role.values
            for status in (Enrollment.Status.APPROVED, Enrollment.Status.WAITLISTED)
        }
    )
    return {
        role: Places(
            role=role,
            limit=role_limit(program=program, role=role),
            approved=counts[f"{role}_{Enrollment.Status.APPROVED}"],
            waiting=counts[f"{role}_{Enrollment.Status.WAITLISTED}"],
        )
        for role in Role.values
    }


def program_status_counts(*, program: Program) -> dict[str, int]:
    """How many enrollments are in each status (one query)."""
    rows = program.enrollments.values_list("status").annotate(n=Count("pk")).order_by()
    counts = dict.fromkeys(Enrollment.Status.values, 0)
    counts.update(dict(rows))
    return counts


def enrollments_for_participant_page(
    *, program: Program, role: str = "", status: str = "", search: str = ""
) -> QuerySet[Enrollment]:
    """The HR participants list: filtered, with person, department and training progress."""
    from programs.services.training import enrollments_annotate_training

    queryset = program.enrollments.select_related("person__department", "person__user")
    if role:
        queryset = queryset.filter(role=role)
    if status:
        queryset = queryset.filter(status=status)
    for word in search.split():
        queryset = queryset.filter(
            Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(person__email__icontains=word)
            | Q(person__department__name__icontains=word)
        )
    return enrollments_annotate_training(queryset=queryset).order_by("person__last_name", "person__first_name", "pk")


@dataclass(frozen=True)
class NextStep:
    text: str
    url: str = ""
    action: str = ""
    kind: str = "todo"  # "todo": the person has something to do; "wait": nothing to do yet


def enrollment_next_steps(*, enrollment: Enrollment) -> list[NextStep]:
    """What the participant should do next. Needs the training annotations
    from ``enrollments_annotate_training`` (no queries of its own)."""
    program = enrollment.program
    profile_url = reverse("programs:enrollment_profile", args=[enrollment.pk])
    training_url = reverse("programs:enrollment_training", args=[enrollment.pk])
    status = enrollment.status
    if status == Enrollment.Status.INVITED:
        return [NextStep("Choose your role and complete your profile to apply.", profile_url, "Accept invitation")]
    if status == Enrollment.Status.DECLINED:
        return [NextStep("HR couldn't accept your application this time.", kind="wait")]
    if status == Enrollment.Status.WITHDRAWN:
        return [NextStep("You withdrew from this program.", kind="wait")]
    steps = []
    if enrollment.charter_agreed_at is None and program_charter(program=program, role=enrollment.role):
        steps.append(NextStep("Read and agree to the charter.", profile_url, "Open profile"))
    remaining = getattr(enrollment, "training_required", 0) - getattr(enrollment, "training_done", 0)
    if remaining > 0:
        plural = "module" if remaining == 1 else "modules"
        steps.append(NextStep(f"Finish {remaining} required training {plural}.", training_url, "Open training"))
    if status == Enrollment.Status.APPLIED:
        steps.append(NextStep("Wait for HR to approve your application.", kind="wait"))
    elif status == Enrollment.Status.WAITLISTED:
        steps.append(NextStep("You're on the waitlist. We'll tell you as soon as a place frees up.", kind="wait"))
    elif program.status in (Program.Status.DRAFT, Program.Status.ENROLLING):
        steps.append(NextStep("You're in. You'll be matched when matching starts.", kind="wait"))
    elif program.status == Program.Status.MATCHING:
        steps.append(NextStep("Matching is under way; you'll hear about your match soon.", kind="wait"))
    elif program.status == Program.Status.RUNNING:
        steps.append(NextStep(f"The program runs until {date_format(program.end_date, 'j F Y')}.", kind="wait"))
    else:
        steps.append(NextStep("This program has ended. Thank you for taking part!", kind="wait"))
    return steps
