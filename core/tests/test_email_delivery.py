"""Email delivery that drains and tells: every lost email is sent by one retry run, a
failing one is retried with backoff, then shown to HR, who can retry it."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from core import notifications
from core.models import Notification
from core.tasks import notification_emails_retry
from mentorship.tests.services import require_postgresql, terminate_backend
from people.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FAILING = "mentorship.tests.failing_email.Backend"
WORKING = "django.core.mail.backends.locmem.EmailBackend"
Status = Notification.EmailStatus


def send(user, key="welcome:1"):
    return notifications.notification_send(recipient=user, kind="program_status", title="Welcome to mentoring", key=key)


def lost_emails(recipient, count):
    """``count`` notifications whose queue messages were lost ten minutes ago."""
    ids = notifications.notifications_send_bulk(
        {"recipient_id": recipient.pk, "kind": "session_reminder", "title": f"Reminder {i}", "key": f"lost:{i}"}
        for i in range(count)
    )
    Notification.objects.filter(pk__in=ids).update(created_at=timezone.now() - timedelta(minutes=10))
    return ids


def test_five_thousand_lost_emails_are_drained_by_one_retry_run(alice):
    lost_emails(alice, 5000)

    started = time.monotonic()
    assert notification_emails_retry.delay().get() == 5000
    elapsed = time.monotonic() - started

    assert Notification.objects.filter(email_status=Status.SENT).count() == 5000
    assert len(mail.outbox) == 5000
    print(f"5,000 lost emails drained in {elapsed:.1f} s")  # see README, Background jobs


def test_an_email_pending_for_less_than_five_minutes_is_left_to_its_own_message(alice):
    send(alice)
    mail.outbox.clear()
    Notification.objects.update(email_status=Status.PENDING)
    assert notification_emails_retry() == 0


def test_a_killed_workers_claim_is_picked_up_within_minutes(alice):
    notification = send(alice)
    mail.outbox.clear()
    claimed = {"email_status": Status.SENDING, "email_attempts": 1}
    Notification.objects.update(**claimed, email_claimed_at=timezone.now() - timedelta(minutes=2))
    assert notification_emails_retry() == 0  # a worker may still be sending it
    Notification.objects.update(email_claimed_at=timezone.now() - notifications.STALE_CLAIM - timedelta(seconds=1))
    assert notification_emails_retry() == 1
    assert [m.to for m in mail.outbox] == [[alice.email]]
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (Status.SENT, 2)


def test_a_failing_email_backs_off_then_fails_after_five_attempts(alice, settings):
    settings.EMAIL_BACKEND = FAILING
    notification = send(alice)
    assert notifications.notification_email_deliver(notification_id=notification.pk) is False  # attempt 1
    waits = []
    for attempt in range(2, 6):
        notification.refresh_from_db()
        assert (notification.email_status, notification.email_attempts) == (Status.PENDING, attempt - 1)
        waits.append(round((notification.email_retry_at - timezone.now()).total_seconds() / 60))
        assert notification_emails_retry() == 0  # not due yet: no hammering of a broken server
        Notification.objects.update(email_retry_at=timezone.now())  # the wait is over
        assert notification_emails_retry() == 1
    notification.refresh_from_db()
    assert waits == [2, 10, 30, 120]
    assert (notification.email_status, notification.email_attempts) == (Status.FAILED, 5)
    assert "SMTP server unreachable" in notification.email_last_error
    assert notification_emails_retry() == 0  # never tried a sixth time by itself
    assert mail.outbox == []


def test_a_dead_workers_claim_on_the_last_attempt_is_failed_not_tried_again(alice):
    send(alice)
    mail.outbox.clear()
    Notification.objects.update(
        email_status=Status.SENDING, email_attempts=5, email_claimed_at=timezone.now() - timedelta(hours=1)
    )
    assert notification_emails_retry() == 0
    assert Notification.objects.get().email_status == Status.FAILED
    assert mail.outbox == []


@pytest.fixture
def failed_email(alice, settings):
    settings.EMAIL_BACKEND = FAILING
    notification = send(alice)
    Notification.objects.filter(pk=notification.pk).update(
        email_status=Status.FAILED, email_attempts=5, email_last_error="ConnectionRefusedError: SMTP server unreachable"
    )
    settings.EMAIL_BACKEND = WORKING
    return notification


def test_hr_sees_the_failed_email_count_and_list_and_retries_it(
    hr_client, failed_email, alice, django_capture_on_commit_callbacks
):
    home = hr_client.get("/").content.decode()
    assert "1 email could not be delivered after every attempt." in home

    page = hr_client.get(reverse("failed_email_list")).content.decode()
    assert "Welcome to mentoring" in page and alice.email in page and "SMTP server unreachable" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(reverse("failed_email_retry"), {"notification": failed_email.pk})
    assert response.status_code == 302 and response.url == reverse("failed_email_list")
    assert [m.to for m in mail.outbox] == [[alice.email]]
    failed_email.refresh_from_db()
    assert failed_email.email_status == Status.SENT
    assert "could not be delivered" not in hr_client.get("/").content.decode()
    assert 'data-testid="no-failed-emails"' in hr_client.get(reverse("failed_email_list")).content.decode()


def test_hr_retries_all_failed_emails(hr_client, failed_email, bob, django_capture_on_commit_callbacks):
    other = send(bob, key="welcome:2")
    Notification.objects.filter(pk=other.pk).update(email_status=Status.FAILED, email_attempts=5)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(reverse("failed_email_retry"))
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bob@example.com"]


def test_the_home_page_of_non_hr_people_says_nothing_about_failed_emails(client, failed_email, alice):
    client.force_login(alice)
    assert "could not be delivered" not in client.get("/").content.decode()


@pytest.mark.parametrize("who", ["alice", "owner"])
def test_only_hr_opens_failed_emails_or_retries_them(
    client, failed_email, who, request, django_capture_on_commit_callbacks
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("failed_email_list")).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("failed_email_retry"), {"notification": failed_email.pk}).status_code == 403
        assert client.post(reverse("failed_email_retry")).status_code == 403
    failed_email.refresh_from_db()
    assert failed_email.email_status == Status.FAILED
    assert mail.outbox == []


def test_anonymous_visitors_are_sent_to_sign_in(client, failed_email):
    response = client.get(reverse("failed_email_list"))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("count", [2, 30])
def test_failed_email_list_query_count_does_not_grow(hr_client, count, django_assert_num_queries):
    recipients = UserFactory.create_batch(3)
    for i in range(count):
        notifications.notification_send(
            recipient=recipients[i % 3], kind="program_status", title=f"Failed {i}", key=f"f{i}", email=False
        )
    Notification.objects.update(email_status=Status.FAILED, email_attempts=5)
    # session, user, time zone, savepoint pair (ATOMIC_REQUESTS), count, page with recipients, nav (2)
    with django_assert_num_queries(9):
        assert hr_client.get(reverse("failed_email_list")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_database_connection_lost_after_the_smtp_send_does_not_send_twice(alice):
    """The "sent" UPDATE fails once (the connection dropped): it is retried on a new
    connection, so the claim never goes stale and nobody gets the email twice."""
    notification = notifications.notification_send(
        recipient=alice, kind="program_status", title="Once only", key="once", email=False
    )
    Notification.objects.filter(pk=notification.pk).update(email_status=Status.PENDING)
    mail.outbox.clear()
    failures = []

    def drop_once(execute, sql, params, many, context):
        if sql.startswith("UPDATE") and Status.SENT.value in (params or ()) and not failures:
            failures.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop_once):
        assert notifications.notification_email_deliver(notification_id=notification.pk) is True

    assert len(failures) == 1
    assert Notification.objects.get(pk=notification.pk).email_status == Status.SENT
    assert [m.subject for m in mail.outbox] == ["[Mentoring] Once only"]
    Notification.objects.filter(pk=notification.pk).update(email_claimed_at=timezone.now() - timedelta(hours=1))
    assert notification_emails_retry() == 0
    assert len(mail.outbox) == 1


class DisconnectingBackend(locmem.EmailBackend):
    """An SMTP server that takes the email, and meanwhile the database drops the worker's connection."""

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        terminate_backend(connection.connection.get_backend_pid())
        return sent


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_postgresql_dropping_the_connection_after_the_smtp_send_does_not_send_twice(alice, settings):
    require_postgresql()
    notification = notifications.notification_send(
        recipient=alice, kind="program_status", title="Once only", key="once", email=False
    )
    Notification.objects.filter(pk=notification.pk).update(email_status=Status.PENDING)
    settings.EMAIL_BACKEND = "core.tests.test_email_delivery.DisconnectingBackend"

    assert notifications.notification_email_deliver(notification_id=notification.pk) is True

    settings.EMAIL_BACKEND = WORKING
    Notification.objects.filter(pk=notification.pk).update(email_claimed_at=timezone.now() - timedelta(hours=1))
    assert Notification.objects.get(pk=notification.pk).email_status == Status.SENT
    assert notification_emails_retry() == 0
    assert [m.subject for m in mail.outbox] == ["[Mentoring] Once only"]
