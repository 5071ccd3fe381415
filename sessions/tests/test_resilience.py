"""Mentoring pages and sweeps when the broker is down: what was saved stays saved, the
page answers normally, and the emails go out once the broker is back."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.models import DeferredTask, Notification
from core.tasks import deferred_tasks_requeue
from matching.tests.factories import PairingFactory
from mentorship.tests.broker import broker_down
from people.tests.factories import MemberFactory
from sessions import reminders
from sessions.models import MentoringSession
from sessions.tests.factories import SessionFactory
from sessions.tests.test_logging import log_data
from surveys.models import SurveyInvitation
from surveys.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_logging_a_session_while_the_broker_is_down_saves_it_and_emails_once_it_is_back(
    client, pairing, mentor, mentee
):
    SurveyFactory(program=pairing.program, trigger="session_held", title="How was your session?")
    client.force_login(mentor)

    with broker_down():
        response = client.post(f"/mentoring/pairings/{pairing.pk}/log/", log_data(pairing))

    session = MentoringSession.objects.get()
    assert response.status_code == 302
    assert response.url == f"/mentoring/pairings/{pairing.pk}/#session-{session.pk}"
    assert session.status == MentoringSession.Status.HELD
    assert Notification.objects.get(recipient=mentee).kind == "session_logged"
    assert SurveyInvitation.objects.count() == 2
    assert mail.outbox == []
    assert DeferredTask.objects.count() == 3  # the partner's email, the pulse invitations, the pair's health

    deferred_tasks_requeue.delay()  # the broker is back: the job that runs every minute

    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert sent == sorted(
        [
            (mentee.email, "[Mentoring] Please answer: How was your session?"),
            (mentee.email, f"[Mentoring] {Notification.objects.get(kind='session_logged').title}"),
            (mentor.email, "[Mentoring] Please answer: How was your session?"),
        ]
    )
    assert not DeferredTask.objects.exists()
    deferred_tasks_requeue.delay()  # running it again sends nothing more
    assert len(mail.outbox) == 3


def test_a_reminder_sweep_finishes_every_batch_while_the_broker_is_down(program, pairing):
    other = PairingFactory(
        active=True,
        program=program,
        mentor__person=MemberFactory(email="ann@example.com", first_name="Ann").person,
        mentee__person=MemberFactory(email="ben@example.com", first_name="Ben").person,
    )
    for each in (pairing, other):
        SessionFactory(pairing=each, starts_at=timezone.now() + timedelta(hours=20))

    with broker_down():
        assert reminders.session_reminders_send(batch_size=1) == 4  # two batches, both done

    assert set(MentoringSession.objects.values_list("reminded_sequence", flat=True)) == {0}
    assert DeferredTask.objects.count() == 2  # one email batch per sweep batch
    deferred_tasks_requeue.delay()
    assert len(mail.outbox) == 4
