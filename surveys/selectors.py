"""Survey reads: pending invitations, the builder's lists, and results.

Results never name anyone for an anonymous survey and never show a group
(a role, a department, a period) with fewer than ``MIN_GROUP`` answers; an
anonymous survey with fewer answers than that shows only its response rate.
"""

import hashlib
import random
from datetime import datetime

from django.db.models import Avg, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.dateformat import format as date_format

from programs.models import Program, Role
from surveys.models import Survey, SurveyAnswer, SurveyInstance, SurveyInvitation, SurveyQuestion, SurveyResponse

MIN_GROUP = 5
TEXTS_SHOWN = 100


# --- Participants -----------------------------------------------------------------------


def _open_q(now: datetime, prefix: str = "instance__") -> Q:
    return Q(**{f"{prefix}status": SurveyInstance.Status.OPEN, f"{prefix}closes_at__gt": now})


def surveys_pending_for(*, user, now: datetime | None = None) -> QuerySet[SurveyInvitation]:
    """The user's unanswered invitations to rounds still open, closing soonest first."""
    now = now or timezone.now()
    return (
        SurveyInvitation.objects.for_user(user)
        .filter(_open_q(now), answered=False)
        .select_related("instance__survey__program")
        .order_by("instance__closes_at", "pk")
    )


def survey_invitations_for(*, user, now: datetime | None = None, closed_limit: int = 20) -> dict:
    """The user's survey page: open invitations (answered or not) and the latest closed ones."""
    now = now or timezone.now()
    mine = SurveyInvitation.objects.for_user(user).select_related("instance__survey__program")
    return {
        "open": list(mine.filter(_open_q(now)).order_by("answered", "instance__closes_at", "pk")),
        "closed": list(mine.exclude(_open_q(now)).order_by("-instance__closes_at", "-pk")[:closed_limit]),
    }


def edit_key_hash(key: str) -> str:
    """What is stored of an anonymous respondent's key: its SHA-256 (the key is 32 random bytes)."""
    return hashlib.sha256(key.encode()).hexdigest() if key else ""


def survey_response_of(*, invitation: SurveyInvitation, edit_key: str = "") -> SurveyResponse | None:
    """The invitation's own response: linked to it for an attributed survey; for an
    anonymous one, only the response whose secret key the respondent's browser holds."""
    if not invitation.instance.survey.anonymous:
        return SurveyResponse.objects.filter(invitation=invitation).first()
    if not edit_key:
        return None
    return invitation.instance.responses.filter(invitation__isnull=True, edit_key_hash=edit_key_hash(edit_key)).first()


def survey_response_lines(*, response: SurveyResponse | None) -> list[tuple[str, str]]:
    """A response as (question, answer) lines, in question order, for its author."""
    if response is None:
        return []
    initial = survey_response_initial(response=response)
    lines = []
    for question in response.instance.survey.questions.all():
        value = initial.get(f"q_{question.pk}")
        if value not in (None, "", []):
            lines.append((question.text, ", ".join(value) if isinstance(value, list) else value))
    return lines


def survey_response_initial(*, response: SurveyResponse | None) -> dict:
    """A response as the answer form's initial data (``q_<id>`` -> value)."""
    if response is None:
        return {}
    initial: dict = {}
    for answer in response.answers.select_related("question"):
        name = f"q_{answer.question_id}"
        kind = answer.question.kind
        if kind in SurveyQuestion.NUMBER_KINDS:
            initial[name] = str(answer.number)
        elif kind == SurveyQuestion.Kind.MULTIPLE:
            initial.setdefault(name, []).append(answer.choice)
        elif kind == SurveyQuestion.Kind.SINGLE:
            initial[name] = answer.choice
        else:
            initial[name] = answer.text
    return initial


# --- HR and owners: lists ---------------------------------------------------------------


