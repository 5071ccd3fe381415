"""The running totals of survey results (``surveys.tallies``): after every write they give
exactly the figures that counting the rows gives (the computation the results used before
the totals is kept here as the oracle), a rebuild changes nothing, and sealed anonymous
answers are in no total before their batch is released."""

import datetime
import importlib
import threading
from collections import Counter

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorship.testing import examples
from people.tests.factories import DepartmentFactory
from programs.models import Role
from surveys import selectors, services, tallies, tasks
from surveys.models import (
    SealedSurveyResponse,
    SurveyAnswer,
    SurveyAnswerTally,
    SurveyInstance,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveyTally,
)
from surveys.tests.factories import SurveyFactory, SurveyQuestionFactory, participant

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


# --- The oracle: the figures counted from the rows, as the results did before the totals --


def rows_round_figures(survey) -> tuple[list[tuple], int]:
    by_period: dict = {}
    for day, invited, answered in (
        SurveyInvitation.objects.filter(instance__survey=survey)
        .values_list("instance__occurs_on")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
        .order_by()
    ):
        period = day if survey.is_program_wide else day.replace(day=1)
        counted = by_period.setdefault(period, [period, 0, 0])
        counted[1] += invited
        counted[2] += answered
    return [tuple(by_period[p]) for p in sorted(by_period)], SurveyResponse.objects.filter(survey=survey).count()


def rows_answer_cells(survey, questions) -> dict:
    kinds = {q.pk: q.kind for q in questions}
    period = (
        F("response__instance__occurs_on") if survey.is_program_wide else TruncMonth("response__instance__occurs_on")
    )
    groups = {"role": F("response__role"), "period": period}
    if not survey.anonymous:
        groups["department"] = F("response__department")
    answers = SurveyAnswer.objects.filter(response__survey=survey).order_by()
    rows = answers.values("question_id", "number", "choice", **groups).annotate(
        n=Count("pk"), written=Count("pk", filter=~Q(text=""))
    )
    answered_by, written, counts = Counter(), Counter(), {}
    stats, by_role, by_department, by_period = {}, {}, {}, {}
    for row in rows:
        question_id, number, n = row["question_id"], row["number"], row["n"]
        kind = kinds.get(question_id)
        if kind is None:
            continue
        if kind != SurveyQuestion.Kind.MULTIPLE:
            answered_by[question_id] += n
        if kind == SurveyQuestion.Kind.TEXT:
            written[question_id] += row["written"]
            continue
        counts.setdefault(question_id, Counter())[number if number is not None else row["choice"]] += n
        if kind not in SurveyQuestion.NUMBER_KINDS:
            continue
        stats.setdefault(question_id, selectors._Stats()).add(number, n)
        by_role.setdefault(question_id, {}).setdefault(row["role"], selectors._Stats()).add(number, n)
        if "department" in row:
            by_department.setdefault(question_id, {}).setdefault(row["department"], selectors._Stats()).add(number, n)
        if row["period"] is not None:
            by_period.setdefault(question_id, {}).setdefault(row["period"], selectors._Stats()).add(number, n)
    multiple = [pk for pk, kind in kinds.items() if kind == SurveyQuestion.Kind.MULTIPLE]
    for question_id, n in (
        answers.filter(question_id__in=multiple)
        .values_list("question_id")
        .annotate(n=Count("response_id", distinct=True))
    ):
        answered_by[question_id] = n
    return {
        "answered_by": answered_by,
        "written": written,
        "counts": counts,
        "stats": stats,
        "by_role": {pk: [s.row(g) for g, s in groups.items()] for pk, groups in by_role.items()},
        "by_department": {pk: [s.row(g) for g, s in groups.items()] for pk, groups in by_department.items()},
        "by_period": by_period,
    }


