"""Writes of the evaluation app: storing program snapshots and nudging a pair.

The nightly Celery job, HR's "Recompute now" and ``manage.py evaluate_programs`` all
call :func:`programs_evaluate` / :func:`program_evaluate`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from evaluation.models import ProgramSnapshot
from evaluation.selectors import nudge_key, program_snapshot_compute, site_today
from matching.models import Pairing
from mentorship.notifications import notification_send
from programs.models import Program

SNAPSHOT_FIELDS = [
    f.name for f in ProgramSnapshot._meta.concrete_fields if f.name not in ("id", "program", "date", "computed_at")
]


class NudgeError(Exception):
    """A nudge the rules don't allow. The message is shown to HR."""


def programs_to_evaluate() -> list[Program]:
    """The programs the nightly job evaluates: every running program."""
    return list(Program.objects.filter(status=Program.Status.RUNNING).order_by("pk"))


def program_evaluate(*, program: Program, as_of: date | None = None, now: datetime | None = None) -> ProgramSnapshot:
    """Compute and store the program's snapshot for ``as_of`` (default: today).

    Idempotent per program and day: running it again updates the same row.
    """
    now = now or timezone.now()
    as_of = as_of or timezone.localdate(now, timezone.get_default_timezone())
    computed = program_snapshot_compute(program=program, as_of=as_of, now=now)
    values = model_to_dict(computed, fields=SNAPSHOT_FIELDS)
    with transaction.atomic():
        snapshot, _ = ProgramSnapshot.objects.update_or_create(
            program=program, date=as_of, defaults={**values, "computed_at": now}
        )
    return snapshot


def programs_evaluate(
    *, programs: Iterable[Program] | None = None, as_of: date | None = None, now: datetime | None = None
) -> list[ProgramSnapshot]:
    """Store today's (or ``as_of``'s) snapshot of each program (default: every running one)."""
    programs = programs_to_evaluate() if programs is None else programs
    return [program_evaluate(program=program, as_of=as_of, now=now) for program in programs]


def program_backfill(*, program: Program, days: Iterable[date], now: datetime | None = None) -> list[ProgramSnapshot]:
    """Store snapshots for past days, each computed "as of" that day from the history."""
    now = now or timezone.now()
    return [program_evaluate(program=program, as_of=day, now=now) for day in sorted(set(days))]


def pairing_health_nudge(*, pairing: Pairing, user, now: datetime | None = None) -> int:
    """HR's one-click nudge: tell both people of an active pairing it is time to meet.

    One notification per person, pairing and day (the key carries the day), so a double
    click or a second HR admin nudges nobody twice. The message says nothing of why the
    pair was flagged (a low survey rating must not be traced back). Returns how many
    people were notified now (0 if they already were today).
    """
    if not user.is_hr_admin:
        raise NudgeError("Only HR admins can nudge a pair.")
    if pairing.status != Pairing.Status.ACTIVE:
        raise NudgeError("Only active pairings can be nudged.")
    now = now or timezone.now()
    day = site_today(now)
    program = pairing.program
    url = reverse("mentoring_sessions:pairing_detail", args=[pairing.pk])
    sent = 0
    for enrollment, other in ((pairing.mentor, pairing.mentee), (pairing.mentee, pairing.mentor)):
        recipient = enrollment.person.user
        if recipient is None:
            continue
        notification = notification_send(
            recipient=recipient,
            kind="health-nudge",
            title=f"Time to meet {other.person.first_name}?",
            body=(
                f"The {program.name} team is checking in: pairs get the most from the program when they meet "
                f"every {program.cadence_days} days. Book your next session with {other.person.full_name}, "
                "and tell the program team if something gets in the way."
            ),
            key=nudge_key(pairing_id=pairing.pk, day=day, user_id=recipient.pk),
            url=url,
        )
        sent += notification is not None
    return sent
