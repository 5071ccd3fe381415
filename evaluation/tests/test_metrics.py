"""The snapshot's figures against values worked out by hand on the ``scenario`` fixture."""

from datetime import timedelta

import pytest
from django.utils import timezone

from evaluation.health import as_of_moment
from evaluation.selectors import program_snapshot_compute
from goals.tests.factories import GoalFactory
from matching.tests.factories import PairingFactory
from programs.selectors import program_training_summary
from programs.tests.factories import (
    EnrollmentFactory,
    ProgramFactory,
    TrainingCompletionFactory,
    TrainingModuleFactory,
    days_ago,
)
from sessions.tests.factories import ActionItemFactory, SessionFactory
from surveys.tests.factories import SurveyFactory, SurveyInstanceFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db


def test_todays_figures_match_the_hand_count(scenario):
    s = program_snapshot_compute(program=scenario.program, as_of=timezone.localdate())
    assert (s.mentors_enrolled, s.mentees_enrolled) == (3, 6)
    # Funnel: E5 is only proposed; E4 completed; E6 ended after starting.
    assert (s.mentees_matched, s.mentees_started, s.mentees_completed) == (5, 5, 1)
    assert s.matched_percent == 83.3
    assert (s.pairings_active, s.pairings_completed, s.pairings_ended) == (3, 1, 1)
    assert (s.pairings_healthy, s.pairings_cooling, s.pairings_at_risk) == (1, 1, 1)
    # Held in the last 30 days: P1 x2, P2, P4 (completed since, still counted); 3 active pairings.
    assert s.sessions_held_30_days == 4
    assert s.sessions_per_pairing_month == 1.33
    # Days quiet: 5, 20, 40.
    assert s.days_since_session_median == 20.0
    assert s.days_since_session_avg == 21.7
    # Goals: achieved, in progress, not started (the dropped one left out).
    assert (s.goals_total, s.goals_achieved, s.goal_completion_percent) == (3, 1, 33.3)
    assert (s.action_items_total, s.action_items_done, s.action_items_done_percent) == (4, 3, 75.0)
    # Training: 3 mentors x 1 module + 6 mentees x 2 modules; 4 required completions.
    assert (s.training_expected, s.training_done, s.training_percent) == (15, 4, 26.7)
    assert (s.survey_invited, s.survey_answered, s.survey_response_rate) == (6, 5, 83.3)
    assert (s.rating_answers, s.satisfaction) == (5, 4.0)
    # NPS: 10, 9 promoters; 7 passive; 6, 3 detractors.
    assert (s.nps_answers, s.nps_promoters, s.nps_detractors, s.nps) == (5, 2, 2, 0)


def test_training_figures_agree_with_the_programs_summary(scenario):
    s = program_snapshot_compute(program=scenario.program, as_of=timezone.localdate())
    summary = program_training_summary(program=scenario.program)
    assert (s.training_done, s.training_expected) == (summary.done, summary.expected)


def test_figures_as_of_a_past_day_come_from_the_history(scenario):
    day = timezone.localdate() - timedelta(days=45)
    moment = as_of_moment(day)
    s = program_snapshot_compute(program=scenario.program, as_of=day)
    assert (s.mentors_enrolled, s.mentees_enrolled) == (2, 6)  # M3 was approved 42 days ago
    assert (s.mentees_matched, s.mentees_started, s.mentees_completed) == (4, 4, 0)
    assert (s.pairings_active, s.pairings_completed, s.pairings_ended) == (3, 0, 1)
    # P1 and P2: no session yet, 15 days in (no goal sign before 4 weeks): cooling. P4: 35 days quiet.
    assert (s.pairings_healthy, s.pairings_cooling, s.pairings_at_risk) == (0, 2, 1)
    quiet = sorted((moment - days_ago(days)).total_seconds() / 86400 for days in (60, 60, 80))
    assert s.days_since_session_median == round(quiet[1], 1)
    assert s.days_since_session_avg == round(sum(quiet) / 3, 1)
    assert s.sessions_held_30_days == 0
    assert (s.goals_total, s.goals_achieved) == (3, 0)
    assert s.action_items_total == 0
    assert (s.training_expected, s.training_done) == (14, 4)
    assert (s.survey_invited, s.rating_answers, s.nps_answers) == (0, 0, 0)
    assert s.satisfaction is None and s.nps is None


def test_scores_need_five_answers(db):
    program = ProgramFactory(running=True)
    survey = SurveyFactory(program=program, pulse=True)
    rating, nps = survey.questions.order_by("order")
    instance = SurveyInstanceFactory(survey=survey)
    for _ in range(4):
        SurveyResponseFactory(
            instance=instance,
            enrollment=EnrollmentFactory(program=program, mentee=True),
            answers={rating: 5, nps: 10},
            anonymous=True,
        )
    s = program_snapshot_compute(program=program, as_of=timezone.localdate())
    assert (s.rating_answers, s.satisfaction, s.nps) == (4, None, None)
    SurveyResponseFactory(
        instance=instance,
        enrollment=EnrollmentFactory(program=program, mentee=True),
        answers={rating: 3, nps: 0},
        anonymous=True,
    )
    s = program_snapshot_compute(program=program, as_of=timezone.localdate())
    assert (s.satisfaction, s.nps) == (4.6, 60)


def test_an_empty_program_has_no_percentages(db):
    s = program_snapshot_compute(program=ProgramFactory(running=True), as_of=timezone.localdate())
    assert s.pairings_active == 0
    assert s.matched_percent is None and s.sessions_per_pairing_month is None
    assert s.days_since_session_median is None and s.goal_completion_percent is None


@pytest.mark.parametrize("size", [3, 30])
def test_the_computation_takes_the_same_queries_at_any_size(size, django_assert_num_queries):
    program = ProgramFactory(running=True)
    survey = SurveyFactory(program=program, pulse=True)
    rating, nps = survey.questions.order_by("order")
    instance = SurveyInstanceFactory(survey=survey)
    module = TrainingModuleFactory(program=program)
    for index in range(size):
        mentor, mentee = (
            EnrollmentFactory(program=program, mentor=True),
            EnrollmentFactory(program=program, mentee=True),
        )
        pairing = PairingFactory(active=True, program=program, mentor=mentor, mentee=mentee, started_days_ago=40)
        SessionFactory(pairing=pairing, held=True, days=-(index % 35))
        GoalFactory(enrollment=mentee, created_days_ago=50, moved_days_ago=5, progress=20)
        ActionItemFactory(session=pairing.sessions.first(), done_days_ago=1)
        TrainingCompletionFactory(enrollment=mentee, module=module, completed_days_ago=60)
        SurveyResponseFactory(instance=instance, enrollment=mentee, answers={rating: 4, nps: 9})
    # 11: the median days since the last session comes from the pair-health rows (was a 12th query).
    with django_assert_num_queries(11):
        program_snapshot_compute(program=program, as_of=timezone.localdate())
