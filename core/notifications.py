"""The one way the product tells a person something: an in-app notification
plus an email, created at most once per idempotency key.

Reminders, survey invitations and match proposals all call ``notification_send``.

Email delivery, and what happens when it goes wrong:

- Each email is queued after commit (``core.jobs``) and sent by a worker that
  first *claims* it (a conditional UPDATE pending -> sending): two workers given the
  same id send it once.
- An SMTP error puts it back to pending with a later ``email_retry_at``
  (``EMAIL_RETRY_DELAYS``: 2 min, 10 min, 30 min, 2 h); the fifth failure marks it
  *failed*. HR sees failed emails (count on their home page, list with "Retry now").
- ``notification_emails_retry`` (every 2 minutes) queues *everything* due, in
  batches: emails whose queue message was lost (pending for ``LOST_MESSAGE``),
  claims of a worker that died (sending for ``STALE_CLAIM``), and retries now due.
- The duplicate window: an email is sent twice only if the worker dies (or the
  database stays unreachable for over a minute) between the SMTP server accepting
  it and the "sent" UPDATE, a few milliseconds normally. That UPDATE is retried on
  a fresh connection for about a minute (``_email_mark_sent``), well inside
  ``STALE_CLAIM``, so a dropped database connection alone never duplicates an email.
"""

import logging
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from core.bulk import insert_ignoring_conflicts
from core.jobs import task_queue, task_queue_on_commit
from core.models import Notification

logger = logging.getLogger(__name__)

EmailStatus = Notification.EmailStatus

# A claim older than this belongs to a worker that died mid-send: retry it. Sending one
# email takes seconds (EMAIL_TIMEOUT bounds each SMTP step), marking it sent at most a
# minute (_email_mark_sent); five minutes leaves room for both.
STALE_CLAIM = timedelta(minutes=5)
# A pending email older than this lost its queue message (Redis restarted, a worker
# was killed before it acknowledged): queue it again.
LOST_MESSAGE = timedelta(minutes=5)
MAX_EMAIL_ATTEMPTS = 5
# The wait after failed attempt 1, 2, 3 and 4; the 5th failure is final.
EMAIL_RETRY_DELAYS = (timedelta(minutes=2), timedelta(minutes=10), timedelta(minutes=30), timedelta(hours=2))
# Emails claimed by one UPDATE (then sent one by one, each marked sent at once).
CLAIM_CHUNK = 20
# How long the "sent" UPDATE is retried after a database error, in seconds between tries.
MARK_SENT_BACKOFF = (0.5, 1, 2, 4, 8, 15, 30)


def _check_kind(kind) -> None:
    if kind not in Notification.Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}: add it to Notification.Kind.")


def notification_send(*, recipient, kind: str, title: str, key: str, body: str = "", url: str = "", email: bool = True):
    """Notify ``recipient`` once for ``key``.

    Returns the new ``Notification``, or ``None`` when a notification with this
    key already exists (the event was already told: nothing is sent again).
    The email is queued only after the surrounding transaction commits. ``kind`` is one of
    ``Notification.Kind`` (anything else is a programming error: ``ValueError``).
    """
    _check_kind(kind)
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "recipient": recipient,
                "kind": kind,
                "title": title[:200],
                "body": body,
                "url": url,
                "email_status": Notification.EmailStatus.PENDING if email else Notification.EmailStatus.SKIPPED,
            },
        )
    if not created:
        return None
    if email:
        from core.tasks import notification_email_send

        task_queue_on_commit(notification_email_send, notification.pk)
    return notification


def _claimable(now) -> Q:
    due = Q(email_retry_at__isnull=True) | Q(email_retry_at__lte=now)
    return Q(email_attempts__lt=MAX_EMAIL_ATTEMPTS) & (
        (Q(email_status=EmailStatus.PENDING) & due)
        | Q(email_status=EmailStatus.SENDING, email_claimed_at__lt=now - STALE_CLAIM)
    )


def notification_email_deliver(*, notification_id: int) -> bool:
    """Send one notification's email unless someone else is sending or has sent it.
    Returns True when this call sent it (see ``notification_emails_deliver``)."""
    return notification_emails_deliver(notification_ids=[notification_id]) == 1


def notification_emails_deliver(*, notification_ids: list[int]) -> int:
    """Send these notifications' emails, each at most once, over one SMTP connection.

    Emails are claimed CLAIM_CHUNK at a time with one conditional UPDATE that stamps a
    token of this call: of two workers given the same ids, each email goes to the one
    whose UPDATE took it. Each email is marked sent right after the SMTP server took it.
    A failure is retried later, the fifth time marked failed for HR. If sending is so
    slow that a claim could go stale (half of STALE_CLAIM), the rest of the chunk is
    released, never sent on an old claim. Returns how many this call sent.
    """
    sent = 0
    mail_connection = get_connection()
    try:
        for start in range(0, len(notification_ids), CLAIM_CHUNK):
            sent += _emails_claim_and_send(notification_ids[start : start + CLAIM_CHUNK], mail_connection)
    finally:
        mail_connection.close()
    return sent


