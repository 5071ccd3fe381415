"""'My pairings', the pairing page and the session page: who sees what, and at what cost."""

from datetime import timedelta

import pytest
from django.utils import timezone

from matching.models import Pairing
from matching.tests.factories import PairingFactory
from people.tests.factories import MemberFactory
from programs.tests.factories import ProgramFactory
from sessions.models import PrivateNote
from sessions.tests.factories import MENTEE_PRIVATE, MENTOR_PRIVATE, SHARED_NOTE, ActionItemFactory, SessionFactory

pytestmark = pytest.mark.django_db


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- My pairings -------------------------------------------------------------------------


def test_a_mentor_sees_all_their_mentees(client, program, pairing, mentor, outsider):
    other = PairingFactory(
        active=True,
        program=program,
        mentor__person=mentor.person,
        mentee__person=MemberFactory(email="second@example.com", first_name="Sam", last_name="Second").person,
    )
    SessionFactory(pairing=other, days=3)
    html = page(client, mentor, "/mentoring/")
    assert html.count('data-testid="pairing-card"') == 2
    assert "Milo Mentee" in html and "Sam Second" in html
    assert "Olga" not in html and "Pat Partner" not in html


def test_my_pairings_lists_both_roles_and_my_goals(client, program, mentor, mentee, pairing):
    # Mira mentors Milo here and is mentored by Rita in another program.

    other_program = ProgramFactory(running=True, name="Women in Tech", slug="wit")
    PairingFactory(
        active=True,
        program=other_program,
        mentor__person=MemberFactory(email="rita@example.com", first_name="Rita", last_name="Rivera").person,
        mentee__person=mentor.person,
    )
    html = page(client, mentor, "/mentoring/")
    assert "You mentor Milo" in html
    assert "You are mentored by Rita" in html
    assert 'data-testid="my-goals"' in html and "Women in Tech" in html


def test_someone_with_no_pairing_gets_a_helpful_empty_page(client, alice):
    assert "You have no pairing yet." in page(client, alice, "/mentoring/")


def test_my_pairings_query_count_does_not_grow(populate, count_queries, client, program, mentor):
    pairs = [
        PairingFactory(
            active=True,
            program=program,
            mentor__person=mentor.person,
            mentee__person=MemberFactory(email=f"m{i}@example.com").person,
        )
        for i in range(2)
    ]
    for pair in pairs:
        populate(pair, 1)
    client.force_login(mentor)
    few = count_queries(client, "/mentoring/")
    for i in range(2, 6):
        populate(
            PairingFactory(
                active=True,
                program=program,
                mentor__person=mentor.person,
                mentee__person=MemberFactory(email=f"m{i}@example.com").person,
            ),
            4,
        )
    for pair in pairs:
        populate(pair, 5)
    assert count_queries(client, "/mentoring/") == few


# --- The pairing page --------------------------------------------------------------------


def test_both_people_see_the_whole_pairing_page(populate, client, pairing, mentor, mentee):
    populate(pairing, 2)
    for user in (mentor, mentee):
        html = page(client, user, f"/mentoring/pairings/{pairing.pk}/")
        assert 'data-testid="next-session"' in html
        assert html.count('data-testid="timeline-session"') == 2
        assert SHARED_NOTE in html
        assert f"Goal of pairing {pairing.pk}" in html
        assert "Overdue thing" in html and "Book 0" in html


def test_private_notes_are_read_by_their_author_only(populate, client, pairing, mentor, mentee, hr_admin):
    populate(pairing, 1)
    session = pairing.sessions.filter(status="held").get()
    mentor_html = page(client, mentor, f"/mentoring/pairings/{pairing.pk}/")
    mentor_html += page(client, mentor, f"/mentoring/sessions/{session.pk}/")
    assert MENTOR_PRIVATE in mentor_html and MENTEE_PRIVATE not in mentor_html
    mentee_html = page(client, mentee, f"/mentoring/pairings/{pairing.pk}/")
    mentee_html += page(client, mentee, f"/mentoring/sessions/{session.pk}/")
    assert MENTEE_PRIVATE in mentee_html and MENTOR_PRIVATE not in mentee_html


