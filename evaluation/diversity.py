"""The diversity & inclusion view of one program (HR admins only), and its CSV.

Who takes part, who gets matched and how satisfied they are, by what
participants chose to share about themselves. Every figure follows
``people.privacy``: groups pooled by complementary suppression, rates shown for
a dimension only when every group has enough people with and without the
outcome, and the whole table *released* (frozen) and recomputed only once at
least the minimum of participants joined, left or changed. Employees per group
come from the directory's own released overview, so an import or a leaver does
not move them either.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Q, Sum
from django.utils import timezone

from evaluation.selectors import matched_q
from matching.models import Pairing
from people import privacy
from programs.models import Enrollment, Program, Role
from surveys.models import SurveyAnswer, SurveyQuestion

TALLY_FIELDS = ("participants", "mentees", "matched", "respondents", "total", "n")


def _release_key(program: Program) -> str:
    return f"program:{program.pk}:diversity"


def program_diversity(*, program: Program) -> privacy.Released:
    """The program's released D&I figures (see the module docstring). ``figures`` is JSON:

    ``{"participants": n, "dimensions": [{"name", "label", "withheld", "rates_shown",
    "averages_shown", "rows": [{"label", "participants", "participants_share", "employees",
    "employees_share", "participation_rate", "mentees", "match_rate", "satisfaction"}]}]}``

    A fixed number of queries whatever the number of participants. While nothing that
    feeds the records changed (a digest of the participants' rows and :func:`_ratings_state`,
    computed in the database), the last comparison stands and neither the participants nor
    the ratings are read.
    """
    names = privacy.DIMENSION_NAMES
    enrollments = Enrollment.objects.filter(program=program, status=Enrollment.Status.APPROVED)
    matched = Pairing.objects.filter(matched_q(timezone.now())).values("mentee_id")
    participants_rows = (
        # Matched: one set of the matched mentees (a hashed IN), not a lookup per participant.
        enrollments.annotate(matched=ExpressionWrapper(Q(pk__in=matched), output_field=BooleanField()))
        .order_by()
        .values_list("pk", "person_id", "role", "matched", *(f"person__self_identification__{n}" for n in names))
    )
    rated = SurveyAnswer.objects.filter(question__kind=SurveyQuestion.Kind.RATING, number__isnull=False)
    participants: list[tuple] = []
    ratings: dict[int, tuple[int, int]] = {}

    def records():
        participants.extend(participants_rows)
        # Attributed ratings only: anonymous answers are never traced to anyone.
        ratings.update(
            (row["response__invitation__enrollment_id"], (row["total"], row["n"]))
            for row in rated.filter(
                response__survey__program=program, response__invitation__enrollment__program=program
            )
            .order_by()
            .values("response__invitation__enrollment_id")
            .annotate(total=Sum("number"), n=Count("pk"))
        )
        out = {}
        for pk, _person, role, matched, *values in participants:
            keys = tuple(privacy.answer_key(name, value) for name, value in zip(names, values, strict=True))
            out[pk] = (role, bool(matched), *ratings.get(pk, (0, 0)), *keys)
        return out

    def state():
        return f"{privacy.rows_digest(participants_rows)}/{_ratings_state(program)}"

    def compute():
        return _figures(participants, ratings)

    return privacy.release_refresh(key=_release_key(program), records=records, compute=compute, state=state)


def _ratings_state(program: Program) -> str:
    """What changes whenever a participant's ratings do, read from indexes only (no answer
    row): the newest answer's id (any survey), and the number and sum of the program's rating
    answers (the index on question and value). Answers are written once: added, with an id
    above every earlier one, and deleted (answering again replaces them), so an added answer
    raises the newest id and a deleted one lowers the number; a value changed in place would
    change the sum."""
    newest = SurveyAnswer.objects.aggregate(id=Max("pk"))["id"]
    questions = SurveyQuestion.objects.filter(survey__program=program, kind=SurveyQuestion.Kind.RATING).values("pk")
    answers = SurveyAnswer.objects.filter(question__in=questions, number__isnull=False).aggregate(
        n=Count("*"), total=Sum("number")
    )
    return f"{newest}:{answers['n']}:{answers['total']}"


def _figures(participants: list[tuple], ratings: dict) -> dict:
    directory = privacy.directory_self_identification().figures
    employees_total = directory["total"]
    breakdowns = privacy.self_identification_breakdowns(row[4:] for row in participants)
    dimensions = []
    for index, (name, label) in enumerate(privacy.dimensions()):
        breakdown, _ = breakdowns[name]
        if breakdown.withheld:
            dimensions.append({"name": name, "label": label, "withheld": True, "rows": []})
            continue
        tally = defaultdict(lambda: dict.fromkeys(TALLY_FIELDS, 0))
        for pk, _person, role, matched, *values in participants:
            row_label = breakdown.label_of(privacy.answer_key(name, values[index]))
            counts = tally[row_label]
            counts["participants"] += 1
            if role == Role.MENTEE:
                counts["mentees"] += 1
                counts["matched"] += bool(matched)
            total, n = ratings.get(pk, (0, 0))
            if n:
                counts["respondents"] += 1
                counts["total"] += total
                counts["n"] += n
        order = [row_label for row_label, _ in breakdown.rows()]
        rates_shown = privacy.outcome_rates_shown((tally[x]["matched"], tally[x]["mentees"]) for x in order)
        averages_shown = privacy.averages_shown(tally[x]["respondents"] for x in order)
        company = dict(directory["dimensions"][name]["rows"]) if not directory["dimensions"][name]["withheld"] else {}
        rows = []
        for row_label in order:
            counts = tally[row_label]
            employees = company.get(row_label) if row_label != privacy.OTHER_LABEL else None
            rows.append(
                {
                    "label": row_label,
                    "participants": counts["participants"],
                    "participants_share": privacy.percent(counts["participants"], len(participants)),
                    "employees": employees,
                    "employees_share": privacy.percent(employees, employees_total) if employees else None,
                    "participation_rate": privacy.percent(counts["participants"], employees) if employees else None,
                    "mentees": counts["mentees"] if rates_shown else None,
                    "match_rate": privacy.percent(counts["matched"], counts["mentees"]) if rates_shown else None,
                    "satisfaction": round(counts["total"] / counts["n"], 2) if averages_shown else None,
                }
            )
        dimensions.append(
            {
                "name": name,
                "label": label,
                "withheld": False,
                "rates_shown": rates_shown,
                "averages_shown": averages_shown,
                "rows": rows,
            }
        )
    return {"participants": len(participants), "dimensions": dimensions}
