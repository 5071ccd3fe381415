"""Running totals of survey results (``SurveyTally``, ``SurveyAnswerTally``).

The survey lists and the results pages read these few rows instead of counting every
invitation and grouping every answer of a survey. Every write that changes what the
results count adds its change here, in its own transaction:

* rounds opened and people invited (``surveys.services.distribution``);
* an invitation answered (``surveys.services.responses``, ``surveys.anonymity``);
* attributed answers sent or changed (the old ones taken off, the new ones added);
* anonymous answers when their batch is released (``surveys.anonymity``): sealed
  answers are never counted, so a tally tells nothing an answer in the results does not;
* an enrollment deleted (its invitations, and its attributed responses and answers, go
  with it: ``surveys.receivers``).

Whatever else deletes rows (a round deleted in the Django admin) is put right by
``surveys_tallies_rebuild``, run nightly, which recomputes a survey's totals from its rows.

Every writer first locks the survey's row (``FOR NO KEY UPDATE``: inserts that merely
reference the survey are not blocked), so two writers never add to the same totals at
once and a rebuild never runs between a writer's rows and its totals. The totals are
then read and written back in a few queries. Readers always sum the rows of a cell, so
a duplicate row would still be counted right.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

from surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyAnswerTally,
    SurveyInstance,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveyTally,
)

ROUND_FIELDS = ("rounds", "invited", "answered", "responses")
ANSWER_FIELDS = ("n", "written")
# (question id, period, role, department, number, choice, per_person)
AnswerKey = tuple[int, date | None, str, str, int | None, str, bool]


def period_of(survey: Survey, occurs_on: date | None) -> date | None:
    """The period the results chart a round under: its day for a program-wide survey, its
    month (first day) for pairing rounds, none for anonymous answers pooled over the survey."""
    if occurs_on is None:
        return None
    return occurs_on if survey.is_program_wide else occurs_on.replace(day=1)


def _period_expression(survey: Survey, prefix: str):
    if survey.is_program_wide:
        return F(f"{prefix}occurs_on")
    return TruncMonth(f"{prefix}occurs_on")


class Changes:
    """What one write adds to (or takes off) a survey's totals."""

    def __init__(self, survey: Survey):
        self.survey = survey
        self.rounds: dict[date | None, Counter] = defaultdict(Counter)
        self.answers: dict[AnswerKey, Counter] = defaultdict(Counter)

    def add_round(self, occurs_on: date | None, **fields: int) -> None:
        counter = self.rounds[period_of(self.survey, occurs_on)]
        for name, value in fields.items():
            counter[name] += value

    def add_answers(self, rows: Iterable[tuple], *, multiple: set[int], sign: int = 1) -> None:
        """``rows``: (response key, question id, number, choice, text, role, department,
        round's day) of answers in the results; ``multiple``: the multiple-choice questions."""
        people: dict[tuple, set] = defaultdict(set)
        for response, question_id, number, choice, text, role, department, occurs_on in rows:
            period = period_of(self.survey, occurs_on)
            cell = self.answers[(question_id, period, role, department, number, choice, False)]
            cell["n"] += sign
            if text:
                cell["written"] += sign
            if question_id in multiple:
                people[(question_id, period, role, department)].add(response)
        for (question_id, period, role, department), responses in people.items():
            self.answers[(question_id, period, role, department, None, "", True)]["n"] += sign * len(responses)

    def save(self) -> None:
        """Add the changes to the stored totals (locks the survey's row until the transaction ends)."""
        rounds = {p: c for p, c in self.rounds.items() if any(c.values())}
        answers = {k: c for k, c in self.answers.items() if any(c.values())}
        if not rounds and not answers:
            return
        with transaction.atomic(savepoint=False):
            lock(self.survey.pk)
            if rounds:
                _add(
                    SurveyTally.objects.filter(survey_id=self.survey.pk).filter(_periods_q(rounds)),
                    rounds,
                    key=lambda row: row.period,
                    fields=ROUND_FIELDS,
                    new=lambda period: SurveyTally(survey_id=self.survey.pk, period=period),
                )
            if answers:
                existing = SurveyAnswerTally.objects.filter(
                    _periods_q({key[1] for key in answers}),
                    survey_id=self.survey.pk,
                    question_id__in={key[0] for key in answers},
                    role__in={key[2] for key in answers},
                )
                _add(
                    existing,
                    answers,
                    key=_answer_key,
                    fields=ANSWER_FIELDS,
                    new=lambda key: SurveyAnswerTally(
                        survey_id=self.survey.pk,
                        question_id=key[0],
                        period=key[1],
                        role=key[2],
                        department=key[3],
                        number=key[4],
                        choice=key[5],
                        per_person=key[6],
                    ),
                )