@pytest.mark.parametrize("who", ["outsider", "hr_admin", "owner"])
def test_nobody_else_opens_a_pairing_or_its_sessions(populate, client, program, pairing, who, request):
    populate(pairing, 1)
    user = request.getfixturevalue(who)
    program.owners.add(request.getfixturevalue("owner"))
    session = pairing.sessions.filter(status="held").get()
    client.force_login(user)
    for url in (
        f"/mentoring/pairings/{pairing.pk}/",
        f"/mentoring/sessions/{session.pk}/",
        f"/mentoring/sessions/{session.pk}/notes/",
        f"/mentoring/pairings/{pairing.pk}/log/",
        f"/mentoring/pairings/{pairing.pk}/resources/new/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/mentoring/sessions/{session.pk}/private-note/", {"body": "mine now"}).status_code == 404
    assert not PrivateNote.objects.filter(body="mine now").exists()


def test_an_ended_pairings_mentor_keeps_the_history_but_not_the_goals(populate, client, pairing, mentor):
    populate(pairing, 1)
    Pairing.objects.filter(pk=pairing.pk).update(status=Pairing.Status.ENDED)
    html = page(client, mentor, f"/mentoring/pairings/{pairing.pk}/")
    assert SHARED_NOTE in html
    assert f"Goal of pairing {pairing.pk}" not in html
    assert "shared with their current mentor only" in html


@pytest.mark.parametrize("viewer", ["mentor", "mentee"])
def test_pairing_page_query_count_does_not_grow_with_sessions(
    populate, count_queries, client, pairing, viewer, request
):
    populate(pairing, 2)
    client.force_login(request.getfixturevalue(viewer))
    url = f"/mentoring/pairings/{pairing.pk}/"
    few = count_queries(client, url)
    populate(pairing, 12)
    assert count_queries(client, url) == few


def _held_weekly(pairing, count):
    """``count`` held sessions, one a week back from last week; the latest first."""
    now = timezone.now()
    return [
        SessionFactory(
            pairing=pairing,
            starts_at=now - timedelta(days=7 * (k + 1)),
            held=True,
            shared_notes=f"Notes of week {k + 1}.",
        )
        for k in range(count)
    ]


def test_the_pairing_page_shows_the_latest_sessions_and_pages_through_older_ones(client, pairing, mentee):
    held = _held_weekly(pairing, 60)
    url = f"/mentoring/pairings/{pairing.pk}/"
    client.force_login(mentee)
    first = client.get(url)
    html = first.content.decode()
    assert [s.pk for s in first.context["page"].timeline] == [s.pk for s in held[:10]]
    assert html.count('data-testid="timeline-session"') == 10
    assert "Notes of week 1." in html and "Notes of week 11." not in html
    assert "1–10 of 60, the latest first" in html
    assert 'href="?page=2#timeline" data-testid="older-sessions"' in html
    assert 'data-testid="newer-sessions"' not in html
    # The counts are over every session, whichever page is shown.
    assert first.context["page"].stats["held"] == 60

    second = client.get(url, {"page": "2"})
    assert [s.pk for s in second.context["page"].timeline] == [s.pk for s in held[10:20]]
    assert 'href="?page=1#timeline" data-testid="newer-sessions"' in second.content.decode()
    last = client.get(url, {"page": "6"}).content.decode()
    assert "Notes of week 60." in last and 'data-testid="older-sessions"' not in last
    # Junk is the first page, past the end the last one.
    for junk, weeks in (("abc", 1), ("-3", 60), ("99999", 60), ("1e9", 1), ("", 1)):
        assert f"Notes of week {weeks}." in client.get(url, {"page": junk}).content.decode(), junk


def test_the_pairing_page_lists_the_first_planned_sessions_and_counts_the_rest(client, pairing, mentor):
    now = timezone.now()
    for k in range(8):
        SessionFactory(pairing=pairing, starts_at=now + timedelta(days=k + 1))
    for k in range(7):
        SessionFactory(pairing=pairing, starts_at=now - timedelta(days=k + 1))  # planned, never logged
    held = SessionFactory(pairing=pairing, starts_at=now - timedelta(days=30), held=True)
    for k in range(21):
        ActionItemFactory(session=held, due_in_days=k, title=f"Item due in {k} days")
    html = page(client, mentor, f"/mentoring/pairings/{pairing.pk}/")
    assert html.count('data-testid="to-log"') == 5
    assert "And 2 more planned sessions in the past to log or cancel" in html
    assert "And 3 more planned later" in html
    # The 20 open action items due first; the session's own card lists all of its items.
    sidebar = html.split('data-testid="open-action-items"')[1]
    assert sidebar.count('title="Mark done"') == 20 and "Item due in 20 days" not in sidebar
    assert 'data-testid="more-open-items"' in sidebar


