"""The reminder sweeps: each reminder exactly once, however often the sweep runs or dies."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import Notification
from matching.models import Pairing
from matching.tests.factories import PairingFactory
from people.tests.factories import MemberFactory
from sessions import reminders
from sessions.models import ActionItem, InactivityNudge, MentoringSession
from sessions.tests.factories import ActionItemFactory, SessionFactory

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


def keys(kind=None):
    queryset = Notification.objects.all()
    if kind:
        queryset = queryset.filter(kind=kind)
    return sorted(queryset.values_list("idempotency_key", flat=True))


def recipients(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def make_pairs(program, count, prefix):
    pairs = []
    for i in range(count):
        mentor = MemberFactory(email=f"{prefix}-mentor{i}@example.com", first_name="Men", last_name=f"Tor{i}")
        mentee = MemberFactory(
            email=f"{prefix}-mentee{i}@example.com",
            first_name="Men",
            last_name=f"Tee{i}",
            person__time_zone="Asia/Tokyo",
        )
        pairs.append(
            PairingFactory(active=True, program=program, mentor__person=mentor.person, mentee__person=mentee.person)
        )
    return pairs


# --- Session reminders -------------------------------------------------------------------


def test_reminder_a_day_before_in_each_persons_own_time_zone(pairing, mentor, mentee):
    # 14:00 UTC tomorrow is 15:00 in Berlin and 09:00 in New York.
    SessionFactory(pairing=pairing, starts_at=datetime(2026, 11, 26, 14, 0, tzinfo=UTC))
    SessionFactory(pairing=pairing, starts_at=datetime(2026, 11, 27, 14, 0, tzinfo=UTC))  # two days out: not yet

    assert reminders.session_reminders_send(now=NOW) == 2

    titles = dict(Notification.objects.values_list("recipient__email", "title"))
    assert titles[mentor.email] == "Mentoring with Milo Mentee tomorrow at 15:00 (Europe/Berlin)"
    assert titles[mentee.email] == "Mentoring with Mira Mentor tomorrow at 09:00 (America/New_York)"


def test_reminder_sweep_twice_sends_one_per_person(pairing, mentor, mentee, django_capture_on_commit_callbacks):
    SessionFactory(pairing=pairing, starts_at=NOW + timedelta(hours=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.session_reminders_send(now=NOW) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.session_reminders_send(now=NOW + timedelta(minutes=15)) == 0
    assert recipients("session_reminder") == [mentee.email, mentor.email]
    assert sorted(m.to[0] for m in mail.outbox) == [mentee.email, mentor.email]


def test_rescheduled_session_is_reminded_again_at_its_new_time(pairing, mentor):
    session = SessionFactory(pairing=pairing, starts_at=NOW + timedelta(hours=20))
    reminders.session_reminders_send(now=NOW)
    MentoringSession.objects.filter(pk=session.pk).update(starts_at=NOW + timedelta(hours=22), sequence=1)
    assert reminders.session_reminders_send(now=NOW) == 2
    assert Notification.objects.filter(kind="session_reminder").count() == 4


def test_cancelled_held_and_ended_pairings_get_no_reminder(pairing, program, mentor):
    SessionFactory(pairing=pairing, starts_at=NOW + timedelta(hours=3), cancelled=True)
    ended = PairingFactory(
        ended=True,
        program=program,
        mentor__person=mentor.person,
        mentee__person=MemberFactory(email="ended@example.com", first_name="En", last_name="Ded").person,
    )
    SessionFactory(pairing=ended, starts_at=NOW + timedelta(hours=3))
    assert reminders.session_reminders_send(now=NOW) == 0


def test_worker_killed_mid_batch_loses_and_duplicates_nothing(program, monkeypatch):
    pairs = make_pairs(program, 5, "kill")
    for pair in pairs:
        SessionFactory(pairing=pair, starts_at=NOW + timedelta(hours=5))
    real = reminders.notifications_send_bulk
    calls = {"n": 0}

    def dies_on_third_batch(items, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed")
        return real(items, **kwargs)

    monkeypatch.setattr(reminders, "notifications_send_bulk", dies_on_third_batch)
    with pytest.raises(SystemExit):
        reminders.session_reminders_send(now=NOW, batch_size=2)
    assert Notification.objects.count() == 8  # two batches of two sessions, two people each

    monkeypatch.setattr(reminders, "notifications_send_bulk", real)
    assert reminders.session_reminders_send(now=NOW, batch_size=2) == 2
    assert Notification.objects.count() == 10
    assert len(set(keys())) == 10


def test_killed_after_notifying_but_before_marking_sends_nothing_twice(program, monkeypatch):
    """The batch's notifications and its state commit together; even if a crash left the
    notifications without the state, the keys stop a second notification."""
    pairs = make_pairs(program, 2, "mark")
    for pair in pairs:
        SessionFactory(pairing=pair, starts_at=NOW + timedelta(hours=5))
    reminders.session_reminders_send(now=NOW)
    MentoringSession.objects.update(reminded_sequence=None)  # as if the state update was lost
    assert reminders.session_reminders_send(now=NOW) == 0
    assert Notification.objects.count() == 4
    assert set(MentoringSession.objects.values_list("reminded_sequence", flat=True)) == {0}


# --- Inactivity nudges -------------------------------------------------------------------


def quiet_pairing(program, *, days, prefix="quiet"):
    pair = make_pairs(program, 1, prefix)[0]
    Pairing.objects.filter(pk=pair.pk).update(started_at=NOW - timedelta(days=days + 30))
    SessionFactory(pairing=pair, starts_at=NOW - timedelta(days=days), held=True)
    return pair


def test_nudges_when_overdue_and_again_when_long_overdue_with_hr_told_once(
    program, hr_admin, django_capture_on_commit_callbacks
):
    program.cadence_days = 14
    program.save()
    fresh = quiet_pairing(program, days=3, prefix="fresh")
    quiet = quiet_pairing(program, days=15)

    assert reminders.inactivity_nudges_send(now=NOW) == 2
    assert Notification.objects.filter(kind="inactivity_nudge").count() == 2
    assert not Notification.objects.filter(recipient=hr_admin).exists()
    assert InactivityNudge.objects.get().pairing == quiet
    assert not InactivityNudge.objects.filter(pairing=fresh).exists()

    # Two weeks later, still nothing logged: the second nudge, and HR hears about it.
    later = NOW + timedelta(days=14)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.inactivity_nudges_send(now=later) == 3 + 2  # fresh is at 17 days now: first nudge
    hr_note = Notification.objects.get(recipient=hr_admin)
    assert hr_note.kind == "inactivity_hr"
    assert hr_note.title == "1 pair in Leadership Circle has had no session for 28+ days"
    assert "program=leadership-circle" in hr_note.url

    for _ in range(2):
        assert reminders.inactivity_nudges_send(now=later + timedelta(hours=6)) == 0
    assert Notification.objects.filter(recipient=hr_admin).count() == 1
    assert Notification.objects.count() == 7


def test_a_logged_session_starts_a_new_quiet_spell(program):
    pair = quiet_pairing(program, days=15)
    reminders.inactivity_nudges_send(now=NOW)
    SessionFactory(pairing=pair, starts_at=NOW - timedelta(days=1), held=True)
    assert reminders.inactivity_nudges_send(now=NOW + timedelta(days=5)) == 0
    assert reminders.inactivity_nudges_send(now=NOW + timedelta(days=14)) == 2


def test_a_pairing_first_seen_past_twice_the_threshold_gets_only_the_second_nudge(program):
    quiet_pairing(program, days=40)
    assert reminders.inactivity_nudges_send(now=NOW) == 2
    assert set(InactivityNudge.objects.values_list("level", flat=True)) == {2}
    assert all("No session with" in title for title in Notification.objects.values_list("title", flat=True))


def test_paused_programs_and_other_statuses_are_not_nudged(program):
    pair = quiet_pairing(program, days=20)
    Pairing.objects.filter(pk=pair.pk).update(status=Pairing.Status.COMPLETED)
    assert reminders.inactivity_nudges_send(now=NOW) == 0


def test_nudge_sweep_killed_mid_batch_then_rerun(program, monkeypatch):
    for i in range(5):
        quiet_pairing(program, days=15, prefix=f"k{i}")
    real = reminders.notifications_send_bulk
    calls = {"n": 0}

    def dies(items, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("killed")
        return real(items, **kwargs)

    monkeypatch.setattr(reminders, "notifications_send_bulk", dies)
    with pytest.raises(SystemExit):
        reminders.inactivity_nudges_send(now=NOW, batch_size=2)
    assert Notification.objects.count() == 4
    monkeypatch.setattr(reminders, "notifications_send_bulk", real)
    assert reminders.inactivity_nudges_send(now=NOW, batch_size=2) == 6
    assert Notification.objects.count() == len(set(keys())) == 10


# --- Overdue action items ----------------------------------------------------------------


def test_overdue_action_item_owner_told_once(pairing, mentee, mentor):
    session = SessionFactory(pairing=pairing, days=-10, held=True)
    overdue = ActionItemFactory(session=session, owner=mentee.person, due_in_days=-2, title="Send the deck")
    ActionItemFactory(session=session, owner=mentor.person, due_in_days=3)  # not due yet
    ActionItemFactory(session=session, owner=mentor.person, due_in_days=-2, done_at=timezone.now())  # done

    assert reminders.action_item_overdue_reminders_send() == 1
    assert reminders.action_item_overdue_reminders_send() == 0
    note = Notification.objects.get()
    assert note.recipient == mentee
    assert note.title.endswith("Send the deck")
    overdue.refresh_from_db()
    assert overdue.overdue_notified_at is not None


# --- Scale -------------------------------------------------------------------------------


def sweep_queries(now):
    with CaptureQueriesContext(connection) as queries:
        reminders.session_reminders_send(now=now)
        reminders.inactivity_nudges_send(now=now)
        reminders.action_item_overdue_reminders_send(now=now)
    return len(queries)


@pytest.mark.parametrize("size", [2, 12])
def test_sweep_query_count_does_not_grow_with_pairings(program, hr_admin, size):
    for pair in make_pairs(program, size, f"scale{size}"):
        Pairing.objects.filter(pk=pair.pk).update(started_at=NOW - timedelta(days=40))
        SessionFactory(pairing=pair, starts_at=NOW + timedelta(hours=3))
        held = SessionFactory(pairing=pair, starts_at=NOW - timedelta(days=30), held=True)
        ActionItemFactory(session=held, due_in_days=-40)
    ActionItem.objects.update(due_date=(NOW - timedelta(days=2)).date())
    # Every sweep has work to do; the count is the same for 2 pairings and for 12.
    assert sweep_queries(NOW) == 31
    assert Notification.objects.filter(kind="session_reminder").count() == 2 * size
    assert Notification.objects.filter(kind="inactivity_nudge").count() == 2 * size
    assert Notification.objects.filter(kind="action_item_overdue").count() == size
    assert Notification.objects.filter(kind="inactivity_hr").count() == 1
    # And a rerun with nothing new to say is cheaper still, and says nothing.
    assert sweep_queries(NOW) == 5
    assert Notification.objects.count() == 5 * size + 1


def test_notifications_send_bulk_skips_taken_and_repeated_keys(alice, bob):
    from core.notifications import notification_send, notifications_send_bulk

    notification_send(recipient=alice, kind="program_status", title="Earlier", key="taken", email=False)
    items = [
        {"recipient_id": alice.pk, "kind": "program_status", "title": "A", "key": "taken"},
        {"recipient_id": alice.pk, "kind": "program_status", "title": "B", "key": "new-1"},
        {"recipient_id": bob.pk, "kind": "program_status", "title": "C", "key": "new-1"},
        {"recipient_id": bob.pk, "kind": "program_status", "title": "D" * 300, "key": "new-2", "email": False},
    ]
    ids = notifications_send_bulk(items, batch_size=2)
    assert list(Notification.objects.filter(pk__in=ids).values_list("idempotency_key", flat=True)) == ["new-1"]
    assert Notification.objects.get(idempotency_key="new-1").recipient == alice
    skipped = Notification.objects.get(idempotency_key="new-2")
    assert skipped.email_status == "skipped" and len(skipped.title) == 200
    assert Notification.objects.get(idempotency_key="taken").title == "Earlier"
    assert notifications_send_bulk(items) == []
    assert Notification.objects.count() == 3