def _answer_key(row: SurveyAnswerTally) -> AnswerKey:
    return (row.question_id, row.period, row.role, row.department, row.number, row.choice, row.per_person)


def _periods_q(periods: Iterable[date | None]) -> Q:
    periods = set(periods)
    q = Q(period__in=[p for p in periods if p is not None])
    if None in periods:
        q |= Q(period__isnull=True)
    return q


def _add(existing, changes: dict, *, key, fields, new) -> None:
    """Add ``changes`` ({key: Counter}) to the rows of ``existing``, creating the missing
    ones: one read, one bulk update, one bulk insert (the caller holds the survey's lock)."""
    rows = {}
    for row in existing:
        rows.setdefault(key(row), row)  # a duplicate row keeps its own figures; they are summed when read
    updated, created = [], []
    for cell, counter in sorted(changes.items(), key=lambda item: repr(item[0])):
        row = rows.get(cell)
        if row is None:
            row = new(cell)
            created.append(row)
        else:
            updated.append(row)
        for name in fields:
            setattr(row, name, getattr(row, name) + counter.get(name, 0))
    if updated:
        type(updated[0]).objects.bulk_update(updated, list(fields))
    if created:
        type(created[0]).objects.bulk_create(created)


def lock(survey_id: int) -> None:
    """Take the survey's row lock that every writer of its totals holds (see the module's doc)."""
    list(Survey.objects.select_for_update(no_key=True).filter(pk=survey_id).order_by().values_list("pk", flat=True))


def multiple_choice(questions: Iterable[SurveyQuestion]) -> set[int]:
    return {q.pk for q in questions if q.kind == SurveyQuestion.Kind.MULTIPLE}


def answer_rows_of(answers: Iterable[SurveyAnswer], *, occurs_on: date | None) -> list[tuple]:
    """The rows ``Changes.add_answers`` takes, from answer objects about to be saved (their
    responses in memory, all of one round)."""
    return [
        (id(a.response), a.question_id, a.number, a.choice, a.text, a.response.role, a.response.department, occurs_on)
        for a in answers
    ]


ANSWER_VALUES = (
    "response_id",
    "question_id",
    "number",
    "choice",
    "text",
    "response__role",
    "response__department",
    "response__instance__occurs_on",
)


# --- Deletions --------------------------------------------------------------------------


def enrollment_removed(*, enrollment_id: int) -> None:
    """Take off an enrollment's invitations, and its attributed responses and answers,
    before they are deleted with it (anonymous answers, linked to nobody, stay)."""
    invitations = list(
        SurveyInvitation.objects.filter(enrollment_id=enrollment_id)
        .order_by()
        .values_list("instance__survey_id", "instance__occurs_on")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
    )
    if not invitations:
        return
    surveys = {s.pk: s for s in Survey.objects.filter(pk__in={row[0] for row in invitations}).order_by("pk")}
    changes = {pk: Changes(survey) for pk, survey in surveys.items()}
    for survey_id, occurs_on, invited, answered in invitations:
        changes[survey_id].add_round(occurs_on, invited=-invited, answered=-answered)
    for survey_id, occurs_on, responses in (
        SurveyResponse.objects.filter(invitation__enrollment_id=enrollment_id)
        .order_by()
        .values_list("survey_id", "instance__occurs_on")
        .annotate(n=Count("pk"))
    ):
        changes[survey_id].add_round(occurs_on, responses=-responses)
    by_survey = defaultdict(list)
    for survey_id, *row in SurveyAnswer.objects.filter(response__invitation__enrollment_id=enrollment_id).values_list(
        "response__survey_id", *ANSWER_VALUES
    ):
        by_survey[survey_id].append(row)
    multiple = multiple_choice(SurveyQuestion.objects.filter(survey_id__in=by_survey))
    for survey_id, rows in by_survey.items():
        changes[survey_id].add_answers(rows, multiple=multiple, sign=-1)
    for survey_id in sorted(changes):  # always in the same order: no deadlock between two deletions
        changes[survey_id].save()


