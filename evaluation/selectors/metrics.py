"""A program's metrics "as of" a day: what the nightly job stores in ``ProgramSnapshot``
(set-based: a fixed number of queries whatever the number of pairings or sessions)."""

from __future__ import annotations

import calendar
import statistics
from collections import Counter
from datetime import date, datetime, timedelta

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from evaluation.health import (
    HEALTH_LEVELS,
    Health,
    as_of_moment,
    pairing_health_levels,
)
from evaluation.models import ProgramSnapshot
from goals.models import Goal, GoalEvent
from matching.models import Pairing
from programs.models import Enrollment, Program, Role, TrainingCompletion, TrainingModule
from sessions.models import ActionItem, MentoringSession
from surveys.models import SurveyAnswer, SurveyInvitation, SurveyQuestion
from surveys.selectors import NUMBER_STATS

APPROVED = Enrollment.Status.APPROVED
PairingStatus = Pairing.Status
SESSION_WINDOW_DAYS = 30
#: The trend charts offer these windows (months); anything else falls back to the default.
TREND_MONTHS = (3, 6, 12, 24)
DEFAULT_TREND_MONTHS = 6
#: "Change since last month" compares with the latest snapshot at least this many days older.
COMPARE_DAYS = 30
AT_RISK_PREVIEW = 10
#: Seniority bands for comparing like with like in the outcomes.
SENIORITY_BANDS = ((1, 3), (4, 6), (7, 10))


# --- The metrics of one program as of a day (stored by the nightly job) -------------------


def _approved_enrollments(program: Program, moment: datetime) -> QuerySet[Enrollment]:
    """Enrollments approved by ``moment`` (and not withdrawn or declined since)."""
    return Enrollment.objects.filter(program=program, status=APPROVED).filter(
        Q(decided_at__lte=moment) | Q(decided_at__isnull=True, created_at__lte=moment)
    )


def matched_q(moment: datetime, prefix: str = "") -> Q:
    """A pairing that had both people's yes (or had started) by ``moment``."""
    return Q(
        Q(**{f"{prefix}started_at__lte": moment})
        | Q(**{f"{prefix}mentor_confirmed_at__lte": moment, f"{prefix}mentee_confirmed_at__lte": moment}),
        **{
            f"{prefix}status__in": [
                PairingStatus.ACCEPTED,
                PairingStatus.ACTIVE,
                PairingStatus.COMPLETED,
                PairingStatus.ENDED,
            ]
        },
    )


def _started_q(moment: datetime) -> Q:
    return Q(
        status__in=[PairingStatus.ACTIVE, PairingStatus.COMPLETED, PairingStatus.ENDED],
        started_at__lte=moment,
    )


def program_snapshot_compute(
    *, program: Program, as_of: date, now: datetime | None = None, health: list[tuple[int, datetime]] | None = None
) -> ProgramSnapshot:
    """The program's metrics as of the end of ``as_of`` (or now, for today), unsaved.

    History comes from timestamps (approval, pairing start and end, session dates, goal
    events, completion dates, survey dates), so past days can be computed after the fact.
    Two figures use today's state for past days because nothing older is kept: whether a
    survey invitation was answered, and withdrawals after approval. About a dozen queries,
    whatever the size of the program. ``health``: each active pairing's ``(health level,
    quiet since)`` at that moment when the caller has just computed them (the nightly job's
    refresh of the stored health); else the rule runs here.
    """
    now = now or timezone.now()
    moment = as_of_moment(as_of, now)
    snapshot = ProgramSnapshot(program=program, date=as_of, computed_at=now)
    approved = _approved_enrollments(program, moment)
    _enrollment_figures(snapshot, approved, moment)
    _pairing_figures(snapshot, program, moment, health)
    _goal_figures(snapshot, program, approved, moment)
    _training_figures(snapshot, program, approved, moment)
    _survey_figures(snapshot, program, as_of, moment)
    return snapshot


def _enrollment_figures(snapshot: ProgramSnapshot, approved: QuerySet[Enrollment], moment: datetime) -> None:
    as_mentee = Pairing.objects.filter(mentee_id=OuterRef("pk"))
    mentee = Q(role=Role.MENTEE)
    figures = approved.aggregate(
        mentors=Count("pk", filter=Q(role=Role.MENTOR)),
        mentees=Count("pk", filter=mentee),
        matched=Count("pk", filter=mentee & Q(Exists(as_mentee.filter(matched_q(moment))))),
        started=Count("pk", filter=mentee & Q(Exists(as_mentee.filter(_started_q(moment))))),
        completed=Count(
            "pk",
            filter=mentee & Q(Exists(as_mentee.filter(status=PairingStatus.COMPLETED, ended_at__lte=moment))),
        ),
    )
    snapshot.mentors_enrolled = figures["mentors"]
    snapshot.mentees_enrolled = figures["mentees"]
    snapshot.mentees_matched = figures["matched"]
    snapshot.mentees_started = figures["started"]
    snapshot.mentees_completed = figures["completed"]


