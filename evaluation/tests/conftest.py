from types import SimpleNamespace

import pytest

from evaluation import services
from goals.models import Goal
from goals.tests.factories import GoalFactory
from matching.tests.factories import PairingFactory
from programs.models import Enrollment, TrainingModule
from programs.tests.factories import (
    EnrollmentFactory,
    ProgramFactory,
    TrainingCompletionFactory,
    TrainingModuleFactory,
    days_ago,
)
from sessions.tests.factories import ActionItemFactory, SessionFactory
from surveys.tests.factories import SurveyFactory, SurveyInstanceFactory, SurveyInvitationFactory, SurveyResponseFactory


@pytest.fixture
def scenario(db):
    """A small running program whose figures are worked out by hand in test_metrics.py.

    Cadence 14 days. Mentors M1-M3 (M3 approved 42 days ago), mentees E1-E6, one mentee
    still applying. Pairings (days ago): P1 M1-E1 active since 60, sessions 40/20/5 ->
    healthy; P2 M2-E2 active since 60, session 20 -> cooling (overdue); P3 M3-E3 active since
    40, no session, no goal, a rating of 2 from M3 -> at risk; P4 M1-E4 completed (80 -> 10),
    session 15; P5 M2-E5 proposed; P6 M2-E6 ended early (80 -> 50).
    """
    program = ProgramFactory(running=True, name="Leadership Circle", slug="leadership-circle")
    m1, m2 = (EnrollmentFactory(program=program, mentor=True) for _ in range(2))
    m3 = EnrollmentFactory(program=program, mentor=True, decided_days_ago=42)
    e1, e2, e3, e4, e5, e6 = (EnrollmentFactory(program=program, mentee=True) for _ in range(6))
    EnrollmentFactory(program=program, mentee=True, status=Enrollment.Status.APPLIED)

    p1 = PairingFactory(active=True, program=program, mentor=m1, mentee=e1, started_days_ago=60)
    p2 = PairingFactory(active=True, program=program, mentor=m2, mentee=e2, started_days_ago=60)
    p3 = PairingFactory(active=True, program=program, mentor=m3, mentee=e3, started_days_ago=40)
    p4 = PairingFactory(completed=True, program=program, mentor=m1, mentee=e4, started_days_ago=80, ended_days_ago=10)
    p5 = PairingFactory(program=program, mentor=m2, mentee=e5, created_at=days_ago(7))
    p6 = PairingFactory(ended=True, program=program, mentor=m2, mentee=e6, started_days_ago=80, ended_days_ago=50)
    for pairing, days in ((p1, 40), (p1, 20), (p1, 5), (p2, 20), (p4, 15)):
        SessionFactory(pairing=pairing, held=True, days=-days)
    SessionFactory(pairing=p2, cancelled=True, days=-3)
    SessionFactory(pairing=p2, scheduled=True, days=4)

    GoalFactory(enrollment=e1, created_days_ago=50, status=Goal.Status.ACHIEVED, progress=100, moved_days_ago=10)
    GoalFactory(enrollment=e2, created_days_ago=50, status=Goal.Status.IN_PROGRESS, progress=50, moved_days_ago=30)
    GoalFactory(enrollment=e2, created_days_ago=50, status=Goal.Status.DROPPED)
    GoalFactory(enrollment=e4, created_days_ago=50)

    ActionItemFactory(session=p1.sessions.first(), created_days_ago=20, done_days_ago=15)
    ActionItemFactory(session=p1.sessions.first(), created_days_ago=5)
    ActionItemFactory(session=p2.sessions.first(), created_days_ago=20, done_days_ago=2)
    ActionItemFactory(session=p4.sessions.first(), created_days_ago=15, done_days_ago=12)

    both = TrainingModuleFactory(program=program)
    for_mentees = TrainingModuleFactory(program=program, audience=TrainingModule.Audience.MENTEES)
    optional = TrainingModuleFactory(program=program, required=False)
    TrainingCompletionFactory(enrollment=m1, module=both, completed_days_ago=60)
    TrainingCompletionFactory(enrollment=e1, module=both, completed_days_ago=60)
    TrainingCompletionFactory(enrollment=e1, module=for_mentees, completed_days_ago=60)
    TrainingCompletionFactory(enrollment=e2, module=for_mentees, completed_days_ago=60)
    TrainingCompletionFactory(enrollment=e3, module=optional, completed_days_ago=60)

    survey = SurveyFactory(program=program, pulse=True)
    rating, nps = survey.questions.order_by("order")
    instance = SurveyInstanceFactory(survey=survey)
    SurveyInvitationFactory(instance=instance, enrollment=e3)
    for enrollment, (stars, score) in ((m1, (5, 10)), (m2, (4, 9)), (m3, (2, 3)), (e1, (4, 7)), (e2, (5, 6))):
        SurveyResponseFactory(instance=instance, enrollment=enrollment, answers={rating: stars, nps: score})
    return SimpleNamespace(
        program=program, mentors=(m1, m2, m3), mentees=(e1, e2, e3, e4, e5, e6), pairings=(p1, p2, p3, p4, p5, p6)
    )


@pytest.fixture
def refreshed(scenario):
    """The scenario with its pair health stored, as the sweep or the nightly job leaves it."""
    services.pair_health_refresh(program=scenario.program)
    return scenario


@pytest.fixture
def owner_client(client, owner, scenario):
    """The owner of the scenario's program, signed in."""
    scenario.program.owners.add(owner)
    client.force_login(owner)
    return client


@pytest.fixture
def other_owner_client(client, bob):
    """Bob owns a different program only."""
    ProgramFactory(running=True, name="Sales Buddies", slug="sales-buddies").owners.add(bob)
    client.force_login(bob)
    return client


@pytest.fixture
def participant_client(client, scenario):
    """The mentor of P1 (a participant, owner of nothing)."""
    client.force_login(scenario.pairings[0].mentor.person.user)
    return client


@pytest.fixture
def populate(db):
    """``populate(program, size)``: ``size`` active pairings with sessions, goals, action items,
    training and ratings; every third one quiet for long enough to be at risk. For the
    query-count tests."""

    def build(program, size: int):
        survey = SurveyFactory(program=program, pulse=True)
        rating, nps = survey.questions.order_by("order")
        instance = SurveyInstanceFactory(survey=survey)
        module = TrainingModuleFactory(program=program)
        for index in range(size):
            mentor = EnrollmentFactory(program=program, mentor=True)
            mentee = EnrollmentFactory(program=program, mentee=True)
            pairing = PairingFactory(active=True, program=program, mentor=mentor, mentee=mentee, started_days_ago=60)
            SessionFactory(pairing=pairing, held=True, days=-40 if index % 3 == 0 else -3)
            SessionFactory(pairing=pairing, held=True, days=-50)
            GoalFactory(enrollment=mentee, created_days_ago=50, in_progress=True, progress=30, moved_days_ago=10)
            ActionItemFactory(session=pairing.sessions.first(), created_days_ago=10, done_days_ago=2)
            TrainingCompletionFactory(enrollment=mentee, module=module, completed_days_ago=60)
            SurveyResponseFactory(instance=instance, enrollment=mentee, answers={rating: 4, nps: 9})
        return program

    return build
