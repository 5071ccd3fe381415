"""The demo's mentoring activity: believable, idempotent, and it tells nobody anything."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Notification
from goals.models import Goal, GoalEvent
from matching.models import Pairing
from programs.tests.factories import GoalTemplateFactory
from sessions.demo import seed_sessions
from sessions.models import ActionItem, MentoringSession, Resource
from sessions.tests.helpers import make_pairing, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_pairings(program):
    GoalTemplateFactory(program=program, title="Run effective one-on-ones", suggested_milestones=["A", "B", "C"])
    GoalTemplateFactory(program=program, title="Write a design", suggested_milestones=["Draft", "Review"])
    pairs = {
        "demo": make_pairing(
            program=program,
            mentor=make_user("mentor@demo.example", "Demo", "Mentor"),
            mentee=make_user("mentee@demo.example", "Demo", "Mentee", time_zone="Asia/Kolkata"),
            started_days_ago=90,
        )
    }
    for i in range(8):
        pairs[i] = make_pairing(
            program=program,
            mentor=make_user(f"m{i}@example.com", "Mentor", str(i)),
            mentee=make_user(f"e{i}@example.com", "Mentee", str(i)),
            started_days_ago=90,
        )
    pairs["ended"] = make_pairing(
        program=program,
        mentor=make_user("ended-m@example.com"),
        mentee=make_user("ended-e@example.com"),
        status=Pairing.Status.ENDED,
        started_days_ago=90,
    )
    Pairing.objects.filter(pk=pairs["ended"].pk).update(ended_at=timezone.now() - timedelta(days=40))
    pairs["proposed"] = make_pairing(
        program=program,
        mentor=make_user("prop-m@example.com"),
        mentee=make_user("prop-e@example.com"),
        status=Pairing.Status.PROPOSED,
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
