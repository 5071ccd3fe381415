"""The notification service: in-app + email, exactly once per idempotency key."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core import notifications
from core.models import Notification
from core.tasks import notification_email_send, notification_emails_retry

pytestmark = pytest.mark.django_db


def send(user, key="welcome:1", **kwargs):
    return notifications.notification_send(
        recipient=user, kind="program_status", title="Welcome to mentoring", key=key, body="Hello!", url="/", **kwargs
    )


def test_notification_is_stored_and_emailed_after_commit(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = send(alice)
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]
    assert "Welcome to mentoring" in mail.outbox[0].subject
    assert "http://127.0.0.1:8000/" in mail.outbox[0].body
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT


def test_same_key_twice_notifies_once(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = send(alice)
        second = send(alice)
    assert first is not None and second is None
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_email_can_be_turned_off(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(alice, email=False)
    assert Notification.objects.get().email_status == Notification.EmailStatus.SKIPPED
    assert mail.outbox == []


def test_delivering_twice_sends_one_email(alice):
    notification = send(alice)
    assert notifications.notification_email_deliver(notification_id=notification.pk) is True
    assert notifications.notification_email_deliver(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_a_dead_workers_claim_is_retried_after_it_goes_stale(alice):
    notification = send(alice)
    Notification.objects.filter(pk=notification.pk).update(
        email_status=Notification.EmailStatus.SENDING, email_claimed_at=timezone.now() - timedelta(minutes=1)
    )
    assert notification_emails_retry() == 0  # a live claim is left alone
    Notification.objects.filter(pk=notification.pk).update(email_claimed_at=timezone.now() - timedelta(hours=1))
    assert notification_emails_retry() == 1
    assert len(mail.outbox) == 1


def test_a_failed_email_is_retried(alice, settings):
    notification = send(alice)
    settings.EMAIL_BACKEND = "mentorship.tests.failing_email.Backend"
    assert notifications.notification_email_deliver(notification_id=notification.pk) is False
    assert Notification.objects.get().email_status == Notification.EmailStatus.PENDING  # to try again later
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.update(email_retry_at=timezone.now())  # its backoff is over
    notification_emails_retry()
    assert Notification.objects.get().email_status == Notification.EmailStatus.SENT
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("bad_id", [None, "abc", -3, {"email": "x@y"}, 999999])
def test_task_with_a_bad_argument_does_nothing(bad_id):
    assert notification_email_send(bad_id) is False


def test_notifications_page_lists_only_my_notifications(client, alice, bob):
    send(alice, key="a", email=False)
    notifications.notification_send(recipient=bob, kind="program_status", title="Bob's secret", key="b", email=False)
    client.force_login(alice)
    page = client.get(reverse("notification_list")).content.decode()
    assert "Welcome to mentoring" in page
    assert "Bob" not in page
    assert 'data-testid="unread-count">1<' in page


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, alice):
    notification = send(alice, email=False)
    client.force_login(alice)
    response = client.post(reverse("notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response.url == "/"
    notification.refresh_from_db()
    assert notification.is_read
    assert 'data-testid="unread-count"' not in client.get("/").content.decode()


def test_opening_someone_elses_notification_is_404(client, alice, bob):
    notification = send(bob, email=False)
    client.force_login(alice)
    assert client.post(reverse("notification_open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert not notification.is_read


def test_external_link_in_a_notification_is_not_followed(client, alice):
    notification = notifications.notification_send(
        recipient=alice, kind="program_status", title="t", key="ext", url="https://evil.example/", email=False
    )
    client.force_login(alice)
    response = client.post(reverse("notification_open", args=[notification.pk]))
    assert response.url == reverse("notification_list")


def test_mark_all_read(client, alice, bob):
    for i in range(3):
        send(alice, key=f"k{i}", email=False)
    send(bob, key="bob", email=False)
    client.force_login(alice)
    client.post(reverse("notification_mark_all_read"))
    assert Notification.objects.for_user(alice).unread().count() == 0
    assert Notification.objects.for_user(bob).unread().count() == 1


@pytest.mark.parametrize("count", [2, 40])
def test_notifications_page_query_count_does_not_grow(client, alice, count, django_assert_num_queries):
    for i in range(count):
        send(alice, key=f"n{i}", email=False)
    client.force_login(alice)
    # session, user, time zone, savepoint pair (ATOMIC_REQUESTS), count, page, nav (roles, owner, unread)
    with django_assert_num_queries(10):
        assert client.get(reverse("notification_list")).status_code == 200


@pytest.mark.parametrize("page", ["2", "abc", "-1", "99999"])
def test_bad_page_numbers_are_not_errors(client, alice, page):
    notifications.notification_send(
        recipient=alice, kind="program_status", title="The only notification", key="only-one", url="/", email=False
    )
    client.force_login(alice)
    response = client.get(reverse("notification_list"), {"page": page})
    assert response.status_code == 200
    # Junk shows the first page, a number past the end the last: either way the one notification.
    assert "The only notification" in response.content.decode()


def test_an_unknown_kind_is_refused_and_nothing_is_saved(alice):
    with pytest.raises(ValueError, match="Unknown notification kind 'welcome'"):
        notifications.notification_send(recipient=alice, kind="welcome", title="t", key="k")
    with pytest.raises(ValueError, match="Unknown notification kind"):
        notifications.notifications_send_bulk([{"recipient_id": alice.pk, "kind": "", "title": "t", "key": "k2"}])
    assert not Notification.objects.exists()


@pytest.mark.django_db(False)
def test_every_kind_the_code_sends_is_declared():
    """Each ``kind=`` passed to the notification services in the apps is a ``Notification.Kind``."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = set()
    for path in root.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts or path.parts[-2] == "bench":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            attribute = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
            if (
                attribute
                and node.attr.isupper()
                and node.value.attr == "Kind"
                and isinstance(node.value.value, ast.Name)
                and node.value.value.id == "Notification"
            ):
                found.add(node.attr)
    assert found, "no Notification.Kind used anywhere"
    assert found <= set(Notification.Kind.names)
    # Every declared kind is sent somewhere (none left over from removed features).
    assert set(Notification.Kind.names) <= found
