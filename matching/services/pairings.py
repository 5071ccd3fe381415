"""Pairing states: confirm, decline, activate, end, complete, and following the program's
lifecycle. Every change is a conditional UPDATE, so a double click or two HR admins change
things once and notify once."""

from __future__ import annotations

import logging

from django.db.models import Q
from django.utils import timezone

from audit import services as audit
from audit.models import AuditEvent
from core.models import Notification
from core.notifications import notification_send
from matching import signals
from matching.models import MentorshipRequest, Pairing
from matching.services.base import (
    MatchingError,
    _my_match_url,
    _pairing_notify_both,
    _pairing_signal_on_commit,
    _program_pairings_signal_on_commit,
)
from programs.models import Program

logger = logging.getLogger(__name__)

# --- Pairing states ---------------------------------------------------------------------


def _pairing_side(pairing: Pairing, user) -> str:
    if pairing.mentor.person.user_id == user.pk:
        return "mentor"
    if pairing.mentee.person.user_id == user.pk:
        return "mentee"
    raise MatchingError("This match isn't yours.")


def pairing_confirm(*, pairing: Pairing, user) -> Pairing:
    """The mentor or mentee agrees to a proposed match. Both agreed: accepted
    (and active at once when the program is running)."""
    side = _pairing_side(pairing, user)
    if pairing.status != Pairing.Status.PROPOSED:
        raise MatchingError("This match is no longer waiting for confirmation.")
    now = timezone.now()
    field_name = f"{side}_confirmed_at"
    Pairing.objects.filter(pk=pairing.pk, status=Pairing.Status.PROPOSED, **{f"{field_name}__isnull": True}).update(
        **{field_name: now, "updated_at": now}
    )
    accepted = Pairing.objects.filter(
        pk=pairing.pk,
        status=Pairing.Status.PROPOSED,
        mentor_confirmed_at__isnull=False,
        mentee_confirmed_at__isnull=False,
    ).update(status=Pairing.Status.ACCEPTED, updated_at=now)
    pairing.refresh_from_db()
    other = pairing.mentee if side == "mentor" else pairing.mentor
    if accepted:
        if pairing.program.status == Program.Status.RUNNING:
            pairing_activate(pairing=pairing)
        _pairing_notify_both(
            pairing,
            kind=Notification.Kind.PAIRING_ACCEPTED,
            title=lambda me, partner: f"Your match with {partner.person.full_name} is confirmed",
            body=lambda me, partner: (
                f"You both confirmed the match in {pairing.program.name}. Time to plan your first meeting."
            ),
        )
    elif other.person.user_id:
        notification_send(
            recipient=other.person.user,
            kind=Notification.Kind.PAIRING_CONFIRMED,
            title=f"{user.get_full_name() or user.email} confirmed your proposed match",
            body=f"Confirm the match in {pairing.program.name} too, so you can start.",
            url=_my_match_url(),
            key=f"pairing-confirmed:{pairing.pk}:{other.person.user_id}",
        )
    return pairing


def pairing_decline(*, pairing: Pairing, user, reason: str = "") -> Pairing:
    """The mentor or mentee turns a proposed match down. The mentee goes back to the
    pool for the next run, never with this mentor again."""
    side = _pairing_side(pairing, user)
    now = timezone.now()
    changed = Pairing.objects.filter(pk=pairing.pk, status=Pairing.Status.PROPOSED).update(
        status=Pairing.Status.DECLINED,
        ended_at=now,
        ended_by=user,
        end_reason=reason.strip() or f"Declined by the {side}.",
        updated_at=now,
    )
    if changed != 1:
        raise MatchingError("This match is no longer waiting for confirmation.")
    pairing.refresh_from_db()
    other = pairing.mentee if side == "mentor" else pairing.mentor
    if other.person.user_id:
        notification_send(
            recipient=other.person.user,
            kind=Notification.Kind.PAIRING_DECLINED,
            title=f"Your proposed match in {pairing.program.name} won't go ahead",
            body="The match was declined. HR will look for a new match for you."
            if side == "mentor"
            else "The match was declined. Your place is free again.",
            url=_my_match_url(),
            key=f"pairing-declined:{pairing.pk}:{other.person.user_id}",
        )
    logger.info("Pairing %s declined by the %s (user %s)", pairing.pk, side, user.pk)
    return pairing


def pairing_activate(*, pairing: Pairing) -> bool:
    """An accepted pairing starts (the program is running). True if it changed."""
    if pairing.program.status != Program.Status.RUNNING:
        return False
    now = timezone.now()
    changed = Pairing.objects.filter(pk=pairing.pk, status=Pairing.Status.ACCEPTED).update(
        status=Pairing.Status.ACTIVE, started_at=now, updated_at=now
    )
    if changed:
        pairing.refresh_from_db(fields=["status", "started_at", "updated_at"])
        _pairing_signal_on_commit(signals.pairing_started, pairing)
    return bool(changed)


