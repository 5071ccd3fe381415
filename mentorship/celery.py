"""The Celery app. Configuration lives in settings (CELERY_* names), the beat
schedule included, so one file says what runs when."""

import os

from celery import Celery, Task
from django.db import InterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django_structlog.celery.steps import DjangoStructLogInitStep
from kombu.exceptions import OperationalError as BrokerOperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")


class MentorshipTask(Task):
    """The base of every task: a database connection that dropped or a broker that
    blinked while it ran is retried with backoff (about 2 s, 4 s, 8 s... at most 5 min
    apart, 8 times) instead of being lost. Running a task again never applies it
    twice: every task claims its rows (a conditional UPDATE) or uses idempotency keys.
    A task may still set its own ``autoretry_for``."""

    autoretry_for = (DatabaseOperationalError, InterfaceError, BrokerOperationalError)
    retry_backoff = 2
    retry_backoff_max = 5 * 60
    retry_jitter = True
    max_retries = 8


app = Celery("mentorship", task_cls=MentorshipTask)
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_after_configure.connect
def _redbeat_settings_unprefixed(sender, **kwargs):
    """RedBeat 2.4 checks for its settings by their bare names, which a CELERY_ namespace
    hides: it would warn that CELERY_REDBEAT_REDIS_URL is not set when it is."""
    for name in ("redbeat_redis_url", "redbeat_redis_options", "redbeat_lock_timeout"):
        value = sender.conf.get(name)
        if value is not None:
            sender.conf[name] = value


app.autodiscover_tasks()
# Worker log lines carry the task_id, and the request_id/user_id of the request that queued it.
app.steps["worker"].add(DjangoStructLogInitStep)
