"""Journeys of a pair: the mentee schedules a session; the mentor logs it as held."""

import datetime
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from matching.tests.factories import PairingFactory
from people.tests.factories import PASSWORD, MemberFactory
from programs.tests.factories import ProgramFactory
from sessions.models import MentoringSession

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pair(db):
    mentor = MemberFactory(
        email="mira.mentor@example.com", first_name="Mira", last_name="Mentor", person__time_zone="Europe/Berlin"
    )
    mentee = MemberFactory(
        email="milo.mentee@example.com", first_name="Milo", last_name="Mentee", person__time_zone="America/New_York"
    )
    pairing = PairingFactory(
        active=True,
        program=ProgramFactory(running=True, name="Leadership Circle"),
        mentor__person=mentor.person,
        mentee__person=mentee.person,
    )
    return pairing, mentor, mentee


def test_mentee_schedules_a_session_that_the_mentor_sees_in_their_own_time_zone(
    page, sign_in, screenshot, browser, live_server, pair
):
    pairing, mentor, mentee = pair
    sign_in(mentee.email, PASSWORD)
    page.click('[data-testid="nav-participant"]')
    page.click("text=Mira Mentor")
    assert urlparse(page.url).path == f"/mentoring/pairings/{pairing.pk}/"
    page.click("text=Schedule a session")
    day = timezone.localdate() + datetime.timedelta(days=3)
    page.fill("input[name=date]", day.isoformat())
    page.fill("input[name=start_time]", "09:00")
    page.fill("input[name=end_time]", "10:00")
    page.fill("input[name=video_url]", "https://meet.example.com/abc")
    page.fill("textarea[name=agenda]", "Promotion case")
    with page.expect_navigation():
        page.click("form button[type=submit]:not([data-testid=sign-out])")
    screenshot("mentee-pairing-after-scheduling")
    session = MentoringSession.objects.get(pairing=pairing)
    new_york_start = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=ZoneInfo("America/New_York"))
    assert session.starts_at == new_york_start
    berlin_start = new_york_start.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M")

    mentor_context = browser.new_context(base_url=live_server.url)
    mentor_page = mentor_context.new_page()
    mentor_page.goto("/accounts/login/")
    mentor_page.fill("input[name=login]", mentor.email)
    mentor_page.fill("input[name=password]", PASSWORD)
    with mentor_page.expect_navigation():
        mentor_page.click("form button[type=submit]")
    mentor_page.goto(f"/mentoring/pairings/{pairing.pk}/")
    assert berlin_start in mentor_page.inner_text("body")  # the mentor sees Berlin time
    mentor_context.close()


def test_another_pairs_page_is_not_found(page, sign_in, pair):
    pairing, _, _ = pair
    MemberFactory(email="olga@example.com", first_name="Olga", last_name="Outsider")
    sign_in("olga@example.com", PASSWORD)
    response = page.goto(f"/mentoring/pairings/{pairing.pk}/")
    assert response.status == 404
