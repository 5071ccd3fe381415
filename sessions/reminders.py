"""The reminder sweeps Celery beat runs: session reminders a day before, inactivity nudges,
and overdue action items.

Each sweep finds what is due by *state* (a session whose current version was not reminded
yet, an action item not yet reported overdue, a quiet spell not yet nudged), never by "since
the last run", so a sweep that did not run for a while catches up and loses nothing. Each
notification has an idempotency key named after its event, so a sweep that runs twice, or
that is killed mid-batch and run again, tells nobody twice. A batch's notifications and its
state change commit together; emails are queued after that commit.

The sweeps are set-based: a fixed number of queries per batch of ``batch_size`` items,
whatever the number of pairings.
"""

import functools
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import groupby

from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone

from core.bulk import insert_ignoring_conflicts
from core.models import Notification
from core.notifications import notification_emails_queue, notifications_send_bulk
from matching.models import Pairing
from people.models import User
from programs.models import Program
from sessions import activity
from sessions.localtime import when_text
from sessions.models import ActionItem, InactivityNudge, MentoringSession, SessionFormat

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
REMINDER_LEAD = timedelta(hours=24)


def _chunks(rows: list, size: int) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _pairing_path(pairing_id: int, anchor: str = "") -> str:
    # reverse() once per sweep, not once per notification.
    path = _pairing_path_pattern().replace("999999999", str(pairing_id))
    return f"{path}#{anchor}" if anchor else path


@functools.cache
def _pairing_path_pattern() -> str:
    return reverse("mentoring_sessions:pairing_detail", args=[999999999])


def _full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


# --- Session reminders -------------------------------------------------------------------

SIDES = ("mentor", "mentee")


