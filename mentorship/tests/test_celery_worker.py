"""Proof of where the suite ran: a real Celery worker takes a task from Redis and
its effect lands in PostgreSQL. Skipped on the embedded defaults, unless
REQUIRE_SERVICES=1 (as in CI), where a skip would hide a broken setup."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import connection

from core import notifications
from core.models import Notification
from core.tasks import notification_email_send
from mentorship.celery import app


def require_services():
    problems = []
    if connection.vendor != "postgresql":
        problems.append(f"database is {connection.vendor}, not PostgreSQL (set DATABASE_URL)")
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        problems.append("broker is not Redis (set CELERY_BROKER_URL)")
    if problems:
        message = "; ".join(problems)
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {message}")
        pytest.skip(message)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_task_runs_in_a_real_worker_over_redis_and_writes_to_postgresql(alice):
    require_services()
    notification = notifications.notification_send(
        recipient=alice, kind="program_status", title="Hello from the worker", key="worker-proof", email=False
    )
    Notification.objects.filter(pk=notification.pk).update(email_status=Notification.EmailStatus.PENDING)
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            notification_email_send.delay(notification.pk)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                notification.refresh_from_db()
                if notification.email_status == Notification.EmailStatus.SENT:
                    break
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = True
    assert notification.email_status == Notification.EmailStatus.SENT
    assert [m.subject for m in mail.outbox] == ["[Mentoring] Hello from the worker"]
