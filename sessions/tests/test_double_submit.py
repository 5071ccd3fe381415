"""A double click on a mentoring form (log, schedule, action item, resource) saves once:
the second POST gets the first one's redirect, whether it comes after it or with it."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from core.models import Notification
from mentorship.tests.services import require_postgresql
from mentorship.tests.submission import form_token, post_twice
from sessions import services
from sessions.models import ActionItem, MentoringSession, Resource
from sessions.tests.factories import SessionFactory
from sessions.tests.test_logging import log_data
from sessions.tests.test_scheduling import schedule_data
from surveys.models import SurveyInstance
from surveys.tests.factories import SurveyFactory


@pytest.mark.django_db
def test_a_double_clicked_session_log_saves_one_session_and_opens_one_survey_round(
    client, pairing, mentor, mentee, django_capture_on_commit_callbacks
):
    SurveyFactory(program=pairing.program, trigger="session_held", title="How was your session?")
    client.force_login(mentor)
    url = f"/mentoring/pairings/{pairing.pk}/log/"

    with django_capture_on_commit_callbacks(execute=True):
        first, second = post_twice(client, url, log_data(pairing), form_token(client, url, "log-form"))

    session = MentoringSession.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == f"/mentoring/pairings/{pairing.pk}/#session-{session.pk}"
    assert ActionItem.objects.count() == 2
    assert SurveyInstance.objects.count() == 1
    assert Notification.objects.filter(recipient=mentee, kind="session_logged").count() == 1
    assert "You sent this form twice: it was handled once." in client.get(second.url).content.decode()


@pytest.mark.django_db
def test_a_log_with_errors_can_be_corrected_and_sent_with_the_same_form(client, pairing, mentor):
    client.force_login(mentor)
    url = f"/mentoring/pairings/{pairing.pk}/log/"
    token = form_token(client, url, "log-form")
    bad = client.post(url, {**log_data(pairing, duration_minutes="0"), "submission_token": token})
    assert bad.status_code == 200 and not MentoringSession.objects.exists()
    good = client.post(url, {**log_data(pairing), "submission_token": token})
    assert good.status_code == 302 and MentoringSession.objects.count() == 1


@pytest.mark.django_db
def test_a_double_clicked_schedule_plans_one_session(client, pairing, mentor):
    client.force_login(mentor)
    url = f"/mentoring/pairings/{pairing.pk}/schedule/"
    first, second = post_twice(client, url, schedule_data(), form_token(client, url, "session-form"))
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert MentoringSession.objects.count() == 1


@pytest.mark.django_db
def test_a_double_clicked_action_item_is_added_once(client, pairing, mentor):
    session = SessionFactory(pairing=pairing, days=-3, held=True)
    client.force_login(mentor)
    token = form_token(client, f"/mentoring/sessions/{session.pk}/", "action-item-form")
    data = {
        "title": "Book the room",
        "owner": pairing.mentee.person_id,
        "due_date": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }
    first, second = post_twice(client, f"/mentoring/sessions/{session.pk}/action-items/", data, token)
    assert first.status_code == second.status_code == 302
    assert ActionItem.objects.count() == 1


@pytest.mark.django_db
def test_a_double_clicked_resource_is_recommended_once(client, pairing, mentor, mentee):
    client.force_login(mentor)
    url = f"/mentoring/pairings/{pairing.pk}/resources/new/"
    data = {"title": "Talk Like TED", "kind": "book", "url": "https://example.com/ted", "note": ""}
    first, second = post_twice(client, url, data, form_token(client, url, "resource-form"))
    assert first.status_code == second.status_code == 302
    assert Resource.objects.count() == 1
    assert Notification.objects.filter(recipient=mentee).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_identical_logs_at_the_same_moment_save_one_session(pairing, mentor, monkeypatch):
    """Two browsers' POSTs with one token, in two threads (two connections, two transactions)
    on PostgreSQL: the second waits on the token's unique index, then answers like the first."""
    require_postgresql()
    url = f"/mentoring/pairings/{pairing.pk}/log/"
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.force_login(mentor)
    data = {**log_data(pairing), "submission_token": form_token(browsers[0], url, "log-form")}
    original = services.session_log

    def slow_session_log(**kwargs):
        time.sleep(0.5)  # both requests are in flight while the first one saves
        return original(**kwargs)

    monkeypatch.setattr(services, "session_log", slow_session_log)
    start = threading.Barrier(2)
    responses = [None, None]

    def post(i):
        try:
            start.wait()
            responses[i] = browsers[i].post(url, data)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    elapsed = time.monotonic() - started

    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0].url == responses[1].url
    assert MentoringSession.objects.count() == 1
    assert ActionItem.objects.count() == 2
    assert elapsed < 1.5  # they overlapped: one slow save, not two