def _count(queryset: QuerySet, outer: str) -> Coalesce:
    counted = queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(c=Count("pk")).values("c")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def survey_programs_for(*, user) -> QuerySet[Program]:
    """Programs whose surveys the user may manage or read, with survey numbers."""
    return Program.objects.owned_by(user).annotate(
        survey_count=_count(Survey.objects.all(), "program"),
        active_count=_count(Survey.objects.filter(status=Survey.Status.ACTIVE), "program"),
        open_rounds=_count(SurveyInstance.objects.open(), "survey__program"),
        invited=_count(SurveyInvitation.objects.all(), "instance__survey__program"),
        answered=_count(SurveyInvitation.objects.filter(answered=True), "instance__survey__program"),
    )


def surveys_for_program(*, program: Program) -> QuerySet[Survey]:
    return (
        Survey.objects.filter(program=program)
        .annotate(
            question_count=_count(SurveyQuestion.objects.all(), "survey"),
            round_count=_count(SurveyInstance.objects.all(), "survey"),
            open_rounds=_count(SurveyInstance.objects.open(), "survey"),
            invited=_count(SurveyInvitation.objects.all(), "instance__survey"),
            answered=_count(SurveyInvitation.objects.filter(answered=True), "instance__survey"),
        )
        .order_by("title", "pk")
    )


def survey_templates() -> QuerySet[Survey]:
    return Survey.objects.templates().prefetch_related("questions").order_by("pk")


def survey_rounds(*, survey: Survey, limit: int = 12) -> list[SurveyInstance]:
    """The latest rounds, with their numbers (for the builder page)."""
    return list(
        survey.instances.annotate(
            invited=Count("invitations"), answered=Count("invitations", filter=Q(invitations__answered=True))
        ).order_by("-opens_at", "-pk")[:limit]
    )


# --- Results ----------------------------------------------------------------------------


