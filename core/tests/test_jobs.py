"""Queueing after commit: a broker that is down never fails a committed write, and what
it refused is sent by the requeue job once it is back."""

import pytest
from django.core import mail
from django.db import OperationalError, connection, transaction

from core import jobs, notifications
from core.models import DeferredTask, Notification
from core.tasks import deferred_tasks_requeue, notification_email_send
from mentorship.celery import app
from mentorship.tests.broker import broker_down


def send(user, key="welcome:1"):
    return notifications.notification_send(recipient=user, kind="program_status", title="Welcome", key=key)


@pytest.mark.django_db(transaction=True)
def test_a_notification_made_while_the_broker_is_down_is_emailed_once_it_is_back(alice):
    with broker_down():
        with transaction.atomic():
            notification = send(alice)
        # Committed, nothing raised: the message waits in DeferredTask.
        assert Notification.objects.filter(pk=notification.pk).exists()
        assert mail.outbox == []
        deferred = DeferredTask.objects.get()
        assert (deferred.task_name, deferred.args) == (notification_email_send.name, [notification.pk])
        assert "OperationalError" in deferred.last_error

        # The requeue job running while the broker is still down keeps the row.
        assert jobs.deferred_tasks_requeue() == 0
        assert DeferredTask.objects.get().attempts == 1

    assert deferred_tasks_requeue.delay().get() == 1
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert not DeferredTask.objects.exists()
    assert Notification.objects.get().email_status == Notification.EmailStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_queues_nothing(alice):
    with broker_down(), pytest.raises(RuntimeError), transaction.atomic():
        send(alice)
        raise RuntimeError("the request failed after creating the notification")
    assert not DeferredTask.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_requeue_sends_in_order_and_drops_tasks_that_no_longer_exist(alice):
    first, second = send(alice, "a"), send(alice, "b")
    Notification.objects.update(email_status=Notification.EmailStatus.PENDING)
    mail.outbox.clear()
    DeferredTask.objects.create(task_name=notification_email_send.name, args=[first.pk])
    DeferredTask.objects.create(task_name="core.tasks.renamed_long_ago", args=[1])
    DeferredTask.objects.create(task_name=notification_email_send.name, args=[second.pk])

    assert jobs.deferred_tasks_requeue() == 2

    assert len(mail.outbox) == 2
    assert not DeferredTask.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_task_that_loses_its_database_connection_is_retried_and_applies_once(alice):
    notification = notifications.notification_send(
        recipient=alice, kind="program_status", title="Hi", key="k", email=False
    )
    Notification.objects.filter(pk=notification.pk).update(email_status=Notification.EmailStatus.PENDING)
    dropped = []

    def drop_first_query(execute, sql, params, many, context):
        if not dropped:
            dropped.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    # Inline (tests are eager) Celery only follows a retry when errors don't propagate.
    app.conf.task_eager_propagates = False
    try:
        with connection.execute_wrapper(drop_first_query):
            result = notification_email_send.delay(notification.pk)
    finally:
        app.conf.task_eager_propagates = True
    assert result.get() is True

    assert len(dropped) == 1
    assert [m.subject for m in mail.outbox] == ["[Mentoring] Hi"]
    assert Notification.objects.get().email_status == Notification.EmailStatus.SENT
