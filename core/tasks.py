"""Celery tasks are thin: they take primary keys, load, and call a service."""

import logging

from celery import shared_task

from core import health, jobs, notifications, submissions

logger = logging.getLogger(__name__)

MAX_IDS_PER_TASK = 1000


def as_id(value):
    """A task argument that should be a primary key, or None if it is not one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def task_id(value, *, task: str):
    """``value`` as a primary key for ``task``, or None, logged, when it is not one (a task
    given junk does nothing instead of failing and being retried)."""
    pk = as_id(value)
    if pk is None:
        logger.warning("%s ignored a bad id: %r", task, value)
    return pk


@shared_task
def notification_email_send(notification_id):
    pk = task_id(notification_id, task="notification_email_send")
    if pk is None:
        return False
    return notifications.notification_email_deliver(notification_id=pk)


@shared_task
def notification_emails_retry():
    """Every 2 minutes: queue every email that is due (lost messages, dead workers' claims,
    retries), in batches; the last failed attempt is left for HR."""
    return notifications.notification_emails_requeue()


@shared_task
def notification_emails_send_batch(notification_ids):
    """Email a batch of notifications a sweep created. Each send is claimed, so an id that
    is also queued elsewhere (or this task run twice) is still emailed once."""
    if not isinstance(notification_ids, list | tuple):
        logger.warning("notification_emails_send_batch ignored a bad argument: %r", notification_ids)
        return 0
    ids = []
    for value in notification_ids[:MAX_IDS_PER_TASK]:
        pk = as_id(value)
        if pk is None:
            logger.warning("notification_emails_send_batch skipped a bad id: %r", value)
            continue
        ids.append(pk)
    return notifications.notification_emails_deliver(notification_ids=ids)


@shared_task
def deferred_tasks_requeue():
    """Every minute: send the messages the broker refused while it was down."""
    return jobs.deferred_tasks_requeue()


@shared_task(bind=True, ignore_result=True)
def worker_heartbeat(self):
    """Every minute (beat): record that a worker is taking tasks, for /healthz."""
    health.worker_heartbeat_record(hostname=self.request.hostname or "")


@shared_task
def form_submissions_expire():
    """Daily: forget one-time form tokens older than a day."""
    return submissions.form_submissions_expire()


# Messages queued before the shared services moved from the project package `mentorship` to
# the `core` app carry the old task names (`mentorship.tasks.<name>`): the same tasks answer
# to them for this release, so an upgrade loses none (the heartbeat needs no alias: a lost
# one is sent again within a minute).
LEGACY_NAMES = {
    f"mentorship.tasks.{task.__name__}": shared_task(name=f"mentorship.tasks.{task.__name__}")(task.run)
    for task in (
        notification_email_send,
        notification_emails_retry,
        notification_emails_send_batch,
        deferred_tasks_requeue,
        form_submissions_expire,
    )
}