def _emails_claim_and_send(ids: list[int], mail_connection) -> int:
    claimed_at = timezone.now()
    claim = uuid.uuid4()
    Notification.objects.filter(_claimable(claimed_at), pk__in=ids).update(
        email_status=EmailStatus.SENDING,
        email_claimed_at=claimed_at,
        email_claim=claim,
        email_attempts=F("email_attempts") + 1,
    )
    mine = Notification.objects.filter(email_claim=claim, email_status=EmailStatus.SENDING)
    sent = 0
    for notification in mine.select_related("recipient").order_by("pk"):
        if timezone.now() - claimed_at > STALE_CLAIM / 2:
            released = mine.filter(pk__gte=notification.pk).update(
                email_status=EmailStatus.PENDING, email_attempts=F("email_attempts") - 1
            )
            logger.warning("Sending is slow: released %s claimed emails for a later run", released)
            break
        try:
            send_mail(
                subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{notification.title}",
                message=render_to_string("core/email/notification.txt", _email_context(notification)),
                from_email=None,
                recipient_list=[notification.recipient.email],
                connection=mail_connection,
            )
        except Exception as error:  # noqa: BLE001 - any SMTP or rendering failure is retried, then reported
            _email_failed(notification, error)
            continue
        _email_mark_sent(notification.pk)
        sent += 1
    return sent


def _email_context(notification: Notification) -> dict:
    url = notification.url
    return {
        "notification": notification,
        "link": f"{settings.SITE_URL}{url}" if url.startswith("/") else url,
        "site_url": settings.SITE_URL,
    }


def _email_failed(notification: Notification, error: Exception) -> None:
    attempts = notification.email_attempts
    final = attempts >= MAX_EMAIL_ATTEMPTS
    retry_at = None if final else timezone.now() + EMAIL_RETRY_DELAYS[min(attempts, len(EMAIL_RETRY_DELAYS)) - 1]
    Notification.objects.filter(pk=notification.pk, email_status=EmailStatus.SENDING).update(
        email_status=EmailStatus.FAILED if final else EmailStatus.PENDING,
        email_retry_at=retry_at,
        email_last_error=f"{type(error).__name__}: {error}"[:300],
    )
    if final:
        logger.error("Email for notification %s failed %s times; shown to HR", notification.pk, attempts)
    else:
        logger.warning(
            "Email for notification %s failed (attempt %s); retrying at %s", notification.pk, attempts, retry_at
        )


def _email_mark_sent(notification_id: int) -> None:
    """Record that the SMTP server took the email, surviving a dropped database connection.

    This UPDATE is all that stands between a sent email and a duplicate (a claim left in
    "sending" is retried after STALE_CLAIM), so a database error here is retried on a
    fresh connection for about a minute before giving up."""
    for pause in (*MARK_SENT_BACKOFF, None):
        try:
            Notification.objects.filter(pk=notification_id).update(
                email_status=EmailStatus.SENT, emailed_at=timezone.now(), email_retry_at=None, email_last_error=""
            )
            return
        except (OperationalError, InterfaceError):
            if pause is None or connection.in_atomic_block:
                raise  # inside a transaction a new connection cannot help
            logger.warning("Could not mark notification %s sent; retrying in %s s", notification_id, pause)
            connection.close()
            time.sleep(pause)


def notification_email_ids_due(*, now=None, page_size: int = 1000) -> Iterator[list[int]]:
    """Every email the retry job should queue, as pages of ids in primary-key order:
    never picked up (pending for LOST_MESSAGE), claimed by a dead worker (sending for
    STALE_CLAIM), or due for another try. All of them, however many: a page is read
    after the previous one, so a run drains what is due instead of a fixed number."""
    now = now or timezone.now()
    due = Q(email_attempts__lt=MAX_EMAIL_ATTEMPTS) & (
        Q(email_status=EmailStatus.PENDING, email_retry_at__isnull=True, created_at__lt=now - LOST_MESSAGE)
        | Q(email_status=EmailStatus.PENDING, email_retry_at__lte=now)
        | Q(email_status=EmailStatus.SENDING, email_claimed_at__lt=now - STALE_CLAIM)
    )
    last_pk = 0
    while True:
        ids = list(
            Notification.objects.filter(due, pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:page_size]
        )
        if not ids:
            return
        yield ids
        last_pk = ids[-1]