def _pairing_figures(
    snapshot: ProgramSnapshot, program: Program, moment: datetime, health: list[tuple[int, datetime]] | None
) -> None:
    finished = Pairing.objects.filter(program=program, ended_at__lte=moment).aggregate(
        completed=Count("pk", filter=Q(status=PairingStatus.COMPLETED)),
        ended=Count("pk", filter=Q(status=PairingStatus.ENDED)),
    )
    snapshot.pairings_completed = finished["completed"]
    snapshot.pairings_ended = finished["ended"]

    if health is None:
        health = [(level, quiet) for _, _, quiet, level in pairing_health_levels(program=program, moment=moment)]
    counts = Counter(HEALTH_LEVELS[level] for level, _ in health)
    snapshot.pairings_healthy = counts[Health.HEALTHY]
    snapshot.pairings_cooling = counts[Health.COOLING]
    snapshot.pairings_at_risk = counts[Health.AT_RISK]
    snapshot.pairings_active = len(health)
    if health:
        days_quiet = [max((moment - quiet).total_seconds(), 0) / 86400 for _, quiet in health]
        snapshot.days_since_session_avg = round(sum(days_quiet) / len(days_quiet), 1)
        snapshot.days_since_session_median = round(statistics.median(days_quiet), 1)
    snapshot.sessions_held_30_days = MentoringSession.objects.filter(
        pairing__program=program,
        status=MentoringSession.Status.HELD,
        starts_at__gt=moment - timedelta(days=SESSION_WINDOW_DAYS),
        starts_at__lte=moment,
    ).count()
    items = ActionItem.objects.filter(pairing__program=program, created_at__lte=moment).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(done_at__lte=moment))
    )
    snapshot.action_items_total = items["total"]
    snapshot.action_items_done = items["done"]


def _goal_figures(snapshot: ProgramSnapshot, program: Program, approved: QuerySet, moment: datetime) -> None:
    achieved_event = GoalEvent.objects.filter(
        goal_id=OuterRef("pk"), kind=GoalEvent.Kind.STATUS, to_value=Goal.Status.ACHIEVED, created_at__lte=moment
    )
    figures = (
        Goal.objects.filter(enrollment__in=approved.values("pk"), created_at__lte=moment)
        .exclude(status=Goal.Status.DROPPED)
        .aggregate(
            total=Count("pk"),
            achieved=Count(
                "pk",
                filter=Q(status=Goal.Status.ACHIEVED) & (Q(updated_at__lte=moment) | Q(Exists(achieved_event))),
            ),
        )
    )
    snapshot.goals_total = figures["total"]
    snapshot.goals_achieved = figures["achieved"]


def _training_figures(snapshot: ProgramSnapshot, program: Program, approved: QuerySet, moment: datetime) -> None:
    """Required modules done by approved participants, out of those their roles require
    (as ``programs.selectors.program_training_summary``, but as of a day)."""
    required = list(program.training_modules.filter(required=True).values_list("audience", flat=True))
    roles = dict(approved.order_by().values_list("role").annotate(n=Count("pk")))
    expected = 0
    for role, people in roles.items():
        expected += people * sum(
            1 for audience in required if audience == TrainingModule.Audience.BOTH or audience == f"{role}s"
        )
    snapshot.training_expected = expected
    Audience = TrainingModule.Audience
    snapshot.training_done = (
        TrainingCompletion.objects.filter(
            Q(module__audience=Audience.BOTH)
            | Q(module__audience=Audience.MENTORS, enrollment__role=Role.MENTOR)
            | Q(module__audience=Audience.MENTEES, enrollment__role=Role.MENTEE),
            enrollment__in=approved.values("pk"),
            module__program=program,
            module__required=True,
            completed_at__lte=moment,
        ).count()
        if expected
        else 0
    )


def _survey_figures(snapshot: ProgramSnapshot, program: Program, as_of: date, moment: datetime) -> None:
    invitations = SurveyInvitation.objects.filter(
        instance__survey__program=program, instance__opens_at__lte=moment
    ).aggregate(invited=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
    snapshot.survey_invited = invitations["invited"]
    snapshot.survey_answered = invitations["answered"]
    stats = {
        row["question__kind"]: row
        for row in SurveyAnswer.objects.filter(
            response__survey__program=program,
            response__submitted_on__lte=as_of,
            question__kind__in=SurveyQuestion.NUMBER_KINDS,
            number__isnull=False,
        )
        .order_by()
        .values("question__kind")
        .annotate(**NUMBER_STATS)
    }
    rating = stats.get(SurveyQuestion.Kind.RATING)
    if rating:
        snapshot.rating_answers = rating["n"]
        snapshot.rating_average = round(rating["average"], 3) if rating["average"] is not None else None
    nps = stats.get(SurveyQuestion.Kind.NPS)
    if nps:
        snapshot.nps_answers = nps["n"]
        snapshot.nps_promoters = nps["promoters"]
        snapshot.nps_detractors = nps["detractors"]


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier (the 31st becomes the month's last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def backfill_days(*, program: Program, until: date, months: int) -> list[date]:
    """Monthly days before ``until`` for a back-fill: the same day of each of the ``months``
    previous months, leaving out those before the program's first approved participant
    (nothing to measure then). One query."""
    first = (
        Enrollment.objects.filter(program=program, status=APPROVED)
        .annotate(approved_at=Coalesce("decided_at", "created_at"))
        .order_by("approved_at")
        .values_list("approved_at", flat=True)
        .first()
    )
    if first is None:
        return []
    first_day = timezone.localdate(first, timezone.get_default_timezone())
    days = [months_before(until, k) for k in range(months, 0, -1)]
    return [day for day in days if day >= first_day]
