"""Self-select: a mentee's request to a mentor, accepted, declined, withdrawn or expired."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from core.notifications import notification_send
from matching.models import MentorshipRequest, Pairing
from matching.services.base import SELF_SELECT_STATUSES, MatchingError, _my_match_url
from matching.services.criteria import matching_criteria_get_or_create
from matching.services.pairings import pairing_activate
from programs.models import Enrollment, Program

logger = logging.getLogger(__name__)

# --- Self-select ------------------------------------------------------------------------


def mentorship_request_create(*, mentee: Enrollment, mentor_id: int, message: str, user) -> MentorshipRequest:
    """A mentee asks one of their current suggestions to be their mentor.

    One pending request at a time; the mentor must still be among the mentee's
    suggestions (free place, under their exposure limit, no hard rule against it).
    """
    from matching.selectors import mentor_suggestions

    if mentee.person.user_id != user.pk:
        raise MatchingError("This enrollment isn't yours.")
    suggestions = mentor_suggestions(enrollment=mentee)
    if suggestions.blocker:
        raise MatchingError(suggestions.blocker)
    chosen = next((s for s in suggestions.items if s.mentor.pk == mentor_id), None)
    if chosen is None:
        raise MatchingError("This mentor is no longer available. Pick another one from your suggestions.")
    criteria = matching_criteria_get_or_create(program=mentee.program)
    now = timezone.now()
    try:
        with transaction.atomic():
            request = MentorshipRequest.objects.create(
                program=mentee.program,
                mentee=mentee,
                mentor=chosen.mentor,
                message=message.strip(),
                score=chosen.score,
                explanation=chosen.explanation,
                expires_at=now + timedelta(days=criteria.request_expiry_days),
            )
    except IntegrityError:
        raise MatchingError("You already have a request waiting for an answer.") from None
    mentor_user = chosen.mentor.person.user
    if mentor_user is not None:
        notification_send(
            recipient=mentor_user,
            kind=Notification.Kind.MENTORSHIP_REQUEST,
            title=f"{mentee.person.full_name} would like you as their mentor",
            body=(message.strip()[:500] or f"A mentee in {mentee.program.name} asked you to be their mentor.")
            + f"\n\nPlease answer by {timezone.localtime(request.expires_at):%d %b %Y}.",
            url=reverse("matching:request_list"),
            key=f"mentorship-request:{request.pk}:{mentor_user.pk}",
        )
    logger.info("Mentorship request %s created by user %s", request.pk, user.pk)
    return request


def _mentor_of_request(request: MentorshipRequest, user) -> None:
    if request.mentor.person.user_id != user.pk:
        raise MatchingError("This request isn't addressed to you.")


def mentorship_request_accept(*, request: MentorshipRequest, user) -> Pairing:
    """The mentor says yes: an accepted pairing (active if the program runs).

    The mentor's enrollment row is locked while their live pairings are counted,
    so two accepts at the same moment can't overfill them.
    """
    _mentor_of_request(request, user)
    program = request.program
    if program.status not in SELF_SELECT_STATUSES:
        raise MatchingError(f"{program.name} is {program.get_status_display().lower()}: requests can't be accepted.")
    now = timezone.now()
    with transaction.atomic():
        mentor = Enrollment.objects.select_for_update().get(pk=request.mentor_id)
        claimed = MentorshipRequest.objects.filter(
            pk=request.pk, status=MentorshipRequest.Status.PENDING, expires_at__gt=now
        ).update(status=MentorshipRequest.Status.ACCEPTED, decided_at=now)
        if claimed != 1:
            raise MatchingError("This request is no longer waiting for an answer.")
        capacity = mentor.mentor_capacity or program.default_mentor_capacity
        live = Pairing.objects.live().filter(mentor=mentor).count()
        if live >= capacity:
            raise MatchingError(
                f"You already mentor {live} {'person' if live == 1 else 'people'}, your limit in this program. "
                "Decline the request, or ask HR to raise your limit."
            )
        if Pairing.objects.live().filter(mentee_id=request.mentee_id).exists():
            raise MatchingError("This mentee has been matched with someone else meanwhile.")
        if Pairing.objects.filter(program=program, mentee_id=request.mentee_id, mentor=mentor).exists():
            raise MatchingError("You were paired with this mentee before in this program.")
        pairing = Pairing.objects.create(
            program=program,
            mentor=mentor,
            mentee_id=request.mentee_id,
            status=Pairing.Status.ACCEPTED,
            source=Pairing.Source.SELF_SELECT,
            score=request.score,
            explanation=request.explanation,
            mentor_confirmed_at=now,
            mentee_confirmed_at=now,
        )
        full = live + 1 >= capacity
    pairing_activate(pairing=pairing)
    mentee_user = request.mentee.person.user
    if mentee_user is not None:
        notification_send(
            recipient=mentee_user,
            kind=Notification.Kind.MENTORSHIP_REQUEST_ACCEPTED,
            title=f"{mentor.person.full_name} accepted your request",
            body=f"{mentor.person.full_name} is your mentor in {program.name}. Time to plan your first meeting.",
            url=_my_match_url(),
            key=f"mentorship-request-accepted:{request.pk}:{mentee_user.pk}",
        )
    if full:
        _requests_decline_for_full_mentor(mentor=mentor, program=program)
    logger.info("Mentorship request %s accepted: pairing %s", request.pk, pairing.pk)
    return pairing


def _requests_decline_for_full_mentor(*, mentor: Enrollment, program: Program) -> None:
    """A mentor with no place left can't accept anyone else: free the mentees waiting on them."""
    reason = "The mentor has no free place any more. Please choose another mentor."
    for pending in MentorshipRequest.objects.filter(
        mentor=mentor, status=MentorshipRequest.Status.PENDING
    ).select_related("mentee__person__user"):
        _request_close(pending, status=MentorshipRequest.Status.DECLINED, reason=reason, program=program)


