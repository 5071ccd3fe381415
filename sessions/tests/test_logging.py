"""Logging a held session: notes, topics, goals discussed, action items; and ticking them off."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.models import Notification
from goals.tests.factories import GoalFactory
from matching.tests.factories import PairingFactory
from people.tests.factories import MemberFactory
from sessions.models import ActionItem, MentoringSession, PrivateNote
from sessions.tests.factories import ActionItemFactory, SessionFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def past_day(days=3):
    return (timezone.now() - timedelta(days=days)).astimezone(BERLIN).date()


def log_data(pairing, **overrides):
    data = {
        "date": past_day().isoformat(),
        "start_time": "09:30",
        "duration_minutes": "50",
        "format": "video",
        "topics": ["career", "feedback"],
        "topics_other": "Salary talk",
        "shared_notes": "Agreed on a plan for the promotion case.",
        "private_note": "Seemed tired.",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "10",
        "items-0-title": "Write the promotion case",
        "items-0-owner": str(pairing.mentee.person_id),
        "items-0-due_date": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "items-1-title": "Introduce Milo to the VP",
        "items-1-owner": str(pairing.mentor.person_id),
        "items-1-due_date": (timezone.localdate() + timedelta(days=5)).isoformat(),
        # An untouched row (with the pre-filled owner and date) is ignored.
        "items-2-title": "",
        "items-2-owner": str(pairing.mentee.person_id),
        "items-2-due_date": (timezone.localdate() + timedelta(days=14)).isoformat(),
    }
    return {**data, **overrides}


def test_log_a_held_session_with_everything(client, pairing, mentor, mentee):
    goal = GoalFactory(enrollment=pairing.mentee)
    client.force_login(mentor)
    response = client.post(f"/mentoring/pairings/{pairing.pk}/log/", {**log_data(pairing), "goals": [goal.pk]})
    assert response.status_code == 302
    session = MentoringSession.objects.get()
    assert session.status == MentoringSession.Status.HELD
    assert session.starts_at.astimezone(BERLIN).strftime("%H:%M") == "09:30"
    assert session.duration_minutes == 50
    assert session.topic_labels == ["Career", "Feedback", "Salary talk"]
    assert list(session.goals_discussed.all()) == [goal]
    assert PrivateNote.objects.get().author == mentor
    assert sorted(ActionItem.objects.values_list("title", "owner")) == [
        ("Introduce Milo to the VP", pairing.mentor.person_id),
        ("Write the promotion case", pairing.mentee.person_id),
    ]
    note = Notification.objects.get(recipient=mentee)
    assert note.kind == "session_logged" and note.body == "2 action item(s) recorded."


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date": "2099-01-01"}, "start_time", "can't be in the future"),
        ({"duration_minutes": "0"}, "duration_minutes", "at least one minute"),
        ({"duration_minutes": "-30"}, "duration_minutes", "at least one minute"),
        ({"duration_minutes": "481"}, "duration_minutes", "at most 8 hours"),
        ({"duration_minutes": "ninety"}, "duration_minutes", "whole number"),
        ({"topics": ["career", "astrology"]}, "topics", "Select a valid choice"),
        ({"date": ""}, "date", "required"),
    ],
)
def test_bad_log_input_is_a_form_error_and_nothing_is_saved(client, pairing, mentor, overrides, field, message):
    client.force_login(mentor)
    response = client.post(f"/mentoring/pairings/{pairing.pk}/log/", log_data(pairing, **overrides))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field]), response.context["form"].errors
    assert not MentoringSession.objects.exists() and not ActionItem.objects.exists()
    assert not Notification.objects.exists()


def test_an_action_item_owner_outside_the_pairing_is_refused(client, pairing, mentor, outsider):
    client.force_login(mentor)
    response = client.post(
        f"/mentoring/pairings/{pairing.pk}/log/", log_data(pairing, **{"items-0-owner": str(outsider.person.pk)})
    )
    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors["owner"]
    assert errors == ["The owner must be the mentor or the mentee of this pairing."]
    assert not MentoringSession.objects.exists()


def test_an_action_item_without_a_due_date_is_refused(client, pairing, mentor):
    client.force_login(mentor)
    response = client.post(f"/mentoring/pairings/{pairing.pk}/log/", log_data(pairing, **{"items-0-due_date": ""}))
    assert response.context["formset"].forms[0].errors["due_date"] == ["Give a due date."]
    assert not MentoringSession.objects.exists()


def test_another_mentees_goal_cannot_be_linked(client, program, pairing, mentor):

    foreign = GoalFactory(
        enrollment=PairingFactory(
            active=True,
            program=program,
            mentor__person=MemberFactory(email="a@example.com").person,
            mentee__person=MemberFactory(email="b@example.com").person,
        ).mentee
    )
    client.force_login(mentor)
    response = client.post(f"/mentoring/pairings/{pairing.pk}/log/", {**log_data(pairing), "goals": [foreign.pk]})
    assert response.context["form"].errors["goals"]
    assert not MentoringSession.objects.exists()


def test_a_planned_session_is_logged_as_held_once(client, pairing, mentor, mentee):
    session = SessionFactory(pairing=pairing, starts_at=timezone.now() - timedelta(hours=2))
    client.force_login(mentee)
    page = client.get(f"/mentoring/pairings/{pairing.pk}/").content.decode()
    assert 'data-testid="to-log"' in page
    form = client.get(f"/mentoring/sessions/{session.pk}/held/").context["form"]
    assert form.initial["duration_minutes"] == 60
    data = log_data(pairing, date=past_day(0).isoformat())
    data["start_time"] = session.starts_at.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M")
    data["date"] = session.starts_at.astimezone(ZoneInfo("America/New_York")).date().isoformat()
    assert client.post(f"/mentoring/sessions/{session.pk}/held/", data).status_code == 302
    session.refresh_from_db()
    assert session.status == MentoringSession.Status.HELD and session.logged_by == mentee
    assert ActionItem.objects.count() == 2
    # A second submission (double click, or the mentor at the same time) changes nothing.
    client.force_login(mentor)
    assert client.post(f"/mentoring/sessions/{session.pk}/held/", data).status_code == 302
    assert ActionItem.objects.count() == 2
    assert Notification.objects.filter(kind="session_logged").count() == 1


def test_a_planned_session_in_the_future_cannot_be_logged_as_held(client, pairing, mentor):
    session = SessionFactory(pairing=pairing, days=3)
    client.force_login(mentor)
    data = log_data(pairing, date=(timezone.now() + timedelta(days=3)).astimezone(BERLIN).date().isoformat())
    response = client.post(f"/mentoring/sessions/{session.pk}/held/", data)
    assert response.status_code == 200
    assert "can't be in the future" in response.context["form"].errors["start_time"][0]
    session.refresh_from_db()
    assert session.status == MentoringSession.Status.SCHEDULED


def test_both_edit_the_shared_notes_and_topics(client, pairing, mentee):
    session = SessionFactory(pairing=pairing, days=-3, held=True)
    client.force_login(mentee)
    response = client.post(
        f"/mentoring/sessions/{session.pk}/notes/",
        {"topics": ["wellbeing"], "topics_other": "", "shared_notes": "Updated by Milo"},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.shared_notes == "Updated by Milo" and session.topics == ["wellbeing"]


def test_bad_notes_input_is_a_form_error(client, pairing, mentee):
    session = SessionFactory(pairing=pairing, days=-3, held=True)
    client.force_login(mentee)
    response = client.post(
        f"/mentoring/sessions/{session.pk}/notes/", {"topics": ["nonsense"], "shared_notes": "Should not stick"}
    )
    assert response.status_code == 200 and response.context["form"].errors["topics"]
    session.refresh_from_db()
    assert session.shared_notes != "Should not stick"


@pytest.mark.parametrize("goal_id", ["99999999999999999999", "-1", "abc"])
def test_a_goal_id_no_database_can_hold_is_a_form_error(client, pairing, mentee, goal_id):
    session = SessionFactory(pairing=pairing, days=-3, held=True)
    client.force_login(mentee)
    response = client.post(
        f"/mentoring/sessions/{session.pk}/notes/", {"goals": [goal_id], "shared_notes": "Should not stick"}
    )
    assert response.status_code == 200 and response.context["form"].errors["goals"]
    session.refresh_from_db()
    assert session.shared_notes != "Should not stick"


def test_notes_of_a_planned_session_redirect(client, pairing, mentee):
    session = SessionFactory(pairing=pairing)
    client.force_login(mentee)
    assert client.get(f"/mentoring/sessions/{session.pk}/notes/").status_code == 302


def test_log_and_notes_forms_query_counts_are_constant(count_queries, client, pairing, mentor):
    held = SessionFactory(pairing=pairing, days=-3, held=True)
    planned = SessionFactory(pairing=pairing, days=-1)
    client.force_login(mentor)
    urls = [
        f"/mentoring/pairings/{pairing.pk}/log/",
        f"/mentoring/sessions/{planned.pk}/held/",
        f"/mentoring/sessions/{held.pk}/notes/",
    ]
    few = [count_queries(client, url) for url in urls]
    for i in range(12):
        GoalFactory(enrollment=pairing.mentee, title=f"Goal {i}")
        ActionItemFactory(session=SessionFactory(pairing=pairing, days=-10 - i, held=True))
    assert [count_queries(client, url) for url in urls] == few


# --- Action items ------------------------------------------------------------------------


def test_either_person_ticks_an_action_item_off_and_reopens_it(client, pairing, mentor, mentee):
    item = ActionItemFactory(session=SessionFactory(pairing=pairing, days=-3, held=True), owner=mentee.person)
    client.force_login(mentor)
    response = client.post(f"/mentoring/action-items/{item.pk}/toggle/", {"done": "1"})
    assert response.status_code == 302 and response["Location"].endswith("#action-items")
    item.refresh_from_db()
    assert item.is_done and item.done_by == mentor
    client.force_login(mentee)
    client.post(f"/mentoring/action-items/{item.pk}/toggle/", {"done": "0", "next": "https://evil.example.com/"})
    item.refresh_from_db()
    assert not item.is_done


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/mentoring/", "/mentoring/"),
        ("abc", "#action-items"),  # not a path: was a 500 (redirect() took it for a view name)
        ("https://evil.example.com/", "#action-items"),
        ("//evil.example.com/", "#action-items"),
    ],
)
def test_ticking_an_item_goes_back_only_to_a_path_on_this_site(client, pairing, mentor, next_url, location):
    item = ActionItemFactory(session=SessionFactory(pairing=pairing, days=-3, held=True))
    client.force_login(mentor)
    response = client.post(f"/mentoring/action-items/{item.pk}/toggle/", {"done": "1", "next": next_url})
    assert response.status_code == 302 and response["Location"].endswith(location)
    item.refresh_from_db()
    assert item.is_done


def test_another_pairings_action_item_is_a_404(client, hr_browser, pairing, outsider):
    item = ActionItemFactory(session=SessionFactory(pairing=pairing, days=-3, held=True))
    client.force_login(outsider)
    assert client.post(f"/mentoring/action-items/{item.pk}/toggle/", {"done": "1"}).status_code == 404
    assert hr_browser.post(f"/mentoring/action-items/{item.pk}/toggle/", {"done": "1"}).status_code == 404
    item.refresh_from_db()
    assert not item.is_done


def test_add_an_action_item_on_the_session_page(client, pairing, mentor):
    session = SessionFactory(pairing=pairing, days=-3, held=True)
    client.force_login(mentor)
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    url = f"/mentoring/sessions/{session.pk}/action-items/"
    response = client.post(url, {"title": "Book a room", "owner": pairing.mentor.person_id, "due_date": due})
    assert response.status_code == 302
    assert ActionItem.objects.get().title == "Book a room"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "due_date": "2031-01-01"}, "title"),
        ({"title": "Something", "due_date": "not a date"}, "due_date"),
        ({"title": "Something", "due_date": ""}, "due_date"),
        ({"title": "Something", "due_date": "2031-01-01", "owner": "999999"}, "owner"),
        ({"title": "Something", "due_date": "2031-01-01", "owner": "abc"}, "owner"),
    ],
)
def test_bad_action_item_input_is_a_form_error(client, pairing, mentor, data, field):
    session = SessionFactory(pairing=pairing, days=-3, held=True)
    client.force_login(mentor)
    response = client.post(
        f"/mentoring/sessions/{session.pk}/action-items/", {"owner": pairing.mentee.person_id, **data}
    )
    assert response.status_code == 200
    assert response.context["item_form"].errors[field]
    assert not ActionItem.objects.exists()


def test_logging_a_held_session_sends_the_post_session_pulse_to_both(
    client, pairing, mentor, django_capture_on_commit_callbacks
):
    from surveys.models import SurveyInvitation
    from surveys.tests.factories import SurveyFactory

    SurveyFactory(program=pairing.program, trigger="session_held", title="How was your session?")
    client.force_login(mentor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/mentoring/pairings/{pairing.pk}/log/", log_data(pairing))
    assert response.status_code == 302
    invited = set(SurveyInvitation.objects.values_list("enrollment_id", flat=True))
    assert invited == {pairing.mentor_id, pairing.mentee_id}
