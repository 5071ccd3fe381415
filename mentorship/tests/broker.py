"""A broker that is down, for tests: Celery points at a closed port, as when Redis is stopped."""

import os
from contextlib import contextmanager

from core import jobs
from mentorship.celery import app

# Port 1 (tcpmux) is never served on a test machine: every connection is refused at once.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def _reset_connections() -> None:
    # Drop pooled connections made for the previous broker.
    app._pool = None
    app.amqp._producer_pool = None
    jobs.broker_pause_clear()


@contextmanager
def broker_down():
    """Inside the block tasks are really sent (not run inline) to a broker that refuses
    every connection; leaving it brings the broker "back" (tasks run inline again)."""
    # Celery reads the CELERY_BROKER_URL environment variable before its setting (CI sets it).
    saved_environ = os.environ.get("CELERY_BROKER_URL")
    saved_setting, saved_eager = app.conf.broker_url, app.conf.task_always_eager
    os.environ["CELERY_BROKER_URL"] = app.conf.broker_url = UNREACHABLE_BROKER
    app.conf.task_always_eager = False
    _reset_connections()
    try:
        yield
    finally:
        if saved_environ is None:
            del os.environ["CELERY_BROKER_URL"]
        else:
            os.environ["CELERY_BROKER_URL"] = saved_environ
        app.conf.broker_url, app.conf.task_always_eager = saved_setting, saved_eager
        _reset_connections()
