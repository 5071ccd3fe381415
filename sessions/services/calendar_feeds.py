"""Personal calendar feeds: the secret token, its hash, regenerating and revoking it."""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from sessions.models import CalendarFeed

# --- Calendar feeds ----------------------------------------------------------------------


def calendar_feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_regenerate(*, user, now=None) -> str:
    """Make (or replace) the user's secret feed address. Returns the token: it is shown
    once, only its hash is stored, and the previous address stops working at once."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user,
        defaults={
            "token_hash": calendar_feed_token_hash(token),
            "created_at": now or timezone.now(),
            "last_used_at": None,
        },
    )
    return token


def calendar_feed_revoke(*, user) -> bool:
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    return deleted > 0


def calendar_feed_mark_used(*, feed: CalendarFeed, now=None) -> None:
    """Remember when a calendar last fetched the feed (at most one write an hour)."""
    now = now or timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