def notification_emails_give_up_dead_claims(*, now=None) -> int:
    """A claim left by a dead worker on the last attempt is not tried a sixth time: it is
    marked failed for HR (it may or may not have gone out)."""
    now = now or timezone.now()
    return Notification.objects.filter(
        email_status=EmailStatus.SENDING,
        email_claimed_at__lt=now - STALE_CLAIM,
        email_attempts__gte=MAX_EMAIL_ATTEMPTS,
    ).update(
        email_status=EmailStatus.FAILED,
        email_last_error="The worker stopped while sending the last attempt; it may not have gone out.",
    )


def notification_emails_failed():
    """Emails given up on after every attempt, newest first: what HR is shown."""
    return Notification.objects.filter(email_status=EmailStatus.FAILED).select_related("recipient")


def notification_emails_retry_now(*, notification_ids: list[int] | None = None) -> int:
    """HR's "Retry now": failed emails (all, or the given ids) get a fresh set of attempts
    and are queued after commit. Returns how many."""
    failed = Notification.objects.filter(email_status=EmailStatus.FAILED)
    if notification_ids is not None:
        failed = failed.filter(pk__in=notification_ids)
    ids = list(failed.values_list("pk", flat=True))
    Notification.objects.filter(pk__in=ids, email_status=EmailStatus.FAILED).update(
        email_status=EmailStatus.PENDING, email_attempts=0, email_retry_at=None, email_claimed_at=None
    )
    notification_emails_queue(ids)
    return len(ids)


def notifications_mark_read(*, user, notification_ids=None) -> int:
    """Mark the user's notifications read (all unread ones, or the given ids)."""
    queryset = Notification.objects.for_user(user).unread()
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=notification_ids)
    return queryset.update(read_at=timezone.now())


def notifications_send_bulk(items, *, batch_size: int = 1000) -> list[int]:
    """``notification_send`` for many people at once, for sweeps (reminders, nudges).

    ``items`` is an iterable of dicts with ``recipient_id``, ``kind``, ``title``, ``key``
    and optionally ``body``, ``url``, ``email`` (default True). A key that already exists
    is skipped, so a sweep that runs twice tells nobody twice. A few queries per
    ``batch_size`` items, however many there are.

    Returns the ids of the notifications this call created whose email is pending. The
    caller queues those emails (in batches, on commit); any it does not queue are found by
    ``notification_emails_retry``. Sending is claimed per notification, so an id queued
    twice is still emailed once.
    """
    created_ids: list[int] = []
    batch: list[dict] = []

    def flush():
        keys = [item["key"] for item in batch]
        existing = set(Notification.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
        from django.db import connection

        new_keys, rows = [], []
        created_at = connection.ops.adapt_datetimefield_value(timezone.now())
        for item in batch:
            _check_kind(item["kind"])
            if item["key"] in existing:
                continue
            existing.add(item["key"])
            new_keys.append(item["key"])
            email = item.get("email", True)
            rows.append(
                (
                    item["recipient_id"],
                    item["kind"],
                    item["title"][:200],
                    item.get("body", ""),
                    item.get("url", ""),
                    item["key"],
                    created_at,
                    Notification.EmailStatus.PENDING if email else Notification.EmailStatus.SKIPPED,
                    0,
                    "",
                )
            )
        if not rows:
            return
        insert_ignoring_conflicts(Notification, _BULK_COLUMNS, rows, conflict=["idempotency_key"])
        created_ids.extend(
            Notification.objects.filter(
                idempotency_key__in=new_keys, email_status=Notification.EmailStatus.PENDING
            ).values_list("pk", flat=True)
        )

    for item in items:
        batch.append(item)
        if len(batch) >= batch_size:
            flush()
            batch = []
    if batch:
        flush()
    return created_ids


_BULK_COLUMNS = (
    "recipient",
    "kind",
    "title",
    "body",
    "url",
    "idempotency_key",
    "created_at",
    "email_status",
    "email_attempts",
    "email_last_error",
)


EMAIL_BATCH = 200


def notification_emails_queue(notification_ids: list[int]) -> None:
    """Queue the emails of notifications a sweep created: one task per batch, after commit.
    Ids that are never queued (a crash before commit) are found by ``notification_emails_retry``."""
    from core.tasks import notification_emails_send_batch

    for start in range(0, len(notification_ids), EMAIL_BATCH):
        task_queue_on_commit(notification_emails_send_batch, list(notification_ids[start : start + EMAIL_BATCH]))


def notification_emails_requeue(*, now=None) -> int:
    """The retry job: give up dead last-attempt claims, then queue every email due, in
    batches of EMAIL_BATCH. Returns how many were queued."""
    from core.tasks import notification_emails_send_batch

    notification_emails_give_up_dead_claims(now=now)
    queued = 0
    for ids in notification_email_ids_due(now=now):
        for start in range(0, len(ids), EMAIL_BATCH):
            task_queue(notification_emails_send_batch, ids[start : start + EMAIL_BATCH])
        queued += len(ids)
    return queued