def comparable(cells: dict) -> dict:
    """``_answer_cells``'s result with its figures as plain values (and groups in a fixed order)."""

    def stats(s):
        return (s.n, s.counted, s.total, s.promoters, s.detractors)

    return {
        "answered_by": {k: v for k, v in cells["answered_by"].items() if v},
        "written": {k: v for k, v in cells["written"].items() if v},
        "counts": {q: {k: v for k, v in c.items() if v} for q, c in cells["counts"].items()},
        "stats": {q: stats(s) for q, s in cells["stats"].items()},
        "by_role": {q: sorted(rows, key=lambda r: r["group"]) for q, rows in cells["by_role"].items()},
        "by_department": {q: sorted(rows, key=lambda r: r["group"]) for q, rows in cells["by_department"].items()},
        "by_period": {q: {p: stats(s) for p, s in periods.items()} for q, periods in cells["by_period"].items()},
    }


def snapshot(survey) -> tuple[dict, dict]:
    """The stored totals, summed by cell, without cells back to zero."""
    rounds = {}
    for tally in SurveyTally.objects.filter(survey=survey):
        counter = rounds.setdefault(tally.period, Counter())
        for name in tallies.ROUND_FIELDS:
            counter[name] += getattr(tally, name)
    answers = {}
    for tally in SurveyAnswerTally.objects.filter(survey=survey):
        counter = answers.setdefault(tallies._answer_key(tally), Counter())
        for name in tallies.ANSWER_FIELDS:
            counter[name] += getattr(tally, name)
    return (
        {p: +c for p, c in rounds.items() if +c},
        {k: +c for k, c in answers.items() if +c},
    )


def assert_exact(survey):
    """The totals give the rows' figures, and a rebuild from the rows finds the same totals."""
    survey.refresh_from_db()
    questions = list(survey.questions.all())
    results = selectors.survey_results(survey=survey)
    rate_rows, responses = rows_round_figures(survey)
    assert results["responses"] == responses
    assert [(r["label"], r["invited"], r["answered"]) for r in results["rate_over_time"]] == [
        (selectors._period_label(survey, p), invited, answered) for p, invited, answered in rate_rows
    ]
    assert (results["invited"], results["answered"]) == (
        sum(r[1] for r in rate_rows),
        sum(r[2] for r in rate_rows),
    )
    assert comparable(selectors._answer_cells(survey=survey, questions=questions)) == comparable(
        rows_answer_cells(survey, questions)
    )
    kept = snapshot(survey)
    tallies.survey_tallies_rebuild(survey=survey)
    assert snapshot(survey) == kept
    assert selectors.survey_results(survey=survey) == results


# --- Fixtures ---------------------------------------------------------------------------


@pytest.fixture
def sales(db):
    return DepartmentFactory(name="Sales")


@pytest.fixture
def legal(db):
    return DepartmentFactory(name="Legal")


@pytest.fixture
def people(program, sales, legal):
    """Six mentees and six mentors, in two departments."""
    return [
        participant(program, role=role, department=sales if n % 3 else legal)
        for role in (Role.MENTEE, Role.MENTOR)
        for n in range(6)
    ]


def every_kind(survey):
    SurveyQuestionFactory(survey=survey, kind="rating", text="Useful?", required=False, order=1)
    SurveyQuestionFactory(survey=survey, kind="nps", text="Recommend?", required=False, order=2)
    SurveyQuestionFactory(survey=survey, kind="single", text="Fit?", choices=["Yes", "No"], required=False, order=3)
    SurveyQuestionFactory(
        survey=survey, kind="multiple", text="Topics?", choices=["A", "B", "C"], required=False, order=4
    )
    SurveyQuestionFactory(survey=survey, kind="text", text="Else?", required=False, order=5)
    return survey


def open_rounds(survey, people, days, *, now=None):
    """Rounds opened by the service (on the given days), each asking ``people``."""
    invitees = [(e.pk, e.role) for e in people]
    rounds = [services.Round(occurrence=f"t:{d.isoformat()}", occurs_on=d, invitees=invitees) for d in days]
    services.survey_rounds_open(survey=survey, rounds=rounds, now=now or timezone.now())
    return {
        d: list(SurveyInvitation.objects.filter(instance__survey=survey, instance__occurs_on=d).order_by("pk"))
        for d in days
    }