def _request_close(request: MentorshipRequest, *, status: str, reason: str, program: Program) -> bool:
    now = timezone.now()
    changed = MentorshipRequest.objects.filter(pk=request.pk, status=MentorshipRequest.Status.PENDING).update(
        status=status, decided_at=now, decline_reason=reason
    )
    if changed != 1:
        return False
    mentee_user = request.mentee.person.user
    if mentee_user is not None:
        expired = status == MentorshipRequest.Status.EXPIRED
        notification_send(
            recipient=mentee_user,
            kind=Notification.Kind.MENTORSHIP_REQUEST_EXPIRED
            if expired
            else Notification.Kind.MENTORSHIP_REQUEST_DECLINED,
            title=f"Your mentor request in {program.name} "
            + ("expired without an answer" if expired else "was declined"),
            body=(reason + "\n\n" if reason else "") + "You can request another mentor from your suggestions.",
            url=reverse("matching:find_mentor"),
            key=f"mentorship-request-{status}:{request.pk}:{mentee_user.pk}",
        )
    return True


def mentorship_request_decline(*, request: MentorshipRequest, user, reason: str = "") -> MentorshipRequest:
    """The mentor says no (optionally why); the mentee is told and may ask someone else."""
    _mentor_of_request(request, user)
    if not _request_close(
        request, status=MentorshipRequest.Status.DECLINED, reason=reason.strip(), program=request.program
    ):
        raise MatchingError("This request is no longer waiting for an answer.")
    request.refresh_from_db()
    return request


def mentorship_request_withdraw(*, request: MentorshipRequest, user) -> MentorshipRequest:
    if request.mentee.person.user_id != user.pk:
        raise MatchingError("This request isn't yours.")
    changed = MentorshipRequest.objects.filter(pk=request.pk, status=MentorshipRequest.Status.PENDING).update(
        status=MentorshipRequest.Status.WITHDRAWN, decided_at=timezone.now()
    )
    if changed != 1:
        raise MatchingError("This request is no longer waiting for an answer.")
    request.refresh_from_db()
    return request


def mentorship_requests_expire(*, now=None, limit: int = 1000) -> int:
    """Expire pending requests past their date and tell each mentee once.

    Each request is claimed with a conditional UPDATE: two copies of the job
    running at once expire (and notify about) each request once.
    """
    now = now or timezone.now()
    due = list(
        MentorshipRequest.objects.filter(status=MentorshipRequest.Status.PENDING, expires_at__lte=now)
        .select_related("program", "mentee__person__user", "mentor__person")
        .order_by("expires_at", "pk")[:limit]
    )
    expired = 0
    for request in due:
        reason = f"{request.mentor.person.full_name} didn't answer in time."
        if _request_close(request, status=MentorshipRequest.Status.EXPIRED, reason=reason, program=request.program):
            expired += 1
    return expired
