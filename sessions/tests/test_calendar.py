"""Calendar invitations (.ics) and the personal subscription feed."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from matching.tests.factories import PairingFactory
from people.tests.factories import MemberFactory
from sessions import services
from sessions.models import CalendarFeed
from sessions.tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events(calendar):
    return list(calendar.walk("VEVENT"))


# --- The invitation of one session -------------------------------------------------------


def test_invitation_keeps_its_uid_and_counts_up_its_sequence(client, pairing, mentor, mentee):
    session = services.session_schedule(
        pairing=pairing,
        user=mentor,
        starts_at=timezone.now() + timedelta(days=3),
        duration_minutes=45,
        format="in_person",
        place="Room 4.12",
        agenda="Feedback on the talk",
    )
    client.force_login(mentee)
    url = f"/mentoring/sessions/{session.pk}/invite.ics"
    first = parse(client.get(url))
    assert first["METHOD"] == "REQUEST"
    (event,) = events(first)
    uid = str(event["UID"])
    assert event["SEQUENCE"] == 0
    assert str(event["LOCATION"]) == "Room 4.12"
    assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(minutes=45)
    assert "Feedback on the talk" in str(event["DESCRIPTION"])
    assert {str(a) for a in event.get("ATTENDEE")} == {f"mailto:{mentor.email}", f"mailto:{mentee.email}"}
    assert str(event["ORGANIZER"]) == f"mailto:{mentor.email}"

    services.session_reschedule(
        session=session,
        user=mentee,
        starts_at=timezone.now() + timedelta(days=4),
        duration_minutes=45,
        format="in_person",
        place="Room 4.12",
    )
    (event,) = events(parse(client.get(url)))
    assert str(event["UID"]) == uid
    assert event["SEQUENCE"] == 1

    services.session_cancel(session=session, user=mentor)
    cancelled = parse(client.get(url))
    assert cancelled["METHOD"] == "CANCEL"
    (event,) = events(cancelled)
    assert str(event["UID"]) == uid
    assert event["SEQUENCE"] == 2
    assert event["STATUS"] == "CANCELLED"


def test_another_pairings_invitation_is_a_404(client, pairing, outsider, hr_browser):
    session = SessionFactory(pairing=pairing)
    client.force_login(outsider)
    assert client.get(f"/mentoring/sessions/{session.pk}/invite.ics").status_code == 404
    assert hr_browser.get(f"/mentoring/sessions/{session.pk}/invite.ics").status_code == 404


# --- The subscription feed ---------------------------------------------------------------


def test_feed_address_is_shown_once_and_lists_all_my_pairings(client, program, pairing, mentor):
    second = PairingFactory(
        active=True,
        program=program,
        mentor__person=mentor.person,
        mentee__person=MemberFactory(email="second@example.com", first_name="Sam", last_name="Second").person,
    )
    mine = [
        SessionFactory(pairing=pairing),
        SessionFactory(pairing=second, days=5),
        SessionFactory(pairing=pairing, days=-7, held=True),
    ]
    not_mine = SessionFactory(
        pairing=PairingFactory(
            active=True,
            program=program,
            mentor__person=MemberFactory(email="x@example.com").person,
            mentee__person=MemberFactory(email="y@example.com").person,
        )
    )
    client.force_login(mentor)

    page = client.get("/mentoring/calendar/").content.decode()
    assert 'data-testid="create-feed"' in page
    response = client.post("/mentoring/calendar/", {"action": "regenerate"}, follow=True)
    feed_url = response.context["feed_url"]
    assert feed_url.startswith("http://testserver/mentoring/feed/") and feed_url.endswith(".ics")
    # Shown once: the address is not in the page again, and only its hash is stored.
    token = feed_url.rsplit("/", 1)[1].removesuffix(".ics")
    assert token not in client.get("/mentoring/calendar/").content.decode()
    assert CalendarFeed.objects.get(user=mentor).token_hash != token

    client.logout()  # calendar apps don't sign in
    calendar = parse(client.get(feed_url))
    uids = {str(e["UID"]).split("@")[0] for e in events(calendar)}
    assert uids == {str(s.ical_uid) for s in mine}
    assert str(not_mine.ical_uid) not in uids
    assert {str(e["SUMMARY"]) for e in events(calendar)} == {"Mentoring with Milo Mentee", "Mentoring with Sam Second"}
    assert CalendarFeed.objects.get(user=mentor).last_used_at is not None


def test_revoked_or_replaced_feed_address_is_a_404(client, pairing, mentor):
    old_token = services.calendar_feed_regenerate(user=mentor)
    assert client.get(f"/mentoring/feed/{old_token}.ics").status_code == 200
    new_token = services.calendar_feed_regenerate(user=mentor)
    assert client.get(f"/mentoring/feed/{old_token}.ics").status_code == 404
    assert client.get(f"/mentoring/feed/{new_token}.ics").status_code == 200

    client.force_login(mentor)
    client.post("/mentoring/calendar/", {"action": "revoke"})
    client.logout()
    assert client.get(f"/mentoring/feed/{new_token}.ics").status_code == 404
    assert client.get("/mentoring/feed/not-a-token.ics").status_code == 404
    assert client.get(f"/mentoring/feed/{'x' * 500}.ics").status_code == 404


def test_feed_of_a_deactivated_account_is_a_404(client, mentor):
    token = services.calendar_feed_regenerate(user=mentor)
    mentor.is_active = False
    mentor.save()
    assert client.get(f"/mentoring/feed/{token}.ics").status_code == 404


def test_calendar_settings_refuses_an_unknown_action(client, mentor):
    client.force_login(mentor)
    response = client.post("/mentoring/calendar/", {"action": "delete-everything"}, follow=True)
    assert response.status_code == 200
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize("count", [2, 20])
def test_feed_query_count_is_constant(client, pairing, mentor, count, django_assert_num_queries):
    for i in range(count):
        SessionFactory(pairing=pairing, days=i + 1, held=i % 2 == 0)
    token = services.calendar_feed_regenerate(user=mentor)
    with django_assert_num_queries(5):
        response = client.get(f"/mentoring/feed/{token}.ics")
    assert len(events(parse(response))) == count


def test_feed_lists_sessions_from_a_year_back_onwards(client, pairing, mentor):
    now = timezone.now()
    old = SessionFactory(pairing=pairing, starts_at=now - timedelta(days=730), held=True)
    year_ago = SessionFactory(pairing=pairing, starts_at=now - timedelta(days=364), held=True)
    cancelled = SessionFactory(pairing=pairing, starts_at=now - timedelta(days=30), cancelled=True)
    far_ahead = SessionFactory(pairing=pairing, starts_at=now + timedelta(days=400))
    token = services.calendar_feed_regenerate(user=mentor)
    uids = {str(e["UID"]).split("@")[0] for e in events(parse(client.get(f"/mentoring/feed/{token}.ics")))}
    assert uids == {str(s.ical_uid) for s in (year_ago, cancelled, far_ahead)}
    assert str(old.ical_uid) not in uids