def answers_for(survey, *, rating=None, nps=None, single=None, multiple=None, text=None):
    by_kind = {q.kind: q.pk for q in survey.questions.all()}
    values = {"rating": rating, "nps": nps, "single": single, "multiple": multiple, "text": text}
    return {by_kind[kind]: value for kind, value in values.items() if value is not None}


def submit(invitation, survey, **values):
    return services.survey_response_submit(invitation=invitation, answers=answers_for(survey, **values))


# --- Attributed surveys -----------------------------------------------------------------


def test_attributed_answers_sent_changed_and_deleted(program, people, legal):
    survey = every_kind(SurveyFactory(program=program, anonymous=False))
    first, second = TODAY - datetime.timedelta(days=20), TODAY
    rounds = open_rounds(survey, people, [first, second])
    assert_exact(survey)  # invitations only
    for n, invitation in enumerate(rounds[first][:8]):
        submit(invitation, survey, rating=1 + n % 5, nps=n + 2, single="Yes", multiple=["A", "C"][: 1 + n % 2])
    for n, invitation in enumerate(rounds[second][:5]):
        submit(invitation, survey, rating=5, text="Good" if n % 2 else "", multiple=["B"])
    assert_exact(survey)
    # Changed answers: the old ones come off, the new ones go on (even in another department now).
    changed = rounds[second][1]
    person = changed.enrollment.person
    person.department = legal
    person.save(update_fields=["department"])
    submit(changed, survey, rating=2, nps=10, multiple=["A", "B", "C"], text="Changed my mind")
    submit(rounds[first][0], survey, single="No")
    assert_exact(survey)
    # A person leaves the program: their invitations and answers go, and their totals.
    rounds[first][3].enrollment.delete()
    assert_exact(survey)
    assert SurveyTally.objects.filter(survey=survey).aggregate(n=Count("pk"))["n"] == 2


def test_pairing_rounds_are_totalled_by_month(program, people):
    survey = every_kind(SurveyFactory(program=program, trigger="session_held", anonymous=False))
    days = [TODAY.replace(day=1) - datetime.timedelta(days=40), TODAY.replace(day=1) - datetime.timedelta(days=35)]
    rounds = open_rounds(survey, people[:4], days)
    for day in days:
        for invitation in rounds[day][:3]:
            submit(invitation, survey, rating=4, multiple=["A"])
    assert_exact(survey)
    assert set(SurveyTally.objects.filter(survey=survey).values_list("period", flat=True)) == {days[0].replace(day=1)}
    assert SurveyTally.objects.get(survey=survey).rounds == 2


def test_a_changed_trigger_regroups_the_totals(program, people, hr_admin):
    survey = every_kind(SurveyFactory(program=program, trigger="manual", anonymous=False))
    rounds = open_rounds(survey, people[:3], [TODAY.replace(day=1) + datetime.timedelta(days=1)])
    for invitation in next(iter(rounds.values())):
        submit(invitation, survey, rating=3)
    services.survey_update(survey=survey, user=hr_admin, trigger="session_held")
    assert_exact(survey)
    assert list(SurveyTally.objects.filter(survey=survey).values_list("period", flat=True)) == [TODAY.replace(day=1)]


def test_the_lists_read_the_totals(program, people, hr_admin):
    survey = every_kind(SurveyFactory(program=program, anonymous=False))
    rounds = open_rounds(survey, people, [TODAY - datetime.timedelta(days=3), TODAY])
    for invitation in rounds[TODAY][:4]:
        submit(invitation, survey, rating=4)
    (listed,) = selectors.surveys_for_program(program=program)
    assert (listed.round_count, listed.invited, listed.answered) == (2, 24, 4)
    (listed_program,) = selectors.survey_programs_for(user=hr_admin)
    assert (listed_program.invited, listed_program.answered) == (24, 4)


# --- Anonymous surveys ------------------------------------------------------------------


@pytest.fixture
def anonymous(program):
    return every_kind(SurveyFactory(program=program, anonymous=True))


