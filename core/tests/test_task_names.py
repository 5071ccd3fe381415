"""An upgrade loses no queued work: tasks queued under the names they had before the shared
services became the core app still run."""

import pytest
from celery import current_app

from core import tasks
from core.models import Notification
from people.tests.factories import UserFactory


def test_every_old_task_name_is_registered_and_runs_the_same_code():
    registered = current_app.tasks
    for old, new in (
        ("mentorship.tasks.notification_email_send", "core.tasks.notification_email_send"),
        ("mentorship.tasks.notification_emails_send_batch", "core.tasks.notification_emails_send_batch"),
        ("mentorship.tasks.deferred_tasks_requeue", "core.tasks.deferred_tasks_requeue"),
    ):
        assert old in registered and new in registered
        assert registered[old].run.__code__ is registered[new].run.__code__  # the same function


@pytest.mark.django_db
def test_an_email_queued_under_its_old_name_is_sent(mailoutbox):
    user = UserFactory(email="old.queue@example.com")
    notification = Notification.objects.create(
        recipient=user, kind="program_status", title="Queued before the upgrade", idempotency_key="old-queue:1"
    )
    current_app.tasks["mentorship.tasks.notification_email_send"].apply(args=[notification.pk]).get()
    assert [m.to for m in mailoutbox] == [["old.queue@example.com"]]
    assert tasks.LEGACY_NAMES  # the aliases live in core/tasks.py
