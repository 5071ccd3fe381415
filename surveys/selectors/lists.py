"""Survey reads for HR and owners: the programs' and surveys' lists, the builder's numbers."""

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from programs.models import Enrollment, Program
from surveys import anonymity
from surveys.models import (
    Survey,
    SurveyInstance,
    SurveyQuestion,
    SurveyTally,
)

# --- HR and owners: lists ---------------------------------------------------------------


def _count(queryset: QuerySet, outer: str) -> Coalesce:
    counted = queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(c=Count("pk")).values("c")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _with_tally_numbers(objects: list, group: str, fields: tuple[str, ...] = ("invited", "answered")) -> list:
    """Set ``invited`` and ``answered`` (and any other of ``fields``) on each of ``objects``
    (programs or surveys) from the running totals (``surveys.tallies``): one query over a
    few rows per survey, grouped by ``group``, whatever the number of invitations."""
    numbers = {
        row["key"]: row
        for row in SurveyTally.objects.filter(**{f"{group}__in": [o.pk for o in objects]})
        .order_by()
        .values(key=F(group))
        .annotate(**{name: Sum(name) for name in fields})
    }
    for o in objects:
        row = numbers.get(o.pk, {})
        for name in fields:
            setattr(o, name, row.get(name) or 0)
    return objects


def survey_programs_for(*, user) -> list[Program]:
    """Programs whose surveys the user may manage or read, with survey numbers."""
    programs = Program.objects.owned_by(user).annotate(
        survey_count=_count(Survey.objects.all(), "program"),
        active_count=_count(Survey.objects.filter(status=Survey.Status.ACTIVE), "program"),
        open_rounds=_count(SurveyInstance.objects.open(), "survey__program"),
    )
    return _with_tally_numbers(list(programs), "survey__program")


def surveys_for_program(*, program: Program) -> list[Survey]:
    surveys = (
        Survey.objects.filter(program=program)
        .annotate(
            question_count=_count(SurveyQuestion.objects.all(), "survey"),
            open_rounds=_count(SurveyInstance.objects.open(), "survey"),
        )
        .order_by("title", "pk")
    )
    surveys = _with_tally_numbers(list(surveys), "survey", ("invited", "answered", "rounds"))
    for survey in surveys:
        survey.round_count = survey.rounds
    return surveys


def survey_templates() -> QuerySet[Survey]:
    return Survey.objects.templates().prefetch_related("questions").order_by("pk")


def survey_anonymity_warning(*, survey: Survey) -> str:
    """Why this anonymous survey will not (or no longer) be sent, for the builder page ("" when it will)."""
    if not survey.anonymous:
        return ""
    refusal = anonymity.trigger_refusal(survey.trigger)
    if refusal:
        return refusal
    audience = survey_audience_size(survey=survey)
    return anonymity.audience_refusal(audience) if survey.is_program_wide else ""


def survey_audience_size(*, survey: Survey) -> int:
    return Enrollment.objects.approved().filter(program_id=survey.program_id, role__in=survey.roles).count()


def survey_rounds(*, survey: Survey, limit: int = 12) -> list[SurveyInstance]:
    """The latest rounds, with their numbers (for the builder page)."""
    return list(
        survey.instances.annotate(
            invited=Count("invitations"), answered=Count("invitations", filter=Q(invitations__answered=True))
        ).order_by("-opens_at", "-pk")[:limit]
    )