def test_sealed_answers_are_in_no_total_until_their_batch_is_released(anonymous, people):
    """The attacker reads the totals after every answer: nothing moves but "answered" (which
    the invitations say anyway) until five answers join the results together."""
    (invitations,) = open_rounds(anonymous, people, [TODAY]).values()
    mentees = [i for i in invitations if i.role == Role.MENTEE]
    for n, invitation in enumerate(mentees[:4]):
        submit(invitation, anonymous, rating=1 + n, multiple=["A"], text=f"Secret {n}")
        assert not SurveyAnswerTally.objects.filter(survey=anonymous).exists()
        assert SurveyTally.objects.get(survey=anonymous).responses == 0
        assert SurveyTally.objects.get(survey=anonymous).answered == n + 1
    assert SealedSurveyResponse.objects.filter(survey=anonymous).count() == 4
    assert_exact(anonymous)
    submit(mentees[4], anonymous, rating=5, multiple=["B", "C"])
    assert not SealedSurveyResponse.objects.filter(survey=anonymous).exists()
    assert SurveyTally.objects.get(survey=anonymous).responses == 5
    assert set(SurveyAnswerTally.objects.filter(survey=anonymous).values_list("department", flat=True)) == {""}
    assert_exact(anonymous)
    # The next answer is held back again, and the results say so.
    submit(mentees[5], anonymous, rating=3)
    assert SurveyTally.objects.get(survey=anonymous).responses == 5
    results = selectors.survey_results(survey=anonymous)
    assert (results["responses"], results["held_back"], results["answered"]) == (5, 1, 6)
    assert_exact(anonymous)


def test_released_anonymous_answers_stay_when_a_respondent_leaves(anonymous, people):
    (invitations,) = open_rounds(anonymous, people, [TODAY]).values()
    mentees = [i for i in invitations if i.role == Role.MENTEE]
    for invitation in mentees[:5]:
        submit(invitation, anonymous, rating=4)
    mentees[0].enrollment.person.delete()
    assert_exact(anonymous)
    assert selectors.survey_results(survey=anonymous)["responses"] == 5


# --- Property: any mix of answers and changes ------------------------------------------

ANSWERS = st.fixed_dictionaries(
    {},
    optional={
        "rating": st.integers(1, 5),
        "nps": st.integers(0, 10),
        "single": st.sampled_from(["Yes", "No"]),
        "multiple": st.lists(st.sampled_from(["A", "B", "C"]), min_size=1, max_size=3, unique=True),
        "text": st.sampled_from(["", "Some words"]),
    },
).filter(lambda values: any(v not in ("", None) for v in values.values()))


@settings(max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 1), ANSWERS), min_size=1, max_size=12),
    anonymous=st.booleans(),
)
def test_any_answers_and_changes_give_the_rows_figures(program, people, steps, anonymous):
    survey = every_kind(SurveyFactory(program=program, anonymous=anonymous))
    rounds = open_rounds(survey, people, [TODAY - datetime.timedelta(days=9), TODAY])
    days = sorted(rounds)
    for person, day, values in steps:
        invitation = rounds[days[day]][person]
        invitation.refresh_from_db()
        try:
            submit(invitation, survey, **values)
        except ValidationError as error:  # an anonymous answer can only be changed from its browser
            assert anonymous and invitation.answered, error
    assert_exact(survey)


# --- Rebuild ----------------------------------------------------------------------------


