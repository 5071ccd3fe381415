"""The Celery app. Configuration lives in settings (CELERY_* names), the beat
schedule included, so one file says what runs when."""

import os

from celery import Celery
from django_structlog.celery.steps import DjangoStructLogInitStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")

app = Celery("mentorship")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Worker log lines carry the task_id, and the request_id/user_id of the request that queued it.
app.steps["worker"].add(DjangoStructLogInitStep)
