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

from django.db.models import Count, Exists, ExpressionWrapper, IntegerField, OuterRef, Sum
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
    feeds the records changed (a digest of the participants' rows, and one of the ids and
    values of the program's rating answers, computed in the database), the last comparison
    stands and neither the participants nor the ratings are read. Answers are written once
    (added with their response, deleted with it), so their ids and values change whenever
    the ratings do.
    """
    names = privacy.DIMENSION_NAMES
    enrollments = Enrollment.objects.filter(program=program, status=Enrollment.Status.APPROVED)
    participants_rows = (
        enrollments.annotate(
            # An integer, not a boolean: no per-row conversion for 10,000 participants.
            matched=ExpressionWrapper(
                Exists(Pairing.objects.filter(matched_q(timezone.now()), mentee_id=OuterRef("pk"))),
                output_field=IntegerField(),
            )
        )
        .order_by()
        .values_list("pk", "person_id", "role", "matched", *(f"person__self_identification__{n}" for n in names))
    )
    rated = SurveyAnswer.objects.filter(question__kind=SurveyQuestion.Kind.RATING, number__isnull=False)
    # What the digest covers: every rating answer to the program's questions (an answer's
    # question and response are of the same survey), without joining the responses.
    rating_answers = rated.filter(question__survey__program=program).values_list("pk", "number")
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
        return f"{privacy.rows_digest(participants_rows)}/{privacy.rows_digest(rating_answers, integers=True)}"

    def compute():
        return _figures(participants, ratings)

    return privacy.release_refresh(key=_release_key(program), records=records, compute=compute, state=state)


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
