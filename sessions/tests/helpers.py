"""Builders for pairings, sessions and goals, shared by the sessions and goal tests."""

from datetime import timedelta

from django.utils import timezone

from goals.models import Goal
from matching.models import Pairing
from people.tests.factories import PersonFactory, UserFactory
from programs.models import Enrollment, Program, Role
from programs.tests.factories import ProgramFactory
from sessions.models import ActionItem, MentoringSession


def make_user(email, first="Test", last="Person", *, time_zone="Europe/Berlin", **kwargs):
    user = UserFactory(email=email, first_name=first, last_name=last, **kwargs)
    PersonFactory(email=email, first_name=first, last_name=last, user=user, time_zone=time_zone)
    return user


def running_program(**kwargs) -> Program:
    today = timezone.localdate()
    defaults = {
        "status": Program.Status.RUNNING,
        "start_date": today - timedelta(days=90),
        "end_date": today + timedelta(days=120),
    }
    return ProgramFactory(**{**defaults, **kwargs})


def enroll(program, user, role) -> Enrollment:
    enrollment, _ = Enrollment.objects.get_or_create(
        program=program, person=user.person, defaults={"role": role, "status": Enrollment.Status.APPROVED}
    )
    return enrollment


def make_pairing(*, program, mentor, mentee, status=Pairing.Status.ACTIVE, started_days_ago=30) -> Pairing:
    started = timezone.now() - timedelta(days=started_days_ago)
    return Pairing.objects.create(
        program=program,
        mentor=enroll(program, mentor, Role.MENTOR),
        mentee=enroll(program, mentee, Role.MENTEE),
        status=status,
        started_at=started,
    )


def make_session(pairing, *, days=2, status=MentoringSession.Status.SCHEDULED, **kwargs) -> MentoringSession:
    defaults = {
        "starts_at": timezone.now() + timedelta(days=days),
        "duration_minutes": 60,
        "format": "video",
        "video_url": "https://meet.example.com/abc",
        "agenda": "Career plan",
    }
    if status == MentoringSession.Status.HELD:
        defaults["shared_notes"] = "We talked about the promotion case."
    return MentoringSession.objects.create(pairing=pairing, status=status, **{**defaults, **kwargs})


def make_action_item(session, *, owner=None, due_in_days=7, **kwargs) -> ActionItem:
    return ActionItem.objects.create(
        session=session,
        pairing=session.pairing,
        title=kwargs.pop("title", "Draft the plan"),
        owner=owner or session.pairing.mentee.person,
        due_date=timezone.localdate() + timedelta(days=due_in_days),
        **kwargs,
    )


def make_goal(enrollment, **kwargs) -> Goal:
    return Goal.objects.create(enrollment=enrollment, title=kwargs.pop("title", "Lead a project"), **kwargs)


def count_queries(client, url) -> int:
    """How many queries a GET of ``url`` runs (it must answer 200)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


SHARED_NOTE = "Shared: we agreed on a stretch project in the payments team."
MENTOR_PRIVATE = "Mentor-private: worried about burnout, raise gently."
MENTEE_PRIVATE = "Mentee-private: I might apply for the staff role elsewhere."


def populate(pairing, sessions: int, *, now=None):
    """A pairing with ``sessions`` held sessions (shared notes, private notes by both, two
    action items, a goal discussed), as many planned ones, goals with milestones, resources."""
    from goals.models import Milestone
    from sessions.models import PrivateNote, Resource

    now = now or timezone.now()
    mentor_user, mentee_user = pairing.mentor.person.user, pairing.mentee.person.user
    goal = make_goal(pairing.mentee, title=f"Goal of pairing {pairing.pk}", progress=40, status="in_progress")
    Milestone.objects.bulk_create([Milestone(goal=goal, title=f"Step {i}", order=i) for i in range(3)])
    for i in range(sessions):
        held = make_session(
            pairing,
            starts_at=now - timedelta(days=7 * (i + 1)),
            status=MentoringSession.Status.HELD,
            shared_notes=SHARED_NOTE,
            topics=["career", "feedback"],
            logged_by=mentor_user,
        )
        held.goals_discussed.add(goal)
        PrivateNote.objects.create(session=held, author=mentor_user, body=MENTOR_PRIVATE)
        PrivateNote.objects.create(session=held, author=mentee_user, body=MENTEE_PRIVATE)
        make_action_item(held, owner=pairing.mentee.person, due_in_days=-3, title="Overdue thing")
        make_action_item(held, owner=pairing.mentor.person, due_in_days=5, title="Open thing")
        make_session(pairing, starts_at=now + timedelta(days=i + 1))
        Resource.objects.create(pairing=pairing, goal=goal, title=f"Book {i}", kind="book", recommended_by=mentor_user)
    return goal
