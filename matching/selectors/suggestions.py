"""Self-select: the mentors suggested to a mentee, requests, and a mentor's free places."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from matching.models import MentorshipRequest, Pairing
from matching.services import SELF_SELECT_MODES, SELF_SELECT_STATUSES, matching_criteria_get_or_create
from programs.models import Enrollment, EnrollmentSkill, Role


def self_select_enrollments(*, user) -> QuerySet[Enrollment]:
    """The user's mentee enrollments in programs where mentees may pick their mentor now."""
    return (
        Enrollment.objects.filter(
            person__user=user,
            role=Role.MENTEE,
            status=Enrollment.Status.APPROVED,
            program__matching_mode__in=SELF_SELECT_MODES,
            program__status__in=SELF_SELECT_STATUSES,
        )
        .select_related("program", "person")
        .order_by("program__start_date", "program__name")
    )


@dataclass
class Suggestion:
    mentor: Enrollment
    score: float
    explanation: dict[str, float]
    max_points: dict[str, float]


@dataclass
class Suggestions:
    enrollment: Enrollment
    items: list[Suggestion] = field(default_factory=list)
    #: why there are no suggestions to pick from (empty: there are)
    blocker: str = ""
    pending: MentorshipRequest | None = None
    pairing: Pairing | None = None
    #: how long a mentor has to answer a request
    expiry_days: int = 0


def mentor_suggestions(*, enrollment: Enrollment) -> Suggestions:
    """A self-select mentee's best mentors now, each with the explanation of its score.

    Ranks every available mentor for the mentee and keeps the best
    ``suggestions_shown``. Exposure: a mentor with ``free places x exposure_multiple``
    or more pending requests is skipped, so a popular mentor is not flooded while
    others wait. With a "only good matches" objective, mentors under its minimum
    score are not suggested. A constant number of queries.
    """
    program = enrollment.program
    result = Suggestions(enrollment=enrollment)
    if program.matching_mode not in SELF_SELECT_MODES:
        result.blocker = f"In {program.name}, HR matches mentees with mentors."
        return result
    if program.status not in SELF_SELECT_STATUSES:
        result.blocker = (
            f"{program.name} is {program.get_status_display().lower()}: you can pick a mentor once matching opens."
        )
        return result
    if enrollment.role != Role.MENTEE or enrollment.status != Enrollment.Status.APPROVED:
        result.blocker = "Only approved mentees can pick a mentor."
        return result
    result.pairing = (
        Pairing.objects.live().filter(mentee=enrollment).select_related("mentor__person").order_by("-pk").first()
    )
    if result.pairing is not None:
        result.blocker = f"You already have a match: {result.pairing.mentor.person.full_name}."
        return result
    result.pending = (
        MentorshipRequest.objects.filter(mentee=enrollment, status=MentorshipRequest.Status.PENDING)
        .select_related("mentor__person")
        .first()
    )
    if result.pending is not None:
        result.blocker = "Your request is waiting for an answer. You can withdraw it to ask someone else."
        return result

    # numpy and the engine: loaded by the process that scores, not by every web page.
    import numpy as np

    from matching.features import MatchSettings, cohort_load
    from matching.scoring import cohort_score

    criteria = matching_criteria_get_or_create(program=program)
    result.expiry_days = criteria.request_expiry_days
    cohort = cohort_load(program=program, mentee_ids=[enrollment.pk])
    if not cohort.mentees:
        result.blocker = "Finish your required training first: then you can pick a mentor."
        return result
    settings = MatchSettings.from_criteria(criteria)
    scored = cohort_score(cohort=cohort, settings=settings)
    pending = dict(
        MentorshipRequest.objects.filter(program=program, status=MentorshipRequest.Status.PENDING)
        .order_by()
        .values("mentor")
        .annotate(n=Count("pk"))
        .values_list("mentor", "n")
    )
    row = scored.scores[0]
    order = sorted(
        (j for j in np.nonzero(np.isfinite(row))[0]), key=lambda j: (-row[j], cohort.mentors[j].enrollment_id)
    )
    chosen: list[int] = []
    for j in order:
        mentor = cohort.mentors[j]
        if pending.get(mentor.enrollment_id, 0) >= criteria.exposure_multiple * mentor.free_capacity:
            continue
        if settings.min_score is not None and row[j] < settings.min_score:
            continue
        chosen.append(int(j))
        if len(chosen) >= criteria.suggestions_shown:
            break
    scored.pair_parts([(0, j) for j in chosen])
    mentors = Enrollment.objects.select_related("person__department", "person__location", "person__user").in_bulk(
        [cohort.mentors[j].enrollment_id for j in chosen]
    )
    result.items = [
        Suggestion(
            mentor=mentors[cohort.mentors[j].enrollment_id],
            score=scored.score(0, j),
            explanation=scored.explanation(0, j),
            max_points=scored.max_points,
        )
        for j in chosen
        if cohort.mentors[j].enrollment_id in mentors
    ]
    if not result.items:
        result.blocker = "No mentor has a free place that suits you right now. Check again in a few days."
    return result


def requests_for_mentee(*, enrollment: Enrollment, limit: int = 10) -> list[MentorshipRequest]:
    return list(
        MentorshipRequest.objects.filter(mentee=enrollment)
        .select_related("mentor__person")
        .order_by("-created_at", "-pk")[:limit]
    )


def requests_for_mentor(*, user) -> QuerySet[MentorshipRequest]:
    """Requests addressed to the user as a mentor, waiting ones first."""
    return (
        MentorshipRequest.objects.filter(mentor__person__user=user)
        .select_related("program", "mentee__person__department", "mentee__person__location")
        .prefetch_related(Prefetch("mentee__skills", queryset=EnrollmentSkill.objects.select_related("skill")))
        .annotate(
            waiting_first=Case(
                When(status=MentorshipRequest.Status.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting_first", "-created_at", "-pk")
    )


def mentor_places(*, user) -> list[Enrollment]:
    """The user's mentor enrollments with ``live_pairings`` and ``free_places``. One query."""
    live = Pairing.objects.live().filter(mentor=OuterRef("pk")).order_by().values("mentor").annotate(n=Count("pk"))
    enrollments = list(
        Enrollment.objects.filter(person__user=user, role=Role.MENTOR, status=Enrollment.Status.APPROVED)
        .select_related("program")
        .annotate(live_pairings=Coalesce(Subquery(live.values("n"), output_field=IntegerField()), 0))
        .order_by("program__name")
    )
    for enrollment in enrollments:
        enrollment.free_places = max(enrollment.capacity - enrollment.live_pairings, 0)
    return enrollments
