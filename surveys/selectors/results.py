"""Survey reads: pending invitations, the builder's lists, and results.

Results follow ``people.privacy``: they never name anyone for an anonymous
survey, never show a group (a role, a department, a period) with fewer than
``PRIVACY_MIN_GROUP`` answers nor one that could be worked out from the total
and the groups shown; for an anonymous survey, no figure of a question answered
by fewer than the minimum, and only its response rate until the minimum of
answers has joined the results.
"""

import random
from collections import Counter

from django.db.models import Avg, Count, F, Q, Sum, Window
from django.db.models.functions import Random, RowNumber, TruncMonth
from django.utils.dateformat import format as date_format

from people import privacy
from programs.models import Role
from surveys import anonymity
from surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyAnswerTally,
    SurveyQuestion,
    SurveyTally,
)

TEXTS_SHOWN = 100

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


class _Stats:
    """The figures of a rating/NPS question (or one group of its answers), added up from
    the grouped rows of ``_answer_cells``: what ``Count``/``Avg`` over the answers gave."""

    __slots__ = ("n", "counted", "total", "promoters", "detractors")

    def __init__(self):
        self.n = self.counted = self.total = self.promoters = self.detractors = 0

    def add(self, number: int | None, n: int) -> None:
        self.n += n
        if number is not None:
            self.counted += n
            self.total += number * n
            self.promoters += n if number >= 9 else 0
            self.detractors += n if number <= 6 else 0

    @property
    def average(self) -> float | None:
        return self.total / self.counted if self.counted else None

    def row(self, group=None) -> dict:
        return {
            "group": group,
            "n": self.n,
            "average": self.average,
            "promoters": self.promoters,
            "detractors": self.detractors,
        }


def _group_rows(rows, question: SurveyQuestion, labels: dict | None = None) -> dict:
    """A breakdown of one rating/NPS question under ``people.privacy``: the groups that may
    be shown, and how many are not (not named: even that they exist says something).
    Complementary suppression: the overall figure is on the page, so a single small
    group is never the only one hidden."""
    rows = [row for row in rows if row["n"]]
    if len(rows) < 2:
        return {"shown": [], "hidden": 0}  # One group is the overall figure again.
    by_key = {row["group"]: row for row in rows}
    breakdown = privacy.suppress(
        privacy.Group(row["group"], (labels or {}).get(row["group"], row["group"]) or "Not recorded", row["n"])
        for row in rows
    )
    shown = []
    for group in breakdown.shown:
        row = by_key[group.key]
        shown.append(
            {
                "label": group.label,
                "n": row["n"],
                "average": round(row["average"], 1) if row["average"] is not None else None,
                "nps": _nps(row["promoters"], row["detractors"], row["n"]),
            }
        )
    return {"shown": sorted(shown, key=lambda g: g["label"]), "hidden": len(breakdown.hidden_keys)}


