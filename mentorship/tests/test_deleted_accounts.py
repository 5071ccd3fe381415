"""History outlives accounts: a deleted account's actions stay on every page, credited to
"someone who has left" (every who-did-it foreign key to a user is SET_NULL)."""

import pytest
from django.test import Client
from django.utils import timezone

from goals import services as goal_services
from goals.models import GoalEvent
from matching.tests.factories import MatchRunFactory, PairingFactory
from people import importing as people_importing
from people.tests.factories import MemberFactory, import_csv, import_row
from programs.models import Enrollment
from programs.tests.factories import ProgramFactory
from sessions.tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

LEFT = "someone who has left"


@pytest.fixture
def history():
    """A pairing whose HR admin and mentor acted on everything, then had their accounts deleted."""
    program = ProgramFactory(running=True, slug="circle")
    mentor = MemberFactory(email="mira.mentor@example.com", first_name="Mira", last_name="Mentor")
    mentee = MemberFactory(email="milo.mentee@example.com", first_name="Milo", last_name="Mentee")
    hr_leaver = MemberFactory(email="hanna.hr@example.com", first_name="Hanna", last_name="Leaver", is_hr_admin=True)
    pairing = PairingFactory(active=True, program=program, mentor__person=mentor.person, mentee__person=mentee.person)
    now = timezone.now()
    goal = goal_services.goal_create(enrollment=pairing.mentee, user=mentee, title="Own the roadmap")
    goal_services.goal_comment_add(goal=goal, user=mentor, body="Start with the review")
    cancelled = SessionFactory(pairing=pairing, cancelled=True, cancelled_by=mentor, cancelled_at=now)
    held = SessionFactory(pairing=pairing, days=-3, held=True, logged_by=mentor, logged_at=now)
    Enrollment.objects.filter(pk=pairing.mentee_id).update(decided_by=hr_leaver, decided_at=now)
    run = MatchRunFactory(program=program, started_by=hr_leaver)
    job = people_importing.people_import_job_create(
        text=import_csv(import_row("new@example.com")), file_name="export.csv", user=hr_leaver
    )
    mentor.delete()
    hr_leaver.delete()
    return {
        "mentee": mentee,
        "program": program,
        "pairing": pairing,
        "goal": goal,
        "cancelled": cancelled,
        "held": held,
        "run": run,
        "job": job,
    }


def test_the_history_is_kept_with_no_account_behind_it(history):
    assert GoalEvent.objects.filter(goal=history["goal"], actor=None).count() == 1  # the comment
    history["cancelled"].refresh_from_db()
    assert history["cancelled"].cancelled_by is None and history["cancelled"].cancelled_at is not None


def test_the_mentee_sees_who_did_what_on_her_pages(client, history):
    client.force_login(history["mentee"])
    pages = [
        f"/programs/goals/{history['goal'].pk}/",
        f"/mentoring/pairings/{history['pairing'].pk}/",
        f"/mentoring/sessions/{history['cancelled'].pk}/",
        f"/mentoring/sessions/{history['held'].pk}/",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert LEFT in response.content.decode(), page
    goal_page = client.get(pages[0]).content.decode()
    assert "Start with the review" in goal_page and "Milo Mentee" in goal_page


def test_hr_sees_who_decided_ran_and_imported(hr_admin, history):
    client = Client()
    client.force_login(hr_admin)
    slug = history["program"].slug
    pages = [
        f"/programs/{slug}/participants/{history['pairing'].mentee_id}/",
        f"/matching/runs/{history['run'].pk}/",
        f"/matching/programs/{slug}/",
        f"/people/import/{history['job'].pk}/",
        "/people/import/",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert LEFT in response.content.decode(), page
