"""Who is in a program's matching pool and what HR weighs, without numpy.

The web process imports this (pages list the criteria and count who can be matched); the
engine (``matching.features``, ``matching.scoring``, ``matching.engine``: numpy and
OR-Tools) is imported only where a cohort is scored, in the worker that runs matching
or for a mentee's suggestions.
"""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from matching.models import Pairing
from programs.models import Enrollment, Role

#: Criteria HR weighs, in display order; all but ``meeting_format`` are engine criteria.
CRITERIA = (
    "skills",
    "objectives",
    "seniority",
    "department",
    "timezone",
    "location",
    "meeting_format",
    "working_style",
    "availability",
    "answers",
)
CRITERION_WEIGHT_FIELDS = {
    "skills": "weight_skills",
    "objectives": "weight_objectives",
    "seniority": "weight_seniority",
    "department": "weight_department",
    "timezone": "weight_time_zone",
    "location": "weight_location",
    "meeting_format": "weight_meeting_format",
    "working_style": "weight_working_style",
    "availability": "weight_availability",
    "answers": "weight_custom_questions",
}
CRITERION_LABELS = {
    "skills": "Skills",
    "objectives": "Goals",
    "seniority": "Seniority gap",
    "department": "Department",
    "timezone": "Time zones",
    "location": "Location",
    "meeting_format": "Meeting format",
    "working_style": "Working style",
    "availability": "Availability",
    "answers": "Program questions",
}
#: Why a pair may never be matched, as HR reads it.
HARD_CONSTRAINT_LABELS = {
    "management_chain": "one is in the other's management chain",
    "paired_before": "they were paired before in this program",
    "declined_request": "the mentor declined this mentee's request",
    "excluded": "HR excluded this pair",
    "language": "they share no language",
    "seniority_gap": "the seniority gap is outside the allowed range",
    "same_department": "they work in the same department",
    "meeting_format": "they can't meet in a format both accept",
    "blocked": "a hard rule forbids it",
}


def participants_queryset(*, program):
    """Approved mentors and mentees still employed, annotated with training completeness,
    live pairings as mentor (count) and as mentee (exists)."""
    from programs.services.training import enrollments_annotate_training

    today = timezone.localdate()
    live = Pairing.objects.live()
    live_as_mentor = live.filter(mentor=OuterRef("pk")).order_by().values("mentor").annotate(n=Count("pk")).values("n")
    queryset = Enrollment.objects.filter(
        Q(person__termination_date__isnull=True) | Q(person__termination_date__gt=today),
        program=program,
        status=Enrollment.Status.APPROVED,
        role__in=[Role.MENTOR, Role.MENTEE],
    )
    return enrollments_annotate_training(queryset=queryset).annotate(
        live_as_mentor=Coalesce(Subquery(live_as_mentor, output_field=IntegerField()), 0),
        live_as_mentee=Exists(live.filter(mentee=OuterRef("pk"))),
    )