def _answer_cells(*, survey: Survey, questions: list[SurveyQuestion]) -> dict:
    """Every figure of the answers in one query over the survey's running totals
    (``surveys.tallies``): rows by (question, value, role, department, period), bounded by
    the questions' options, the roles, departments and periods, not by the number of
    answers, added up here into what the page shows. A multiple-choice question has one
    row per chosen option; how many people answered it is its ``per_person`` rows."""
    kinds = {q.pk: q.kind for q in questions}
    rows = (
        SurveyAnswerTally.objects.filter(survey=survey)
        .order_by()
        .values("question_id", "number", "choice", "role", "department", "period", "per_person")
        .annotate(n=Sum("n"), written=Sum("written"))
    )
    answered_by: Counter = Counter()
    written: Counter = Counter()
    counts: dict[int, Counter] = {}
    stats: dict[int, _Stats] = {}
    by_role: dict[int, dict] = {}
    by_department: dict[int, dict] = {}
    by_period: dict[int, dict] = {}
    for row in rows:
        question_id, number, n = row["question_id"], row["number"], row["n"]
        kind = kinds.get(question_id)
        if kind is None or not n:  # A total back to 0 (answers changed or deleted) is no answer.
            continue
        if row["per_person"]:  # People who answered a multiple-choice question.
            if kind == SurveyQuestion.Kind.MULTIPLE:
                answered_by[question_id] += n
            continue
        if kind != SurveyQuestion.Kind.MULTIPLE:  # One row per person; a multiple choice is counted above.
            answered_by[question_id] += n
        if kind == SurveyQuestion.Kind.TEXT:
            written[question_id] += row["written"]
            continue
        counts.setdefault(question_id, Counter())[number if number is not None else row["choice"]] += n
        if kind not in SurveyQuestion.NUMBER_KINDS:
            continue
        stats.setdefault(question_id, _Stats()).add(number, n)
        by_role.setdefault(question_id, {}).setdefault(row["role"], _Stats()).add(number, n)
        if not survey.anonymous:  # Anonymous answers carry no department (see surveys.anonymity).
            by_department.setdefault(question_id, {}).setdefault(row["department"], _Stats()).add(number, n)
        if row["period"] is not None:  # Answers pooled over the whole survey have no round.
            by_period.setdefault(question_id, {}).setdefault(row["period"], _Stats()).add(number, n)
    return {
        "answered_by": answered_by,
        "written": written,
        "counts": counts,
        "stats": stats,
        "by_role": {pk: [s.row(g) for g, s in groups.items()] for pk, groups in by_role.items()},
        "by_department": {pk: [s.row(g) for g, s in groups.items()] for pk, groups in by_department.items()},
        "by_period": by_period,
    }


def survey_results(*, survey: Survey) -> dict:
    """Everything the results page shows, in a fixed number of queries whatever the size,
    read from the running totals kept with every answer (``surveys.tallies``): the
    questions, the invitations and responses by period, the answers' figures
    (``_answer_cells``) and at most ``TEXTS_SHOWN`` written answers per question."""
    questions = list(survey.questions.all())
    by_period: dict = {}
    responses = 0
    for period, invited, answered, counted in (
        SurveyTally.objects.filter(survey=survey)
        .order_by()
        .values_list("period")
        .annotate(Sum("invited"), Sum("answered"), Sum("responses"))
    ):
        responses += counted or 0
        if invited:  # A period with invitations (answers pooled over the survey have none).
            by_period[period] = {"period": period, "invited": invited, "answered": answered}
    rate_rows = [by_period[period] for period in sorted(by_period)]
    invited = sum(row["invited"] for row in rate_rows)
    answered = sum(row["answered"] for row in rate_rows)
    minimum = privacy.min_group()
    results = {
        "survey": survey,
        "invited": invited,
        "answered": answered,
        "rate": _rate(answered, invited),
        "responses": responses,
        "min_group": minimum,
        "withheld": survey.anonymous and responses < minimum,
        "held_back": anonymity.held_back(survey=survey) if survey.anonymous else 0,
        "questions": [],
        "rate_over_time": [
            {
                "label": _period_label(survey, row["period"]),
                "invited": row["invited"],
                "answered": row["answered"],
                "rate": _rate(row["answered"], row["invited"]),
            }
            for row in rate_rows
        ],
        "trend": None,
    }
    if results["withheld"] or not responses:
        results["questions"] = [{"question": q, "n": 0} for q in questions]
        return results

    cells = _answer_cells(survey=survey, questions=questions)
    answered_by, counts, stats, trend_rows = cells["answered_by"], cells["counts"], cells["stats"], cells["by_period"]
    texts = _texts(survey=survey, questions=questions)

    role_labels = dict(Role.choices)
    periods = sorted({p for rows in trend_rows.values() for p in rows})
    trend = {"labels": [_period_label(survey, p) for p in periods], "ratings": [], "nps": []}
    for question in questions:
        n = answered_by.get(question.pk, 0)
        entry = {"question": question, "n": n, "chart_id": f"question-{question.pk}"}
        if survey.anonymous and not privacy.is_shown(n):
            # Every figure of a question (count, average, distribution, NPS, text) needs the minimum.
            entry.update(n=None, too_few=True)
            results["questions"].append(entry)
            continue
        if question.kind in SurveyQuestion.NUMBER_KINDS or question.kind in SurveyQuestion.CHOICE_KINDS:
            options = question.scale or question.choices
            found = counts.get(question.pk, {})
            entry["distribution"] = [
                {"label": str(option), "count": found.get(option, 0), "percent": _rate(found.get(option, 0), n) or 0}
                for option in options
            ]
        if question.kind in SurveyQuestion.NUMBER_KINDS and question.pk in stats:
            row = stats[question.pk]
            entry["average"] = round(row.average, 1) if row.average is not None else None
            if question.kind == SurveyQuestion.Kind.NPS:
                passives = row.n - row.promoters - row.detractors
                entry["nps"] = {
                    "score": _nps(row.promoters, row.detractors, row.n),
                    "promoters": _rate(row.promoters, row.n),
                    "passives": _rate(passives, row.n),
                    "detractors": _rate(row.detractors, row.n),
                }
            entry["by_role"] = _group_rows(cells["by_role"].get(question.pk, []), question, role_labels)
            entry["by_department"] = _group_rows(cells["by_department"].get(question.pk, []), question)
            points = []
            for p in periods:
                point = trend_rows.get(question.pk, {}).get(p)
                if point is None or not privacy.is_shown(point.n):
                    points.append(None)
                elif question.kind == SurveyQuestion.Kind.NPS:
                    points.append(_nps(point.promoters, point.detractors, point.n))
                else:
                    points.append(round(point.average, 2))
            series = {"label": question.text, "data": points}
            trend["nps" if question.kind == SurveyQuestion.Kind.NPS else "ratings"].append(series)
        if question.kind == SurveyQuestion.Kind.TEXT:
            entry["texts"] = texts.get(question.pk, [])
            entry["texts_total"] = cells["written"].get(question.pk, 0)
        results["questions"].append(entry)
    if len(periods) > 1:
        results["trend"] = trend
    return results


