"""Enrollment: the rules every step shares, open sign-up and the participant profile,
withdrawing, and the reads behind the participant home and the HR participants page.
Invitations are in ``programs.services.invitations``, HR decisions and the waitlist in
``programs.services.approval``.

Services change state and refuse changes the rules don't allow by raising
``EnrollmentError`` (its message is meant for the person who tried).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audit import services as audit
from audit.models import AuditEvent
from core.errors import ServiceError
from people.models import Person, Skill
from programs import signals
from programs.models import Enrollment, EnrollmentSkill, Program, Role

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
    before = enrollment.status
    enrollment.status = Enrollment.Status.WITHDRAWN
    enrollment.save(update_fields=["status", "updated_at"])
    _enrollment_record(enrollment, before=before, actor=enrollment.person.user)
    _pairings_end(enrollment=enrollment, user=enrollment.person.user, reason=f"{enrollment.person} left the program.")
    return enrollment


ENROLLMENT_ACTIONS = {
    Enrollment.Status.APPROVED: AuditEvent.Action.ENROLLMENT_APPROVED,
    Enrollment.Status.DECLINED: AuditEvent.Action.ENROLLMENT_DECLINED,
    Enrollment.Status.WAITLISTED: AuditEvent.Action.ENROLLMENT_WAITLISTED,
    Enrollment.Status.WITHDRAWN: AuditEvent.Action.ENROLLMENT_WITHDRAWN,
}


def _enrollment_record(enrollment: Enrollment, *, before: str, actor) -> None:
    """The audit trail's event for a decision on ``enrollment`` (or its withdrawal)."""
    audit.record(
        action=ENROLLMENT_ACTIONS[enrollment.status],
        actor=actor,
        target=enrollment,
        target_label=str(enrollment.person),
        program=enrollment.program,
        details={"from": before, "to": enrollment.status, "role": enrollment.role},
    )


def _pairings_end(*, enrollment: Enrollment, user, reason: str) -> None:
    # Someone who leaves can't stay paired: matching ends their pairings in this transaction
    # and their partner goes back to the pool.
    signals.enrollment_left.send(
        sender=Enrollment, enrollment_id=enrollment.pk, user_id=user.pk if user else None, reason=reason
    )


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