def session_reminders_send(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Remind both people of each session starting within the next 24 hours, once per
    version of the session (a rescheduled session is reminded again at its new time).
    Returns the number of notifications created."""
    now = now or timezone.now()
    person_fields = []
    for side in SIDES:
        person_fields += [
            f"pairing__{side}__person__user_id",
            f"pairing__{side}__person__time_zone",
            f"pairing__{side}__person__first_name",
            f"pairing__{side}__person__last_name",
        ]
    rows = list(
        MentoringSession.objects.filter(
            status=MentoringSession.Status.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + REMINDER_LEAD,
            pairing__status__in=Pairing.WORKABLE_STATUSES,
        )
        .filter(Q(reminded_sequence__isnull=True) | ~Q(reminded_sequence=F("sequence")))
        .order_by("pk")
        .values(
            "pk",
            "sequence",
            "starts_at",
            "duration_minutes",
            "format",
            "video_url",
            "place",
            "pairing_id",
            *person_fields,
        )
    )
    formats = dict(SessionFormat.choices)
    created = 0
    for chunk in _chunks(rows, batch_size):
        items = []
        for row in chunk:
            for side, other in (("mentor", "mentee"), ("mentee", "mentor")):
                user_id = row[f"pairing__{side}__person__user_id"]
                if user_id is None:
                    continue
                zone = row[f"pairing__{side}__person__time_zone"]
                other_name = _full_name(
                    row[f"pairing__{other}__person__first_name"], row[f"pairing__{other}__person__last_name"]
                )
                where = row["video_url"] if row["format"] == SessionFormat.VIDEO else row["place"]
                body = f"{row['duration_minutes']} minutes · {formats.get(row['format'], row['format'])}"
                items.append(
                    {
                        "recipient_id": user_id,
                        "kind": Notification.Kind.SESSION_REMINDER,
                        "key": f"session-reminder:{row['pk']}:v{row['sequence']}:{user_id}",
                        "title": f"Mentoring with {other_name} {when_text(row['starts_at'], zone, now=now)}",
                        "body": f"{body} · {where}" if where else body,
                        "url": _pairing_path(row["pairing_id"], f"session-{row['pk']}"),
                    }
                )
        with transaction.atomic():
            ids = notifications_send_bulk(items, batch_size=batch_size * 2)
            # Mark exactly the versions reminded: a session rescheduled meanwhile keeps
            # its new version unreminded.
            for sequence, group in groupby(sorted(chunk, key=lambda r: r["sequence"]), key=lambda r: r["sequence"]):
                MentoringSession.objects.filter(pk__in=[r["pk"] for r in group], sequence=sequence).update(
                    reminded_sequence=sequence
                )
            notification_emails_queue(ids)
        created += len(ids)
    return created


# --- Inactivity nudges -------------------------------------------------------------------


def inactive_pairings(*, now: datetime) -> list[dict]:
    """Active pairings of running programs overdue by the rule of ``sessions.activity`` (no
    held session for longer than the program's cadence), with the highest nudge already
    recorded for that quiet spell (the sweep's or HR's). One query (plus one for the
    cadences), whatever the number of pairings."""
    thresholds = dict(Program.objects.filter(status=Program.Status.RUNNING).values_list("pk", "cadence_days"))
    if not thresholds:
        return []
    fields = ["pk", "program_id", "since", "nudged_level"]
    for side in SIDES:
        fields += [
            f"{side}__person__user_id",
            f"{side}__person__first_name",
            f"{side}__person__last_name",
        ]
    rows = (
        Pairing.objects.filter(status=Pairing.Status.ACTIVE, program_id__in=list(thresholds))
        .annotate(since=activity.quiet_since())
        .filter(since__lt=now - activity.overdue_after(min(thresholds.values())))
        .annotate(nudged_level=activity.nudge_level_for_quiet_spell("since"))
        .order_by("pk")
        .values(*fields)
    )
    due = []
    for row in rows:
        level = activity.quiet_level(quiet_since=row["since"], moment=now, cadence_days=thresholds[row["program_id"]])
        if level > (row["nudged_level"] or 0):
            row["level"] = level
            row["threshold_days"] = thresholds[row["program_id"]]
            due.append(row)
    return due


def _nudge_items(row: dict, *, now: datetime) -> list[dict]:
    items = []
    days = (now - row["since"]).days
    stamp = row["since"].strftime("%Y%m%dT%H%M%S")
    for side, other in (("mentor", "mentee"), ("mentee", "mentor")):
        user_id = row[f"{side}__person__user_id"]
        if user_id is None:
            continue
        other_name = _full_name(row[f"{other}__person__first_name"], row[f"{other}__person__last_name"])
        if row["level"] == 1:
            title = f"It has been {days} days since your last session with {other_name}"
            body = "A short check-in keeps the momentum going. Schedule the next session, or log one you already had."
        else:
            title = f"No session with {other_name} for {days} days"
            body = (
                "Is something getting in the way? Schedule a session, log one you had, or tell your program "
                "team if the pairing is not working out. HR has been told this pairing has gone quiet."
            )
        items.append(
            {
                "recipient_id": user_id,
                "kind": Notification.Kind.INACTIVITY_NUDGE,
                "key": f"inactivity-nudge:{row['pk']}:{stamp}:{row['level']}:{user_id}",
                "title": title,
                "body": body,
                "url": _pairing_path(row["pk"]),
            }
        )
    return items


def inactivity_nudges_send(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Nudge both people of an active pairing overdue (quiet for longer than the program's
    cadence), again when long overdue (twice the cadence), when HR admins are told too. A
    sweep that finds a pairing already long overdue sends only the second nudge. Returns notifications created."""
    now = now or timezone.now()
    created = 0
    for chunk in _chunks(inactive_pairings(now=now), batch_size):
        items = [item for row in chunk for item in _nudge_items(row, now=now)]
        with transaction.atomic():
            ids = notifications_send_bulk(items, batch_size=batch_size * 2)
            _nudges_record(chunk, now=now)
            notification_emails_queue(ids)
        created += len(ids)
    return created + _inactivity_hr_digests_send(now=now)


def _nudges_record(rows: list[dict], *, now: datetime) -> None:
    """Record the nudges sent, skipping any already recorded (one multi-row INSERT)."""
    adapt = connection.ops.adapt_datetimefield_value
    created_at = adapt(now)
    insert_ignoring_conflicts(
        InactivityNudge,
        ["pairing", "since", "level", "created_at"],
        [(row["pk"], adapt(row["since"]), row["level"], created_at) for row in rows],
        conflict=["pairing", "since", "level"],
    )


def _inactivity_hr_digests_send(*, now: datetime) -> int:
    """Tell HR admins, one notification per program, about pairings that reached the second
    nudge since HR was last told. A few queries per program with such pairings."""
    pending = list(
        InactivityNudge.objects.filter(level=2, hr_notified_at__isnull=True)
        .order_by()
        .values(
            "pairing__program_id",
            "pairing__program__name",
            "pairing__program__slug",
            "pairing__program__cadence_days",
        )
        .annotate(newest=Max("pk"))
    )
    if not pending:
        return 0
    hr_ids = list(User.objects.filter(is_hr_admin=True, is_active=True).values_list("pk", flat=True))
    created = 0
    for group in pending:
        program_id, newest = group["pairing__program_id"], group["newest"]
        rows = InactivityNudge.objects.filter(
            level=2, hr_notified_at__isnull=True, pk__lte=newest, pairing__program_id=program_id
        )
        count = rows.count()
        quiet_days = activity.long_overdue_after(group["pairing__program__cadence_days"]).days
        url = reverse("mentoring_sessions:oversight") + f"?program={group['pairing__program__slug']}&quiet=1"
        items = [
            {
                "recipient_id": hr_id,
                "kind": Notification.Kind.INACTIVITY_HR,
                "key": f"inactivity-hr:{program_id}:{newest}:{hr_id}",
                "title": f"{count} pair{'s' if count != 1 else ''} in {group['pairing__program__name']} "
                f"{'have' if count != 1 else 'has'} had no session for {quiet_days}+ days",
                "body": "Both people were nudged twice. The program page lists the quiet pairs.",
                "url": url,
            }
            for hr_id in hr_ids
        ]
        with transaction.atomic():
            ids = notifications_send_bulk(items)
            rows.update(hr_notified_at=now)
            notification_emails_queue(ids)
        created += len(ids)
    return created


# --- Overdue action items ----------------------------------------------------------------


def action_item_overdue_reminders_send(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Tell each open action item's owner, once, that it is overdue (its due date has passed
    in UTC). Returns the number of notifications created."""
    now = now or timezone.now()
    rows = list(
        ActionItem.objects.filter(
            done_at__isnull=True,
            overdue_notified_at__isnull=True,
            due_date__lt=now.date(),
            pairing__status__in=Pairing.WORKABLE_STATUSES,
        )
        .order_by("pk")
        .values("pk", "title", "due_date", "pairing_id", "owner__user_id")
    )
    created = 0
    for chunk in _chunks(rows, batch_size):
        items = [
            {
                "recipient_id": row["owner__user_id"],
                "kind": Notification.Kind.ACTION_ITEM_OVERDUE,
                "key": f"action-item-overdue:{row['pk']}:{row['due_date']:%Y%m%d}",
                "title": f"Overdue since {row['due_date']:%-d %b}: {row['title']}",
                "body": "Tick it off on the pairing page once it is done.",
                "url": _pairing_path(row["pairing_id"], "action-items"),
            }
            for row in chunk
            if row["owner__user_id"] is not None
        ]
        with transaction.atomic():
            ids = notifications_send_bulk(items, batch_size=batch_size)
            ActionItem.objects.filter(pk__in=[row["pk"] for row in chunk], overdue_notified_at__isnull=True).update(
                overdue_notified_at=now
            )
            notification_emails_queue(ids)
        created += len(ids)
    return created


def reminders_send_all(*, now: datetime | None = None) -> dict[str, int]:
    """Every sweep once (for the bench and manual runs)."""
    now = now or timezone.now()
    return {
        "session_reminders": session_reminders_send(now=now),
        "inactivity_nudges": inactivity_nudges_send(now=now),
        "overdue_action_items": action_item_overdue_reminders_send(now=now),
    }