@pytest.mark.parametrize("viewer", ["mentor", "mentee"])
def test_an_older_page_of_sessions_uses_the_same_queries_at_two_sizes(
    populate, count_queries, client, pairing, viewer, request
):
    client.force_login(request.getfixturevalue(viewer))
    populate(pairing, 12)
    url = f"/mentoring/pairings/{pairing.pk}/?page=2"
    few = count_queries(client, url)
    populate(pairing, 25)
    assert (few, count_queries(client, url)) == (20, 20)


# --- The session page --------------------------------------------------------------------


def test_session_page_query_count_does_not_grow(populate, count_queries, client, pairing, mentor):
    populate(pairing, 1)
    session = pairing.sessions.filter(status="held").get()
    client.force_login(mentor)
    url = f"/mentoring/sessions/{session.pk}/"
    few = count_queries(client, url)

    for _ in range(12):
        ActionItemFactory(session=session)
    populate(pairing, 5)
    assert count_queries(client, url) == few


def test_private_note_is_saved_replaced_and_deleted(client, pairing, mentor):
    session = SessionFactory(pairing=pairing, days=-2, held=True)
    client.force_login(mentor)
    url = f"/mentoring/sessions/{session.pk}/private-note/"
    client.post(url, {"body": "first"})
    client.post(url, {"body": "second"})
    assert list(PrivateNote.objects.values_list("author", "body")) == [(mentor.pk, "second")]
    client.post(url, {"body": "   "})
    assert not PrivateNote.objects.exists()


def test_a_too_long_private_note_is_a_form_error(client, pairing, mentor):
    session = SessionFactory(pairing=pairing, days=-2, held=True)
    client.force_login(mentor)
    response = client.post(f"/mentoring/sessions/{session.pk}/private-note/", {"body": "x" * 20001})
    assert response.status_code == 200
    assert response.context["note_form"].errors["body"]
    assert not PrivateNote.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, pairing):
    session = SessionFactory(pairing=pairing)
    for url in (
        "/mentoring/",
        f"/mentoring/pairings/{pairing.pk}/",
        f"/mentoring/sessions/{session.pk}/",
        "/mentoring/hr/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (
            "/mentoring/sessions/{planned}/held/",
            {"date": "2026-01-01", "start_time": "10:00", "duration_minutes": "60"},
        ),
        ("/mentoring/sessions/{held}/action-items/", {"title": "Sneaky", "due_date": "2031-01-01"}),
        ("/mentoring/sessions/{held}/notes/", {"shared_notes": "Overwritten"}),
    ],
)
def test_other_peoples_session_forms_are_404s(client, pairing, outsider, hr_browser, url, data):
    planned, held = SessionFactory(pairing=pairing, days=-1), SessionFactory(pairing=pairing, days=-3, held=True)
    url = url.format(planned=planned.pk, held=held.pk)
    for browser in (client, hr_browser):
        if browser is client:
            client.force_login(outsider)
        assert browser.get(url).status_code in (404, 405)
        assert browser.post(url, data).status_code == 404
    planned.refresh_from_db()
    held.refresh_from_db()
    assert planned.status == "scheduled" and held.shared_notes != "Overwritten" and not held.action_items.exists()


def test_a_log_form_posted_without_its_action_item_rows_is_a_form_error(client, pairing, mentor):
    client.force_login(mentor)
    response = client.post(
        f"/mentoring/pairings/{pairing.pk}/log/",
        {"date": "2026-01-01", "start_time": "10:00", "duration_minutes": "60"},
    )
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors()
    assert not pairing.sessions.exists()


@pytest.mark.parametrize("url", ["/mentoring/calendar/", "/mentoring/sessions/{planned}/cancel/"])
def test_calendar_and_cancel_pages_query_counts_do_not_grow(populate, count_queries, client, pairing, mentor, url):
    planned = SessionFactory(pairing=pairing)
    client.force_login(mentor)
    url = url.format(planned=planned.pk)
    few = count_queries(client, url)
    populate(pairing, 8)
    assert count_queries(client, url) == few