def _rate(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _nps(promoters: int, detractors: int, n: int) -> int | None:
    return round(100 * (promoters - detractors) / n) if n else None


def _period(survey: Survey, prefix: str = "response__instance__"):
    """Rounds of a program-wide survey are charted by their day; pairing rounds by month."""
    if survey.is_program_wide:
        return F(f"{prefix}occurs_on")
    return TruncMonth(f"{prefix}occurs_on")


def _period_label(survey: Survey, day) -> str:
    return date_format(day, "j M Y" if survey.is_program_wide else "M Y")


NUMBER_STATS = {
    "n": Count("pk"),
    "average": Avg("number"),
    "promoters": Count("pk", filter=Q(number__gte=9)),
    "detractors": Count("pk", filter=Q(number__lte=6)),
}


def _group_rows(rows, question: SurveyQuestion, labels: dict | None = None) -> dict:
    """A breakdown of one rating/NPS question: the groups big enough to show,
    and how many were too small (not named: even that they exist says something)."""
    shown, hidden = [], 0
    for row in rows:
        if row["n"] < MIN_GROUP:
            hidden += 1
            continue
        label = (labels or {}).get(row["group"], row["group"]) or "Not recorded"
        shown.append(
            {
                "label": label,
                "n": row["n"],
                "average": round(row["average"], 1) if row["average"] is not None else None,
                "nps": _nps(row["promoters"], row["detractors"], row["n"]),
            }
        )
    return {"shown": sorted(shown, key=lambda g: g["label"]), "hidden": hidden}


def survey_results(*, survey: Survey) -> dict:
    """Everything the results page shows, in a fixed number of queries whatever the size."""
    questions = list(survey.questions.all())
    invitations = SurveyInvitation.objects.filter(instance__survey=survey).aggregate(
        invited=Count("pk"), answered=Count("pk", filter=Q(answered=True))
    )
    responses = SurveyResponse.objects.filter(instance__survey=survey).count()
    results = {
        "survey": survey,
        "invited": invitations["invited"],
        "answered": invitations["answered"],
        "rate": _rate(invitations["answered"], invitations["invited"]),
        "responses": responses,
        "min_group": MIN_GROUP,
        "withheld": survey.anonymous and responses < MIN_GROUP,
        "questions": [],
        "rate_over_time": [],
        "trend": None,
    }
    rate_rows = (
        SurveyInvitation.objects.filter(instance__survey=survey)
        .annotate(period=_period(survey, prefix="instance__"))
        .values("period")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
        .order_by("period")
    )
    results["rate_over_time"] = [
        {
            "label": _period_label(survey, row["period"]),
            "invited": row["invited"],
            "answered": row["answered"],
            "rate": _rate(row["answered"], row["invited"]),
        }
        for row in rate_rows
    ]
    if results["withheld"] or not responses:
        results["questions"] = [{"question": q, "n": 0} for q in questions]
        return results

    answers = SurveyAnswer.objects.filter(response__instance__survey=survey).order_by()
    numbers = answers.filter(question__kind__in=SurveyQuestion.NUMBER_KINDS)
    answered_by = dict(answers.values_list("question_id").annotate(n=Count("response_id", distinct=True)))
    counts: dict[int, dict] = {}
    for row in (
        answers.exclude(question__kind=SurveyQuestion.Kind.TEXT)
        .values("question_id", "number", "choice")
        .annotate(n=Count("pk"))
    ):
        key = row["number"] if row["number"] is not None else row["choice"]
        counts.setdefault(row["question_id"], {})[key] = row["n"]
    stats = {row["question_id"]: row for row in numbers.values("question_id").annotate(**NUMBER_STATS)}
    by_role: dict[int, list] = {}
    by_department: dict[int, list] = {}
    for target, group_field in ((by_role, "response__role"), (by_department, "response__department")):
        for row in numbers.values("question_id", group=F(group_field)).annotate(**NUMBER_STATS).order_by():
            target.setdefault(row["question_id"], []).append(row)
    trend_rows: dict[int, dict] = {}
    for row in (
        numbers.annotate(period=_period(survey)).values("question_id", "period").annotate(**NUMBER_STATS).order_by()
    ):
        trend_rows.setdefault(row["question_id"], {})[row["period"]] = row
    texts = _texts(survey=survey, answers=answers)

    role_labels = dict(Role.choices)
    periods = sorted({p for rows in trend_rows.values() for p in rows})
    trend = {"labels": [_period_label(survey, p) for p in periods], "ratings": [], "nps": []}
    for question in questions:
        n = answered_by.get(question.pk, 0)
        entry = {"question": question, "n": n, "chart_id": f"question-{question.pk}"}
        if question.kind in SurveyQuestion.NUMBER_KINDS or question.kind in SurveyQuestion.CHOICE_KINDS:
            options = question.scale or question.choices
            found = counts.get(question.pk, {})
            entry["distribution"] = [
                {"label": str(option), "count": found.get(option, 0), "percent": _rate(found.get(option, 0), n) or 0}
                for option in options
            ]
        if question.kind in SurveyQuestion.NUMBER_KINDS and question.pk in stats:
            row = stats[question.pk]
            entry["average"] = round(row["average"], 1) if row["average"] is not None else None
            if question.kind == SurveyQuestion.Kind.NPS:
                passives = row["n"] - row["promoters"] - row["detractors"]
                entry["nps"] = {
                    "score": _nps(row["promoters"], row["detractors"], row["n"]),
                    "promoters": _rate(row["promoters"], row["n"]),
                    "passives": _rate(passives, row["n"]),
                    "detractors": _rate(row["detractors"], row["n"]),
                }
            entry["by_role"] = _group_rows(by_role.get(question.pk, []), question, role_labels)
            entry["by_department"] = _group_rows(by_department.get(question.pk, []), question)
            points = []
            for p in periods:
                point = trend_rows.get(question.pk, {}).get(p)
                if point is None or point["n"] < MIN_GROUP:
                    points.append(None)
                elif question.kind == SurveyQuestion.Kind.NPS:
                    points.append(_nps(point["promoters"], point["detractors"], point["n"]))
                else:
                    points.append(round(point["average"], 2))
            series = {"label": question.text, "data": points}
            trend["nps" if question.kind == SurveyQuestion.Kind.NPS else "ratings"].append(series)
        if question.kind == SurveyQuestion.Kind.TEXT:
            entry["texts"] = texts.get(question.pk, [])[:TEXTS_SHOWN]
            entry["texts_total"] = len(texts.get(question.pk, []))
        results["questions"].append(entry)
    if len(periods) > 1:
        results["trend"] = trend
    return results


def _texts(*, survey: Survey, answers: QuerySet) -> dict[int, list[dict]]:
    """Free-text answers per question. Anonymous: the text only, in random order.
    Attributed: with the person's name and the date, newest first."""
    texts = answers.filter(question__kind=SurveyQuestion.Kind.TEXT).exclude(text="")
    grouped: dict[int, list[dict]] = {}
    if survey.anonymous:
        rows = list(texts.values_list("question_id", "text"))
        random.SystemRandom().shuffle(rows)
        for question_id, text in rows:
            grouped.setdefault(question_id, []).append({"text": text})
        return grouped
    person = "response__invitation__enrollment__person__"
    rows = texts.values(
        "question_id", "text", "response__submitted_on", "response__role", f"{person}first_name", f"{person}last_name"
    ).order_by("-response__submitted_on", "pk")
    role_labels = dict(Role.choices)
    for row in rows:
        grouped.setdefault(row["question_id"], []).append(
            {
                "text": row["text"],
                "who": f"{row[person + 'first_name']} {row[person + 'last_name']}".strip(),
                "role": role_labels.get(row["response__role"], ""),
                "on": row["response__submitted_on"],
            }
        )
    return grouped


def survey_chart_data(*, results: dict) -> dict:
    """The numbers the charts draw, for ``json_script`` (no names, only counts and averages)."""
    charts = []
    for entry in results["questions"]:
        if entry.get("distribution"):
            question = entry["question"]
            charts.append(
                {
                    "id": entry["chart_id"],
                    "kind": question.kind,
                    "labels": [d["label"] for d in entry["distribution"]],
                    "counts": [d["count"] for d in entry["distribution"]],
                }
            )
    return {"questions": charts, "trend": results["trend"]}


def survey_results_csv(*, survey: Survey) -> tuple[list[str], list[list]]:
    """The export: anonymous surveys carry answers only, shuffled (no names, dates,
    roles or departments); attributed ones carry name, email, role, department,
    the round's day and the date answered."""
    questions = list(survey.questions.all())
    responses = SurveyResponse.objects.filter(instance__survey=survey)
    answers: dict = {}
    for row in (
        SurveyAnswer.objects.filter(response__instance__survey=survey)
        .order_by("pk")
        .values_list("response_id", "question_id", "number", "choice", "text")
    ):
        response_id, question_id, number, choice, text = row
        value = str(number) if number is not None else (choice or text)
        answers.setdefault(response_id, {}).setdefault(question_id, []).append(value)

    def cells(response_id):
        found = answers.get(response_id, {})
        return ["; ".join(found.get(q.pk, [])) for q in questions]

    header = [q.text for q in questions]
    if survey.anonymous:
        ids = list(responses.values_list("pk", flat=True))
        random.SystemRandom().shuffle(ids)
        return header, [cells(pk) for pk in ids]
    person = "invitation__enrollment__person__"
    role_labels = dict(Role.choices)
    rows = []
    for r in responses.values(
        "pk",
        "role",
        "department",
        "submitted_on",
        "instance__occurs_on",
        f"{person}first_name",
        f"{person}last_name",
        f"{person}email",
    ).order_by("instance__occurs_on", f"{person}last_name", f"{person}first_name", "pk"):
        rows.append(
            [
                f"{r[person + 'first_name']} {r[person + 'last_name']}".strip(),
                r[person + "email"],
                role_labels.get(r["role"], r["role"]),
                r["department"],
                r["instance__occurs_on"].isoformat(),
                r["submitted_on"].isoformat(),
                *cells(r["pk"]),
            ]
        )
    return ["Name", "Email", "Role", "Department", "Round", "Answered on", *header], rows


def survey_anonymous_results_shown(*, survey: Survey) -> bool:
    """Whether enough people answered an anonymous survey for any of it to be shown."""
    return SurveyResponse.objects.filter(instance__survey=survey).count() >= MIN_GROUP