def _texts(*, survey: Survey, questions: list[SurveyQuestion]) -> dict[int, list[dict]]:
    """At most ``TEXTS_SHOWN`` free-text answers per question (one query; the page says how
    many there are and the CSV has them all). Anonymous: the text only, a random choice
    in random order. Attributed: with the person's name and the date, newest first."""
    text_questions = [q.pk for q in questions if q.kind == SurveyQuestion.Kind.TEXT]
    if not text_questions:
        return {}
    texts = SurveyAnswer.objects.filter(response__survey=survey, question_id__in=text_questions).exclude(text="")
    grouped: dict[int, list[dict]] = {}
    if survey.anonymous:
        rows = list(
            texts.annotate(rank=Window(RowNumber(), partition_by=[F("question_id")], order_by=Random()))
            .filter(rank__lte=TEXTS_SHOWN)
            .values_list("question_id", "text")
        )
        random.SystemRandom().shuffle(rows)
        for question_id, text in rows:
            grouped.setdefault(question_id, []).append({"text": text})
        return grouped
    person = "response__invitation__enrollment__person__"
    newest_first = [F("response__submitted_on").desc(), F("pk").asc()]
    rows = (
        texts.annotate(rank=Window(RowNumber(), partition_by=[F("question_id")], order_by=newest_first))
        .filter(rank__lte=TEXTS_SHOWN)
        .values(
            "question_id",
            "text",
            "response__submitted_on",
            "response__role",
            f"{person}first_name",
            f"{person}last_name",
        )
        .order_by("-response__submitted_on", "pk")
    )
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


def survey_anonymous_results_shown(*, survey: Survey) -> bool:
    """Whether enough people answered an anonymous survey for any of it to be shown."""
    responses = SurveyTally.objects.filter(survey=survey).aggregate(n=Sum("responses"))["n"]
    return privacy.is_shown(responses or 0)
