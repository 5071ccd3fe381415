"""A broker that is down, for tests: Celery points at a closed port, as when Redis is stopped."""

from contextlib import contextmanager

from mentorship import jobs
from mentorship.celery import app

# Port 1 (tcpmux) is never served on a test machine: every connection is refused at once.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def _use(broker_url: str, eager: bool) -> None:
    app.conf.broker_url = broker_url
    app.conf.task_always_eager = eager
    # Drop pooled connections made for the previous broker.
    app._pool = None
    app.amqp._producer_pool = None
    jobs.broker_pause_clear()


@contextmanager
def broker_down():
    """Inside the block tasks are really sent (not run inline) to a broker that refuses
    every connection; leaving it brings the broker "back" (tasks run inline again)."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    _use(UNREACHABLE_BROKER, False)
    try:
        yield
    finally:
        _use(*saved)
