"""The pair health rule (evaluation/health.py): each sign, how signs combine, and the reasons."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from evaluation.health import HEALTH_LEVELS, Health, health_due_at, health_reasons, health_signs, pairings_with_health
from goals.models import Goal
from goals.tests.factories import GoalFactory
from matching.tests.factories import PairingFactory
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from sessions.tests.factories import SessionFactory
from surveys.tests.factories import SurveyFactory, SurveyInstanceFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db


def health_of(program, **kwargs):
    pairings = {p.pk: p for p in pairings_with_health(program=program, **kwargs)}
    for pairing in pairings.values():
        pairing.health = HEALTH_LEVELS[pairing.health_level]
    return pairings


def codes(pairing, program):
    return [reason.code for reason in health_reasons(pairing=pairing, program=program)]


def test_the_scenario_pairs_get_their_status_and_reasons(scenario):
    program = scenario.program
    p1, p2, p3, p4, p5, p6 = scenario.pairings
    found = health_of(program)
    assert set(found) == {p1.pk, p2.pk, p3.pk}  # only the active pairings
    assert [found[p.pk].health for p in (p1, p2, p3)] == [Health.HEALTHY, Health.COOLING, Health.AT_RISK]
    assert codes(found[p1.pk], program) == []
    assert codes(found[p2.pk], program) == ["overdue"]
    assert codes(found[p3.pk], program) == ["long_overdue", "low_rating", "no_goals"]
    texts = [r.text for r in health_reasons(pairing=found[p3.pk], program=program)]
    assert texts[0].startswith("40 days since it started, and no session yet: more than 2× the program's 14-day")
    assert texts[1] == "A survey rating of 2 or lower from the mentor in their latest answers."
    p2_text = health_reasons(pairing=found[p2.pk], program=program)[0].text
    assert p2_text == "20 days since its last session: longer than the 14-day cadence."


@pytest.fixture
def program(db):
    return ProgramFactory(running=True, cadence_days=10)


def fresh_pair(program, *, started_days_ago=50, last_session_days_ago=2, goal=True):
    mentor, mentee = EnrollmentFactory(program=program, mentor=True), EnrollmentFactory(program=program, mentee=True)
    pairing = PairingFactory(
        active=True, program=program, mentor=mentor, mentee=mentee, started_days_ago=started_days_ago
    )
    if last_session_days_ago is not None:
        SessionFactory(pairing=pairing, held=True, days=-last_session_days_ago)
    if goal:
        GoalFactory(
            enrollment=mentee, created_days_ago=started_days_ago - 5, status=Goal.Status.IN_PROGRESS, moved_days_ago=3
        )
    return pairing


def test_a_pair_meeting_on_cadence_with_moving_goals_is_healthy(program):
    pairing = fresh_pair(program)
    assert health_of(program)[pairing.pk].health == Health.HEALTHY


def test_cadence_thresholds_use_the_programs_cadence(program):
    on_time = fresh_pair(program, last_session_days_ago=9)
    overdue = fresh_pair(program, last_session_days_ago=11)
    long_overdue = fresh_pair(program, last_session_days_ago=21)
    found = health_of(program)
    assert found[on_time.pk].health == Health.HEALTHY
    assert found[overdue.pk].health == Health.COOLING
    assert found[long_overdue.pk].health == Health.AT_RISK


def test_only_held_sessions_count(program):
    pairing = fresh_pair(program, last_session_days_ago=15)
    SessionFactory(pairing=pairing, cancelled=True, days=-1)
    SessionFactory(pairing=pairing, scheduled=True, days=2)
    assert health_of(program)[pairing.pk].sign_overdue is True


def test_a_pair_with_no_session_counts_from_its_start(program):
    recent = fresh_pair(program, started_days_ago=5, last_session_days_ago=None, goal=False)
    assert health_of(program)[recent.pk].health == Health.HEALTHY


def test_goals_are_expected_after_four_weeks(program):
    early = fresh_pair(program, started_days_ago=20, goal=False)
    late = fresh_pair(program, started_days_ago=40, goal=False)
    found = health_of(program)
    assert found[early.pk].health == Health.HEALTHY
    assert found[late.pk].health == Health.COOLING and codes(found[late.pk], program) == ["no_goals"]


def test_dropped_goals_do_not_count_and_unmoved_goals_are_a_sign(program):
    dropped = fresh_pair(program, goal=False)
    GoalFactory(enrollment=dropped.mentee, created_days_ago=50, status=Goal.Status.DROPPED)
    unmoved = fresh_pair(program, goal=False)
    GoalFactory(enrollment=unmoved.mentee, created_days_ago=50)
    found = health_of(program)
    assert codes(found[dropped.pk], program) == ["no_goals"]
    assert codes(found[unmoved.pk], program) == ["no_progress"]


def test_overdue_and_a_goal_sign_together_are_at_risk(program):
    pairing = fresh_pair(program, last_session_days_ago=12, goal=False)
    found = health_of(program)[pairing.pk]
    assert found.health == Health.AT_RISK
    assert codes(found, program) == ["overdue", "no_goals"]


def test_a_low_rating_alone_puts_a_pair_at_risk(program):
    pairing = fresh_pair(program)
    survey = SurveyFactory(program=program, pulse=True)
    rating, nps = survey.questions.order_by("order")
    instance = SurveyInstanceFactory(survey=survey)
    SurveyResponseFactory(instance=instance, enrollment=pairing.mentee, answers={rating: 2, nps: 8}, days_ago=3)
    found = health_of(program)[pairing.pk]
    assert found.health == Health.AT_RISK
    assert (found.mentee_low_rating, found.mentor_low_rating) == (True, False)
    assert codes(found, program) == ["low_rating"]


def test_only_the_latest_rated_answer_counts(program):
    pairing = fresh_pair(program)
    survey = SurveyFactory(program=program, pulse=True)
    rating, nps = survey.questions.order_by("order")
    SurveyResponseFactory(
        instance=SurveyInstanceFactory(survey=survey, days_ago=20),
        enrollment=pairing.mentor,
        answers={rating: 1},
        days_ago=20,
    )
    SurveyResponseFactory(
        instance=SurveyInstanceFactory(survey=survey, days_ago=5),
        enrollment=pairing.mentor,
        answers={rating: 4},
        days_ago=5,
    )
    assert health_of(program)[pairing.pk].health == Health.HEALTHY


def test_ratings_before_the_pairing_or_anonymous_ones_do_not_count(program):
    pairing = fresh_pair(program, started_days_ago=30)
    survey = SurveyFactory(program=program, pulse=True)
    rating, nps = survey.questions.order_by("order")
    SurveyResponseFactory(
        instance=SurveyInstanceFactory(survey=survey, days_ago=45),
        enrollment=pairing.mentee,
        answers={rating: 1},
        days_ago=40,
    )  # an earlier pairing
    anonymous = SurveyFactory(program=program, pulse=True, anonymous=True)
    anon_rating, _ = anonymous.questions.order_by("order")
    SurveyResponseFactory(
        instance=SurveyInstanceFactory(survey=anonymous),
        enrollment=pairing.mentor,
        answers={anon_rating: 1},
        anonymous=True,
    )
    assert health_of(program)[pairing.pk].health == Health.HEALTHY


def test_health_as_of_a_past_day(program):
    pairing = fresh_pair(program, started_days_ago=60, last_session_days_ago=2)
    SessionFactory(pairing=pairing, held=True, days=-40)
    # 25 days ago the last held session was 15 days old (more than the 10-day cadence), and the
    # goal, which moved only 3 days ago, had not moved 35 days into the pairing.
    past = health_of(program, as_of=timezone.localdate() - timedelta(days=25))[pairing.pk]
    assert (past.sign_overdue, past.sign_long_overdue, past.sign_no_progress) == (True, False, True)
    assert past.health == Health.AT_RISK
    assert health_of(program)[pairing.pk].health == Health.HEALTHY


def test_the_rule_is_one_query_however_many_pairs(program, django_assert_num_queries):
    for _ in range(5):
        fresh_pair(program)
    with django_assert_num_queries(1):
        assert len(list(pairings_with_health(program=program))) == 5


NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)


@given(
    quiet_days=st.floats(0, 200),
    more_days=st.floats(0, 100),
    cadence=st.integers(1, 60),
    low_rating=st.booleans(),
    has_goal=st.booleans(),
    goal_moved=st.booleans(),
)
def test_the_answer_holds_until_due_at_and_changes_just_after(
    quiet_days, more_days, cadence, low_rating, has_goal, goal_moved
):
    """What the sweep relies on: with the same facts, the signs stay as they are up to
    ``health_due_at`` and change right after it (or never change again when it is None)."""
    quiet_since = NOW - timedelta(days=quiet_days)
    facts = {
        "quiet_since": quiet_since,
        "health_start": quiet_since - timedelta(days=more_days),
        "low_rating": low_rating,
        "has_goal": has_goal,
        "goal_moved": goal_moved and has_goal,  # a goal moved is a goal
        "cadence_days": cadence,
    }
    signs = health_signs(moment=NOW, **facts)
    due = health_due_at(signs=signs, **{k: v for k, v in facts.items() if k != "low_rating"})
    if due is None:
        assert health_signs(moment=NOW + timedelta(days=10_000), **facts) == signs
        return
    assert due >= NOW
    assert health_signs(moment=NOW + (due - NOW) / 2, **facts) == signs
    assert health_signs(moment=due, **facts) == signs
    assert health_signs(moment=due + timedelta(microseconds=1), **facts) != signs
