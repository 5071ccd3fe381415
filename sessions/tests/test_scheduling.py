"""Scheduling, rescheduling and cancelling sessions, in each person's own time zone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.models import Notification
from matching.models import Pairing
from sessions.models import MentoringSession
from sessions.tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def future_day(days=10):
    return (timezone.now() + timedelta(days=days)).astimezone(BERLIN).date()


def schedule_data(**overrides):
    data = {
        "date": future_day().isoformat(),
        "start_time": "15:00",
        "end_time": "16:00",
        "format": "video",
        "video_url": "https://meet.example.com/abc-defg",
        "place": "",
        "agenda": "Talk about the promotion case",
    }
    return {**data, **overrides}


def test_mentor_schedules_in_their_zone_and_the_mentee_is_told_in_theirs(client, pairing, mentor, mentee):
    client.force_login(mentor)  # Europe/Berlin
    response = client.post(f"/mentoring/pairings/{pairing.pk}/schedule/", schedule_data())
    session = MentoringSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/mentoring/pairings/{pairing.pk}/#session-{session.pk}"
    assert session.starts_at == datetime.combine(future_day(), datetime.min.time().replace(hour=15), tzinfo=BERLIN)
    assert session.duration_minutes == 60
    assert session.scheduler_time_zone == "Europe/Berlin"
    assert session.scheduled_by == mentor

    note = Notification.objects.get(recipient=mentee)
    local = session.starts_at.astimezone(ZoneInfo("America/New_York"))
    assert note.kind == "session_scheduled"
    assert f"at {local:%H:%M} (America/New_York)" in note.title
    assert note.idempotency_key == f"session-scheduled:{session.pk}:{mentee.pk}"

    # The mentee's pairing page shows the time in New York, and the mentor's time beside it.
    client.force_login(mentee)
    page = client.get(f"/mentoring/pairings/{pairing.pk}/").content.decode()
    assert f"{local:%H:%M}" in page
    assert "15:00 for Mira (Europe/Berlin)" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end_time": "14:30"}, "end_time", "The session must end after it starts."),
        ({"end_time": "15:00"}, "end_time", "The session must end after it starts."),
        ({"start_time": "08:00", "end_time": "16:30"}, "end_time", "at most 8 hours"),
        ({"date": "2020-01-06"}, "start_time", "Pick a time in the future"),
        ({"video_url": ""}, "video_url", "Add the video call link."),
        ({"video_url": "javascript:alert(1)"}, "video_url", "Enter a web address"),
        ({"format": "in_person", "place": ""}, "place", "Say where you will meet."),
        ({"format": "carrier-pigeon"}, "format", "Select a valid choice"),
        ({"date": "31/02/2027"}, "date", "Enter a valid date."),
        ({"start_time": "25:99"}, "start_time", "Enter a valid time."),
        ({"agenda": "x" * 5001}, "agenda", "at most 5000 characters"),
    ],
)
def test_bad_schedule_input_is_a_form_error_and_nothing_is_saved(client, pairing, mentor, overrides, field, message):
    client.force_login(mentor)
    response = client.post(f"/mentoring/pairings/{pairing.pk}/schedule/", schedule_data(**overrides))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert 'data-testid="form-errors"' in response.content.decode()
    assert not MentoringSession.objects.exists()
    assert not Notification.objects.exists()


def test_reschedule_bumps_the_sequence_and_notifies_again_each_time(client, pairing, mentor, mentee):
    session = SessionFactory(pairing=pairing, days=5)
    client.force_login(mentee)
    for attempt, hour in enumerate(["10:00", "11:00"], start=1):
        response = client.post(
            f"/mentoring/sessions/{session.pk}/reschedule/",
            schedule_data(start_time=hour, end_time="12:30", date=future_day(6).isoformat()),
        )
        assert response.status_code == 302
        session.refresh_from_db()
        assert session.sequence == attempt
        assert session.starts_at.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M") == hour
    moved = Notification.objects.filter(recipient=mentor, kind="session_rescheduled")
    assert sorted(moved.values_list("idempotency_key", flat=True)) == [
        f"session-rescheduled:{session.pk}:v1:{mentor.pk}",
        f"session-rescheduled:{session.pk}:v2:{mentor.pk}",
    ]
    assert "(Europe/Berlin)" in moved.first().title


def test_reschedule_form_shows_the_current_time_in_the_viewers_zone(client, pairing, mentee):
    session = SessionFactory(pairing=pairing, starts_at=datetime(2031, 3, 4, 14, 0, tzinfo=ZoneInfo("UTC")))
    client.force_login(mentee)
    form = client.get(f"/mentoring/sessions/{session.pk}/reschedule/").context["form"]
    assert str(form.initial["start_time"]) == "09:00:00"


def test_cancel_notifies_the_other_person(client, pairing, mentor, mentee):
    session = SessionFactory(pairing=pairing)
    client.force_login(mentor)
    assert client.get(f"/mentoring/sessions/{session.pk}/cancel/").status_code == 200
    response = client.post(f"/mentoring/sessions/{session.pk}/cancel/", {"reason": "I'm travelling"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == MentoringSession.Status.CANCELLED
    assert session.sequence == 1
    note = Notification.objects.get(recipient=mentee)
    assert note.kind == "session_cancelled" and note.body == "I'm travelling"
    # Cancelling again changes nothing and tells nobody.
    client.post(f"/mentoring/sessions/{session.pk}/cancel/")
    assert Notification.objects.count() == 1
    assert client.get(f"/mentoring/sessions/{session.pk}/reschedule/").status_code == 302


def test_cancel_reason_too_long_is_a_form_error(client, pairing, mentor):
    session = SessionFactory(pairing=pairing)
    client.force_login(mentor)
    response = client.post(f"/mentoring/sessions/{session.pk}/cancel/", {"reason": "x" * 1001})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    session.refresh_from_db()
    assert session.status == MentoringSession.Status.SCHEDULED


@pytest.mark.parametrize(
    "url",
    [
        "/mentoring/pairings/{pairing}/schedule/",
        "/mentoring/sessions/{session}/reschedule/",
        "/mentoring/sessions/{session}/cancel/",
    ],
)
def test_another_pairings_scheduling_urls_are_404s(client, hr_browser, pairing, outsider, url):
    session = SessionFactory(pairing=pairing)
    url = url.format(pairing=pairing.pk, session=session.pk)
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, schedule_data()).status_code == 404
    assert hr_browser.get(url).status_code == 404
    session.refresh_from_db()
    assert session.status == MentoringSession.Status.SCHEDULED and session.sequence == 0


def test_an_ended_pairing_takes_no_new_sessions(client, pairing, mentor):
    Pairing.objects.filter(pk=pairing.pk).update(status=Pairing.Status.ENDED)
    client.force_login(mentor)
    response = client.post(f"/mentoring/pairings/{pairing.pk}/schedule/", schedule_data())
    assert response.status_code == 302
    assert not MentoringSession.objects.exists()
    # Its page still opens, read-only.
    page = client.get(f"/mentoring/pairings/{pairing.pk}/").content.decode()
    assert 'data-testid="schedule-button"' not in page


def test_a_proposed_pairing_has_no_page_yet(client, pairing, mentor):
    Pairing.objects.filter(pk=pairing.pk).update(status=Pairing.Status.PROPOSED)
    client.force_login(mentor)
    assert client.get(f"/mentoring/pairings/{pairing.pk}/").status_code == 404


@pytest.mark.parametrize(
    "url", ["/mentoring/pairings/{pairing}/schedule/", "/mentoring/sessions/{session}/reschedule/"]
)
def test_schedule_form_query_count_is_constant(count_queries, client, pairing, mentor, url):
    session = SessionFactory(pairing=pairing)
    client.force_login(mentor)
    url = url.format(pairing=pairing.pk, session=session.pk)
    few = count_queries(client, url)
    for i in range(15):
        SessionFactory(pairing=pairing, days=20 + i)
    assert count_queries(client, url) == few


def test_bad_reschedule_input_is_a_form_error_and_nothing_changes(client, pairing, mentor, mentee):
    session = SessionFactory(pairing=pairing, days=5)
    before = session.starts_at
    client.force_login(mentor)
    for overrides in ({"end_time": "14:00"}, {"date": "2020-02-02"}, {"format": "in_person", "place": ""}):
        response = client.post(f"/mentoring/sessions/{session.pk}/reschedule/", schedule_data(**overrides))
        assert response.status_code == 200 and response.context["form"].errors
    session.refresh_from_db()
    assert (session.starts_at, session.sequence) == (before, 0)
    assert not Notification.objects.exists()
