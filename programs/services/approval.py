"""HR decisions on applications (approve, decline, in bulk) and promoting from the waitlist.

Refusals raise ``EnrollmentError`` (``programs.services.enrollment``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from core.models import Notification
from core.notifications import notification_send
from programs.models import Enrollment, Program, Role
from programs.services.enrollment import (
    DECIDABLE_STATUSES,
    EnrollmentError,
    _enrollment_record,
    _enrollment_url,
    _pairings_end,
    program_places,
    role_limit,
)

#: The notification told to the applicant for each decision.
ENROLLMENT_KINDS = {
    Enrollment.Status.APPROVED: Notification.Kind.ENROLLMENT_APPROVED,
    Enrollment.Status.WAITLISTED: Notification.Kind.ENROLLMENT_WAITLISTED,
    Enrollment.Status.DECLINED: Notification.Kind.ENROLLMENT_DECLINED,
}


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
        kind=ENROLLMENT_KINDS[enrollment.status],
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
    before = enrollment.status
    enrollment.status = new_status
    enrollment.decided_by = decided_by
    enrollment.decided_at = timezone.now()
    enrollment.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _enrollment_record(enrollment, before=before, actor=decided_by)
    _notify_decision(enrollment)
    _pairings_end(
        enrollment=enrollment, user=decided_by, reason=f"{enrollment.person} no longer takes part in the program."
    )
    return enrollment


def _decline_locked(*, enrollment: Enrollment, decided_by) -> Enrollment:
    before = enrollment.status
    enrollment.status = Enrollment.Status.DECLINED
    enrollment.decided_by = decided_by
    enrollment.decided_at = timezone.now()
    enrollment.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _enrollment_record(enrollment, before=before, actor=decided_by)
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
