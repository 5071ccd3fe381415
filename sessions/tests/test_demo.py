"""The demo's mentoring activity: believable, idempotent, and it tells nobody anything."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Notification
from goals.models import Goal, GoalEvent
from matching.tests.factories import PairingFactory
from people.tests.factories import MemberFactory
from programs.tests.factories import GoalTemplateFactory, days_ago
from sessions.demo import seed_sessions
from sessions.models import ActionItem, MentoringSession, Resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_pairings(program):
    GoalTemplateFactory(program=program, title="Run effective one-on-ones", suggested_milestones=["A", "B", "C"])
    GoalTemplateFactory(program=program, title="Write a design", suggested_milestones=["Draft", "Review"])
    pairs = {
        "demo": PairingFactory(
            active=True,
            program=program,
            mentor__person=MemberFactory(email="mentor@demo.example", first_name="Demo", last_name="Mentor").person,
            mentee__person=MemberFactory(
                email="mentee@demo.example", first_name="Demo", last_name="Mentee", person__time_zone="Asia/Kolkata"
            ).person,
            started_days_ago=90,
        )
    }
    for i in range(8):
        pairs[i] = PairingFactory(
            active=True,
            program=program,
            mentor__person=MemberFactory(email=f"m{i}@example.com", first_name="Mentor", last_name=str(i)).person,
            mentee__person=MemberFactory(email=f"e{i}@example.com", first_name="Mentee", last_name=str(i)).person,
            started_days_ago=90,
        )
    pairs["ended"] = PairingFactory(
        ended=True,
        program=program,
        mentor__person=MemberFactory(email="ended-m@example.com").person,
        mentee__person=MemberFactory(email="ended-e@example.com").person,
        started_days_ago=90,
        ended_days_ago=40,
    )
    pairs["proposed"] = PairingFactory(
        program=program,
        mentor__person=MemberFactory(email="prop-m@example.com").person,
        mentee__person=MemberFactory(email="prop-e@example.com").person,
        started_at=days_ago(30),
    )
    return pairs


def test_seed_builds_months_of_history_once(demo_pairings):
    counts = seed_sessions(random.Random(7))
    now = timezone.now()
    assert counts["new_pairings"] == 10 and counts["pairings"] == 10
    demo = demo_pairings["demo"]
    held = demo.sessions.filter(status=MentoringSession.Status.HELD)
    assert held.count() >= 4
    assert all(s.shared_notes and s.topics for s in held)
    assert demo.sessions.filter(status="scheduled", starts_at__gt=now).count() == 2
    assert demo.sessions.filter(status="scheduled", starts_at__lt=now).count() == 1  # to log
    assert not demo_pairings["proposed"].sessions.exists()
    assert (
        not demo_pairings["ended"]
        .sessions.filter(starts_at__gt=demo_pairings["ended"].started_at + timedelta(days=51))
        .exists()
    )

    statuses = set(Goal.objects.values_list("status", flat=True))
    assert len(statuses) >= 3
    assert GoalEvent.objects.filter(kind="comment").exists()
    assert ActionItem.objects.filter(done_at__isnull=False).exists()
    assert ActionItem.objects.filter(done_at__isnull=True, due_date__lt=now.date()).exists()
    assert Resource.objects.exists()
    assert not Notification.objects.exists()

    before = (MentoringSession.objects.count(), Goal.objects.count(), ActionItem.objects.count())
    again = seed_sessions(random.Random(8))
    assert again["new_pairings"] == 0
    assert (MentoringSession.objects.count(), Goal.objects.count(), ActionItem.objects.count()) == before


def test_seeded_pages_render_for_the_demo_people(client, hr_admin, demo_pairings):
    seed_sessions(random.Random(7))
    demo = demo_pairings["demo"]
    for email in ("mentor@demo.example", "mentee@demo.example"):
        client.force_login(demo.mentor.person.user if email.startswith("mentor") else demo.mentee.person.user)
        assert client.get(f"/mentoring/pairings/{demo.pk}/").status_code == 200
        assert client.get(f"/programs/enrollments/{demo.mentee_id}/goals/").status_code == 200
    client.force_login(hr_admin)
    assert client.get("/mentoring/hr/").status_code == 200


def test_seed_without_a_running_program_does_nothing(db):
    assert seed_sessions(random.Random(1))["sessions"] == 0
