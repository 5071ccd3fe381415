from datetime import timedelta

import pytest
from django.utils import timezone

from goals.tests.factories import GoalFactory, MilestoneFactory
from matching.tests.factories import PairingFactory
from people.tests.factories import MemberFactory
from programs.tests.factories import ProgramFactory
from sessions.tests.factories import (
    MENTEE_PRIVATE,
    MENTOR_PRIVATE,
    SHARED_NOTE,
    ActionItemFactory,
    PrivateNoteFactory,
    ResourceFactory,
    SessionFactory,
)


@pytest.fixture
def program(db):
    return ProgramFactory(running=True, name="Leadership Circle", slug="leadership-circle")


@pytest.fixture
def mentor(db):
    return MemberFactory(
        email="mira.mentor@example.com", first_name="Mira", last_name="Mentor", person__time_zone="Europe/Berlin"
    )


@pytest.fixture
def mentee(db):
    return MemberFactory(
        email="milo.mentee@example.com", first_name="Milo", last_name="Mentee", person__time_zone="America/New_York"
    )


@pytest.fixture
def pairing(program, mentor, mentee):
    return PairingFactory(active=True, program=program, mentor__person=mentor.person, mentee__person=mentee.person)


@pytest.fixture
def outsider(program):
    """Someone in the same program, with a pairing of their own."""
    user = MemberFactory(email="olga.outsider@example.com", first_name="Olga", last_name="Outsider")
    partner = MemberFactory(email="pat.partner@example.com", first_name="Pat", last_name="Partner")
    PairingFactory(active=True, program=program, mentor__person=user.person, mentee__person=partner.person)
    return user


@pytest.fixture
def hr_browser(hr_admin):
    """A second browser, signed in as an HR admin (``client`` stays free for someone else)."""
    from django.test import Client

    browser = Client()
    browser.force_login(hr_admin)
    return browser


@pytest.fixture
def populate(db):
    """``populate(pairing, sessions)``: a pairing with ``sessions`` held sessions (shared notes,
    private notes by both, two action items, a goal discussed), as many planned ones, a goal
    with milestones, resources. Returns the goal."""

    def build(pairing, sessions: int, *, now=None):
        now = now or timezone.now()
        mentor_user, mentee_user = pairing.mentor.person.user, pairing.mentee.person.user
        goal = GoalFactory(
            enrollment=pairing.mentee, title=f"Goal of pairing {pairing.pk}", progress=40, in_progress=True
        )
        for i in range(3):
            MilestoneFactory(goal=goal, title=f"Step {i}", order=i)
        for i in range(sessions):
            held = SessionFactory(
                pairing=pairing,
                held=True,
                starts_at=now - timedelta(days=7 * (i + 1)),
                shared_notes=SHARED_NOTE,
                topics=["career", "feedback"],
                logged_by=mentor_user,
            )
            held.goals_discussed.add(goal)
            PrivateNoteFactory(session=held, author=mentor_user, body=MENTOR_PRIVATE)
            PrivateNoteFactory(session=held, author=mentee_user, body=MENTEE_PRIVATE)
            ActionItemFactory(session=held, owner=pairing.mentee.person, due_in_days=-3, title="Overdue thing")
            ActionItemFactory(session=held, owner=pairing.mentor.person, due_in_days=5, title="Open thing")
            SessionFactory(pairing=pairing, starts_at=now + timedelta(days=i + 1))
            ResourceFactory(pairing=pairing, goal=goal, title=f"Book {i}", recommended_by=mentor_user)
        return goal

    return build