def test_the_rebuild_is_idempotent_and_puts_right_what_no_write_told(program, people, anonymous):
    survey = every_kind(SurveyFactory(program=program, anonymous=False))
    rounds = open_rounds(survey, people, [TODAY])
    for n, invitation in enumerate(rounds[TODAY][:6]):
        submit(invitation, survey, rating=1 + n % 5, multiple=["A", "B"])
    kept = snapshot(survey)
    SurveyAnswerTally.objects.filter(survey=survey).update(n=F("n") + 7)  # totals gone wrong
    assert tasks.surveys_tallies_rebuild.delay(survey.pk).get() == 1
    assert snapshot(survey) == kept
    assert tasks.surveys_tallies_rebuild.delay().get() == 2
    assert tasks.surveys_tallies_rebuild.delay().get() == 2
    assert snapshot(survey) == kept
    assert tasks.surveys_tallies_rebuild.delay("junk").get() == 0
    call_command("surveys_tallies_rebuild", "--survey", str(survey.pk))
    assert snapshot(survey) == kept
    # A round deleted in the Django admin (no write path tells the totals): the night puts it right.
    SurveyInstance.objects.filter(survey=survey).delete()
    call_command("surveys_tallies_rebuild")
    assert snapshot(survey) == ({}, {})
    assert_exact(survey)


def test_the_migration_fills_the_same_totals_as_the_rebuild(program, people, anonymous):
    survey = every_kind(SurveyFactory(program=program, trigger="session_held", anonymous=False))
    rounds = open_rounds(survey, people, [TODAY - datetime.timedelta(days=31), TODAY])
    for day, invitations in rounds.items():
        for n, invitation in enumerate(invitations[:7]):
            submit(invitation, survey, rating=1 + n % 5, multiple=["A", "C"][: 1 + n % 2], text=str(day))
    (anonymous_round,) = open_rounds(anonymous, people, [TODAY]).values()
    for invitation in [i for i in anonymous_round if i.role == Role.MENTOR][:5]:
        submit(invitation, anonymous, nps=7, multiple=["B"])
    expected = snapshot(survey), snapshot(anonymous)
    SurveyTally.objects.all().delete()
    SurveyAnswerTally.objects.all().delete()
    importlib.import_module("surveys.migrations.0006_tallies").fill(apps, None)
    assert (snapshot(survey), snapshot(anonymous)) == expected


# --- Cost -------------------------------------------------------------------------------


QUERIES_ANSWER = 22


@pytest.mark.parametrize("size", [4, 10])
def test_an_answer_costs_the_same_whatever_the_number_of_answers(program, people, size, django_assert_num_queries):
    survey = every_kind(SurveyFactory(program=program, anonymous=False))
    extra = [participant(program) for _ in range(size)]
    (invitations,) = open_rounds(survey, people + extra, [TODAY]).values()
    for invitation in invitations[1:]:
        submit(invitation, survey, rating=3, multiple=["A"], text="x")
    invitation = SurveyInvitation.objects.select_related("enrollment__person__department").get(pk=invitations[0].pk)
    # The questions (the test's own), a savepoint, the round and the survey locked, questions,
    # old answers, the response (read, insert, 4 savepoints), invitation, answers (delete,
    # insert), then the totals: lock again, read and write both kinds; the last release.
    with django_assert_num_queries(QUERIES_ANSWER):
        submit(invitation, survey, rating=4, multiple=["A", "B"], text="y")


# --- Concurrent writers (PostgreSQL: the survey's row lock) -----------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_answers_and_a_rebuild_keep_the_totals_exact(program, people):
    from django.db import connections

    from mentorship.tests.services import require_postgresql

    require_postgresql()
    survey = every_kind(SurveyFactory(program=program, anonymous=False))
    rounds = open_rounds(survey, people, [TODAY - datetime.timedelta(days=2), TODAY])
    invitations = [i for day in sorted(rounds) for i in rounds[day]]
    barrier = threading.Barrier(len(invitations) // 2 + 1)
    errors = []

    def answer(chunk):
        try:
            barrier.wait(10)
            for n, invitation in enumerate(chunk):
                submit(invitation, survey, rating=1 + n % 5, multiple=["A", "C"][: 1 + n % 2], text="x" * (n % 2))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    def rebuild():
        try:
            barrier.wait(10)
            for _ in range(3):
                tallies.survey_tallies_rebuild(survey=survey)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(invitations[i : i + 2],)) for i in range(0, len(invitations), 2)]
    threads.append(threading.Thread(target=rebuild))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert SurveyResponse.objects.filter(survey=survey).count() == len(invitations)
    assert_exact(survey)