# --- Rebuild ----------------------------------------------------------------------------


def survey_tallies_rebuild(*, survey: Survey) -> None:
    """Recompute one survey's totals from its rows (set-based: a few grouped queries)."""
    with transaction.atomic():
        lock(survey.pk)
        SurveyTally.objects.filter(survey=survey).delete()
        SurveyAnswerTally.objects.filter(survey=survey).delete()
        rounds: dict[date | None, Counter] = defaultdict(Counter)
        for day, n in (
            SurveyInstance.objects.filter(survey=survey).order_by().values_list("occurs_on").annotate(n=Count("pk"))
        ):
            rounds[period_of(survey, day)]["rounds"] += n
        for day, invited, answered in (
            SurveyInvitation.objects.filter(instance__survey=survey)
            .order_by()
            .values_list("instance__occurs_on")
            .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
        ):
            rounds[period_of(survey, day)]["invited"] += invited
            rounds[period_of(survey, day)]["answered"] += answered
        for day, n in (
            SurveyResponse.objects.filter(survey=survey)
            .order_by()
            .values_list("instance__occurs_on")
            .annotate(n=Count("pk"))
        ):
            rounds[period_of(survey, day)]["responses"] += n
        SurveyTally.objects.bulk_create(
            SurveyTally(survey=survey, period=period, **{name: counter[name] for name in ROUND_FIELDS})
            for period, counter in rounds.items()
        )
        period = _period_expression(survey, "response__instance__")
        answers = SurveyAnswer.objects.filter(response__survey=survey).order_by()
        cells = answers.values(
            "question_id", "number", "choice", role=F("response__role"), department=F("response__department"), p=period
        ).annotate(n=Count("pk"), written=Count("pk", filter=~Q(text="")))
        rows = [
            SurveyAnswerTally(
                survey=survey,
                question_id=c["question_id"],
                period=c["p"],
                role=c["role"],
                department=c["department"],
                number=c["number"],
                choice=c["choice"],
                n=c["n"],
                written=c["written"],
            )
            for c in cells
        ]
        multiple = multiple_choice(survey.questions.all())
        if multiple:
            people = (
                answers.filter(question_id__in=multiple)
                .values("question_id", role=F("response__role"), department=F("response__department"), p=period)
                .annotate(n=Count("response_id", distinct=True))
            )
            rows += [
                SurveyAnswerTally(
                    survey=survey,
                    question_id=c["question_id"],
                    period=c["p"],
                    role=c["role"],
                    department=c["department"],
                    per_person=True,
                    n=c["n"],
                )
                for c in people
            ]
        SurveyAnswerTally.objects.bulk_create(rows, batch_size=1000)


def surveys_tallies_rebuild(*, survey_id: int | None = None) -> int:
    """Recompute the totals of one survey, or of every program survey (each in its own
    short transaction); returns how many surveys were rebuilt."""
    surveys = Survey.objects.in_programs().order_by("pk")
    if survey_id is not None:
        surveys = surveys.filter(pk=survey_id)
    count = 0
    for survey in surveys.iterator():
        survey_tallies_rebuild(survey=survey)
        count += 1
    return count
