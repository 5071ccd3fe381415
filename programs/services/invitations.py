"""Enrollment invitations: inviting people from the directory, telling them, and the invitation email.

Refusals raise ``EnrollmentError`` (``programs.services.enrollment``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.jobs import task_queue_on_commit
from core.models import Notification
from core.notifications import notification_send
from people.models import Person
from programs.models import Enrollment, Program
from programs.services.enrollment import _enrollment_url, program_enrollment_check_open

logger = logging.getLogger(__name__)


@dataclass
class InviteResult:
    invited: list[Enrollment] = field(default_factory=list)
    already_enrolled: list[Person] = field(default_factory=list)


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
            kind=Notification.Kind.PROGRAM_INVITATION,
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
