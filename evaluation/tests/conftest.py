from types import SimpleNamespace

import pytest

from evaluation import services
from evaluation.tests import builders as b
from goals.models import Goal
from matching.models import Pairing
from programs.models import Enrollment, Role, TrainingModule


@pytest.fixture
def scenario(db):
    """A small running program whose figures are worked out by hand in test_metrics.py.

    Cadence 14 days. Mentors M1-M3 (M3 approved 42 days ago), mentees E1-E6, one mentee
    still applying. Pairings (days ago): P1 M1-E1 active since 60, sessions 40/20/5 ->
    healthy; P2 M2-E2 active since 60, session 20 -> cooling (overdue); P3 M3-E3 active since
    40, no session, no goal, a rating of 2 from M3 -> at risk; P4 M1-E4 completed (80 -> 10),
    session 15; P5 M2-E5 proposed; P6 M2-E6 ended early (80 -> 50).
    """
    program = b.running_program(name="Leadership Circle", slug="leadership-circle")
    m1, m2 = (b.enroll(program, Role.MENTOR) for _ in range(2))
    m3 = b.enroll(program, Role.MENTOR, approved_days_ago=42)
    e1, e2, e3, e4, e5, e6 = (b.enroll(program, Role.MENTEE) for _ in range(6))
    b.enroll(program, Role.MENTEE, status=Enrollment.Status.APPLIED)

    p1 = b.pair(program, m1, e1, started_days_ago=60)
    p2 = b.pair(program, m2, e2, started_days_ago=60)
    p3 = b.pair(program, m3, e3, started_days_ago=40)
    p4 = b.pair(program, m1, e4, status=Pairing.Status.COMPLETED, started_days_ago=80, ended_days_ago=10)
    p5 = b.pair(program, m2, e5, status=Pairing.Status.PROPOSED, started_days_ago=2)
    p6 = b.pair(program, m2, e6, status=Pairing.Status.ENDED, started_days_ago=80, ended_days_ago=50)
    for pairing, days in ((p1, 40), (p1, 20), (p1, 5), (p2, 20), (p4, 15)):
        b.session(pairing, days)
    b.session(p2, 3, status="cancelled")
    b.session(p2, -4, status="scheduled")

    b.goal(e1, status=Goal.Status.ACHIEVED, progress=100, moved_days_ago=10)
    b.goal(e2, status=Goal.Status.IN_PROGRESS, progress=50, moved_days_ago=30)
    b.goal(e2, status=Goal.Status.DROPPED)
    b.goal(e4)

    b.action_item(p1, created_days_ago=20, done_days_ago=15)
    b.action_item(p1, created_days_ago=5)
    b.action_item(p2, created_days_ago=20, done_days_ago=2)
    b.action_item(p4, created_days_ago=15, done_days_ago=12)

    both = b.module(program)
    for_mentees = b.module(program, TrainingModule.Audience.MENTEES)
    optional = b.module(program, required=False)
    b.complete(m1, both)
    b.complete(e1, both)
    b.complete(e1, for_mentees)
    b.complete(e2, for_mentees)
    b.complete(e3, optional)

    survey, rating, nps = b.survey(program)
    instance = b.survey_round(survey)
    b.invite(instance, e3)
    for enrollment, (stars, score) in ((m1, (5, 10)), (m2, (4, 9)), (m3, (2, 3)), (e1, (4, 7)), (e2, (5, 6))):
        b.answer(instance, enrollment, {rating: stars, nps: score})
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
    b.running_program(name="Sales Buddies", slug="sales-buddies").owners.add(bob)
    client.force_login(bob)
    return client


@pytest.fixture
def participant_client(client, scenario):
    """The mentor of P1 (a participant, owner of nothing)."""
    client.force_login(scenario.pairings[0].mentor.person.user)
    return client
