"""Queueing background work so that a committed write never fails afterwards.

Every place that starts a Celery task after a write calls ``task_queue_on_commit``
(or ``task_queue`` when there is no transaction to wait for, as in a sweep that
fans out). The write is already committed when the message is sent, so a broker
that is down (Redis stopped, network gone) must not turn the request into a 500
or stop a sweep half-way: the message is kept in ``DeferredTask`` instead, with a
logged warning, and ``deferred_tasks_requeue`` (every minute, see
``CELERY_BEAT_SCHEDULE``) sends it once the broker is back.

Every task queued here is idempotent (it claims its rows with a conditional
UPDATE), so a message sent twice does no harm. The domain's own retry jobs
(``notification_emails_retry``, the survey sweep) still find whatever was lost
after the broker accepted it: a Redis restart, a killed worker.
"""

import logging
import threading
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# After a refused message, go straight to DeferredTask for this long: a sweep that
# queues fifty batches during an outage waits for one connection timeout, not fifty.
BROKER_PAUSE = timedelta(seconds=10)
REQUEUE_BATCH = 500

_pause = threading.Lock()
_paused_until = 0.0


def broker_pause_clear() -> None:
    """Forget an earlier failure: the next message goes to the broker again."""
    global _paused_until
    with _pause:
        _paused_until = 0.0


def _broker_paused() -> bool:
    return time.monotonic() < _paused_until


def _broker_pause() -> None:
    global _paused_until
    with _pause:
        _paused_until = time.monotonic() + BROKER_PAUSE.total_seconds()


# Seconds to wait for the broker's TCP connection. A refused connection fails at once.
BROKER_CONNECT_TIMEOUT = 2


def _send(task, args: tuple) -> None:
    if task.app.conf.task_always_eager:
        task.apply_async(args=args)
        return
    # A connection of its own that gives up at the first failure: the app's pooled one
    # would keep retrying for broker_connection_timeout (about 6 s) while the request waits.
    with task.app.connection_for_write(
        connect_timeout=BROKER_CONNECT_TIMEOUT, transport_options={"max_retries": 0}
    ) as connection:
        task.apply_async(args=args, connection=connection, retry=False)


def task_queue(task, *args) -> bool:
    """Send ``task(*args)`` to the broker now. Never raises because of the broker:
    returns False when the message could not be sent and was kept for
    ``deferred_tasks_requeue``. Arguments are primary keys (or lists of them).

    In eager mode (the test suite) the task runs here, and its own errors propagate.
    """
    if task.app.conf.task_always_eager:
        _send(task, args)
        return True
    if _broker_paused():
        _defer(task, args, "broker unavailable")
        return False
    try:
        _send(task, args)
    except Exception as error:  # noqa: BLE001 - whatever the broker says, the caller's write stands
        _broker_pause()
        logger.warning("Could not queue %s (%s: %s); kept for the requeue job", task.name, type(error).__name__, error)
        _defer(task, args, f"{type(error).__name__}: {error}")
        return False
    return True


def task_queue_on_commit(task, *args) -> None:
    """Queue ``task(*args)`` once the current transaction commits (at once outside one).

    The one way the apps start background work after a write: if the transaction
    rolls back nothing is sent, and if the broker is down the request still answers
    normally (see ``task_queue``)."""
    transaction.on_commit(lambda: task_queue(task, *args))


def _defer(task, args: tuple, reason: str) -> None:
    from core.models import DeferredTask

    try:
        DeferredTask.objects.create(task_name=task.name, args=list(args), last_error=reason[:500])
    except Exception:  # noqa: BLE001 - the database may be down too; the domain retry jobs remain
        logger.exception("Could not keep %s%r for the requeue job either", task.name, args)


def deferred_tasks_requeue(*, app=None) -> int:
    """Send the messages the broker refused, oldest first; returns how many were sent.

    Stops at the first refusal (the broker is still down: the rest wait for the next
    run). A message is deleted only after the broker took it, so a run that dies
    half-way sends some twice at worst, which idempotent tasks absorb."""
    from celery import current_app as default_app

    from core.models import DeferredTask

    app = app or default_app
    sent = 0
    last_pk = 0
    while True:
        batch = list(DeferredTask.objects.filter(pk__gt=last_pk).order_by("pk")[:REQUEUE_BATCH])
        if not batch:
            return sent
        for deferred in batch:
            last_pk = deferred.pk
            task = app.tasks.get(deferred.task_name)
            if task is None:
                logger.error("Deferred task %s no longer exists; dropping it", deferred.task_name)
                deferred.delete()
                continue
            try:
                _send(task, tuple(deferred.args))
            except Exception as error:  # noqa: BLE001 - still down: try again next run
                if app.conf.task_always_eager:
                    raise  # the task itself failed (tests run tasks inline): not the broker
                DeferredTask.objects.filter(pk=deferred.pk).update(
                    attempts=deferred.attempts + 1,
                    last_error=f"{type(error).__name__}: {error}"[:500],
                    last_attempt_at=timezone.now(),
                )
                logger.warning("Broker still refuses messages (%s); %s left for the next run", error, deferred)
                return sent
            deferred.delete()
            sent += 1
        broker_pause_clear()
