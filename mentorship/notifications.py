"""The one way the product tells a person something: an in-app notification
plus an email, created at most once per idempotency key.

Reminders, survey invitations and match proposals all call ``notification_send``.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from mentorship.jobs import task_queue_on_commit
from mentorship.models import Notification

logger = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died mid-send: retry it.
STALE_CLAIM = timedelta(minutes=15)
# A pending email older than this lost its queue message: queue it again.
LOST_MESSAGE = timedelta(minutes=5)
MAX_EMAIL_ATTEMPTS = 5


def notification_send(*, recipient, kind: str, title: str, key: str, body: str = "", url: str = "", email: bool = True):
    """Notify ``recipient`` once for ``key``.

    Returns the new ``Notification``, or ``None`` when a notification with this
    key already exists (the event was already told: nothing is sent again).
    The email is queued only after the surrounding transaction commits.
    """
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
        from mentorship.tasks import notification_email_send

        task_queue_on_commit(notification_email_send, notification.pk)
    return notification


def notification_email_deliver(*, notification_id: int) -> bool:
    """Send one notification's email if nobody else is sending or has sent it.

    The claim is a conditional UPDATE: of two workers given the same id, only
    the one whose UPDATE changed a row sends. Returns True when this call sent it.
    """
    now = timezone.now()
    claimable = (
        Q(email_status=Notification.EmailStatus.PENDING)
        | Q(email_status=Notification.EmailStatus.SENDING, email_claimed_at__lt=now - STALE_CLAIM)
        | Q(email_status=Notification.EmailStatus.FAILED, email_attempts__lt=MAX_EMAIL_ATTEMPTS)
    )
    claimed = Notification.objects.filter(claimable, pk=notification_id).update(
        email_status=Notification.EmailStatus.SENDING,
        email_claimed_at=now,
        email_attempts=F("email_attempts") + 1,
    )
    if claimed != 1:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    context = {
        "notification": notification,
        "link": f"{settings.SITE_URL}{notification.url}" if notification.url.startswith("/") else notification.url,
        "site_url": settings.SITE_URL,
    }
    try:
        send_mail(
            subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{notification.title}",
            message=render_to_string("mentorship/email/notification.txt", context),
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
    except Exception:
        logger.exception("Email for notification %s failed; it will be retried", notification_id)
        Notification.objects.filter(pk=notification_id).update(email_status=Notification.EmailStatus.FAILED)
        return False
    Notification.objects.filter(pk=notification_id).update(
        email_status=Notification.EmailStatus.SENT, emailed_at=timezone.now()
    )
    return True


def notification_ids_needing_email(*, now=None) -> list[int]:
    """Emails that were lost: never picked up, claimed by a dead worker, or failed."""
    now = now or timezone.now()
    return list(
        Notification.objects.filter(
            Q(email_status=Notification.EmailStatus.PENDING, created_at__lt=now - LOST_MESSAGE)
            | Q(email_status=Notification.EmailStatus.SENDING, email_claimed_at__lt=now - STALE_CLAIM)
            | Q(email_status=Notification.EmailStatus.FAILED, email_attempts__lt=MAX_EMAIL_ATTEMPTS)
        ).values_list("pk", flat=True)[:1000]
    )


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
                )
            )
        if not rows:
            return
        _notifications_insert_ignoring_taken_keys(rows)
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
)


def _notifications_insert_ignoring_taken_keys(rows: list[tuple]) -> None:
    """One multi-row INSERT that skips keys already taken (``ON CONFLICT ... DO NOTHING``:
    PostgreSQL, and SQLite >= 3.24). ``bulk_create``'s per-field Python work was most of a
    large sweep's time; this is the same statement without it."""
    from django.db import connection

    meta = Notification._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in _BULK_COLUMNS)
    row = "(" + ", ".join(["%s"] * len(_BULK_COLUMNS)) + ")"
    key_column = quote(meta.get_field("idempotency_key").column)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row] * len(rows))} "
        f"ON CONFLICT ({key_column}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for values in rows for value in values])


EMAIL_BATCH = 200


def notification_emails_queue(notification_ids: list[int]) -> None:
    """Queue the emails of notifications a sweep created: one task per batch, after commit.
    Ids that are never queued (a crash before commit) are found by ``notification_emails_retry``."""
    from mentorship.tasks import notification_emails_send_batch

    for start in range(0, len(notification_ids), EMAIL_BATCH):
        ids = list(notification_ids[start : start + EMAIL_BATCH])
        task_queue_on_commit(notification_emails_send_batch, ids)