def program_pairings_activate(*, program: Program) -> int:
    """When a program starts running: its accepted pairings become active."""
    if program.status != Program.Status.RUNNING:
        return 0
    now = timezone.now()
    started = Pairing.objects.filter(program=program, status=Pairing.Status.ACCEPTED).update(
        status=Pairing.Status.ACTIVE, started_at=now, updated_at=now
    )
    if started:
        _program_pairings_signal_on_commit(program)
    return started


def pairing_end(*, pairing: Pairing, user, reason: str) -> Pairing:
    """End a live pairing early (HR, or a participant leaving), with a reason both people are told."""
    reason = (reason or "").strip()
    if not reason:
        raise MatchingError("Say why the pairing ends; both people will see it.")
    now = timezone.now()
    changed = Pairing.objects.filter(pk=pairing.pk, status__in=Pairing.LIVE_STATUSES).update(
        status=Pairing.Status.ENDED, ended_at=now, ended_by=user, end_reason=reason, updated_at=now
    )
    if changed != 1:
        raise MatchingError("This pairing has already ended.")
    pairing.refresh_from_db()
    # The reason is the person's own words: it stays on the pairing, not in the trail.
    audit.record(
        action=AuditEvent.Action.PAIRING_ENDED,
        actor=user,
        target=pairing,
        program=pairing.program,
        details={"mentee": pairing.mentee_id, "mentor": pairing.mentor_id},
    )
    _pairing_signal_on_commit(signals.pairing_finished, pairing)
    _pairing_notify_both(
        pairing,
        kind=Notification.Kind.PAIRING_ENDED,
        title=lambda me, partner: f"Your mentoring with {partner.person.full_name} has ended",
        body=lambda me, partner: f"The pairing in {pairing.program.name} has ended: {reason}",
    )
    # The early-exit survey, if the program has one (surveys; it goes out after commit).
    signals.pairing_ended.send(sender=Pairing, pairing_id=pairing.pk)
    logger.info("Pairing %s ended by user %s", pairing.pk, user.pk)
    return pairing


def pairing_complete(*, pairing: Pairing, user) -> Pairing:
    """HR marks an accepted or active pairing as completed."""
    now = timezone.now()
    changed = Pairing.objects.filter(pk=pairing.pk, status__in=[Pairing.Status.ACCEPTED, Pairing.Status.ACTIVE]).update(
        status=Pairing.Status.COMPLETED, ended_at=now, ended_by=user, updated_at=now
    )
    if changed != 1:
        raise MatchingError("Only an accepted or active pairing can be completed.")
    pairing.refresh_from_db()
    _pairing_signal_on_commit(signals.pairing_finished, pairing)
    return pairing


def program_pairings_complete(*, program: Program) -> dict[str, int]:
    """When a program closes: accepted and active pairings complete; proposals nobody
    confirmed end. Safe to call twice."""
    now = timezone.now()
    completed = Pairing.objects.filter(
        program=program, status__in=[Pairing.Status.ACCEPTED, Pairing.Status.ACTIVE]
    ).update(status=Pairing.Status.COMPLETED, ended_at=now, updated_at=now)
    ended = Pairing.objects.filter(program=program, status=Pairing.Status.PROPOSED).update(
        status=Pairing.Status.ENDED,
        ended_at=now,
        end_reason="The program closed before both people confirmed the match.",
        updated_at=now,
    )
    MentorshipRequest.objects.filter(program=program, status=MentorshipRequest.Status.PENDING).update(
        status=MentorshipRequest.Status.WITHDRAWN, decided_at=now
    )
    if completed:
        _program_pairings_signal_on_commit(program)
    return {"completed": completed, "ended": ended}


def pairings_follow_program_status() -> dict[str, int]:
    """Bring pairings in line with their program's stage: accepted pairings of running
    programs become active, live pairings of closed programs complete (or end, if never
    confirmed). The hourly safety net behind the lifecycle hooks; idempotent."""
    activated = 0
    running = Program.objects.filter(status=Program.Status.RUNNING, pairings__status=Pairing.Status.ACCEPTED)
    for program in running.distinct():
        activated += program_pairings_activate(program=program)
    completed = ended = 0
    closed = Program.objects.filter(status=Program.Status.CLOSED, pairings__status__in=Pairing.LIVE_STATUSES)
    for program in closed.distinct():
        counts = program_pairings_complete(program=program)
        completed += counts["completed"]
        ended += counts["ended"]
    return {"activated": activated, "completed": completed, "ended": ended}


def enrollment_pairings_end(*, enrollment, user, reason: str) -> int:
    """A participant leaves the program (or HR removes them): end their live pairings.

    Their partners are told and go back to the pool for the next run."""
    live = (
        Pairing.objects.live()
        .filter(Q(mentor=enrollment) | Q(mentee=enrollment))
        .select_related("program", "mentor__person__user", "mentee__person__user")
    )
    ended = 0
    for pairing in live:
        pairing_end(pairing=pairing, user=user, reason=reason)
        ended += 1
    return ended
