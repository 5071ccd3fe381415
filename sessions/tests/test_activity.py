"""One rule for a quiet pair (sessions.activity): the nudges, HR's nudge, the oversight page
and pair health agree on when a pair is overdue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Notification
from evaluation.health import health_signs
from matching.models import Pairing
from sessions import activity, nudges, reminders
from sessions.models import InactivityNudge, MentoringSession

NOW = timezone.now().replace(microsecond=0)


def quiet_for(pairing, days):
    """The pair's last held session was ``days`` days ago (and it started long before)."""
    Pairing.objects.filter(pk=pairing.pk).update(started_at=NOW - timedelta(days=days + 60))
    MentoringSession.objects.filter(pairing=pairing).delete()
    MentoringSession.objects.create(
        pairing=pairing, starts_at=NOW - timedelta(days=days), status=MentoringSession.Status.HELD
    )


@pytest.mark.parametrize("cadence", [7, 14, 30])
@pytest.mark.parametrize("days", [1, 6, 8, 13, 15, 29, 31, 59, 61])
def test_the_sweep_nudges_exactly_the_pairs_pair_health_calls_overdue(program, pairing, cadence, days):
    program.cadence_days = cadence
    program.save()
    quiet_for(pairing, days)

    reminders.inactivity_nudges_send(now=NOW)

    signs = health_signs(
        quiet_since=NOW - timedelta(days=days),
        health_start=NOW - timedelta(days=days + 60),
        low_rating=False,
        has_goal=True,
        goal_moved=True,
        moment=NOW,
        cadence_days=cadence,
    )
    level = InactivityNudge.objects.filter(pairing=pairing).values_list("level", flat=True).first()
    # Overdue on the dashboard <=> nudged; long overdue <=> the second nudge (HR told).
    assert (level is not None) == signs.overdue
    assert (level == activity.LONG_OVERDUE) == signs.long_overdue


def test_an_hr_nudge_is_recorded_for_the_quiet_spell_and_the_sweep_does_not_repeat_it(
    program, pairing, hr_admin, client
):
    program.cadence_days = 14
    program.save()
    quiet_for(pairing, 20)

    assert nudges.pairing_nudge(pairing=pairing, user=hr_admin, now=NOW) == 2
    nudge = InactivityNudge.objects.get(pairing=pairing)
    assert (nudge.level, nudge.sent_by, nudge.since) == (activity.OVERDUE, hr_admin, NOW - timedelta(days=20))
    assert nudge.hr_notified_at is not None  # HR nudged it: the "HR has been told" digest skips it

    # The sweep sees HR's nudge: nobody hears about the same quiet spell twice.
    assert reminders.inactivity_nudges_send(now=NOW + timedelta(hours=1)) == 0
    assert Notification.objects.count() == 2

    # The oversight page lists it among the nudged ("quiet") pairs.
    client.force_login(hr_admin)
    page = client.get("/mentoring/hr/?quiet=1")
    assert [p.pk for p in page.context["page"].object_list] == [pairing.pk]

    # Still nothing logged at twice the cadence: the sweep escalates, HR is told.
    later = NOW + timedelta(days=10)
    assert reminders.inactivity_nudges_send(now=later) == 2 + 1
    assert set(InactivityNudge.objects.values_list("level", flat=True)) == {1, 2}


def test_hr_nudging_a_long_overdue_pair_records_the_second_level_and_no_digest_follows(program, pairing, hr_admin):
    program.cadence_days = 7
    program.save()
    quiet_for(pairing, 30)
    nudges.pairing_nudge(pairing=pairing, user=hr_admin, now=NOW)
    assert InactivityNudge.objects.get().level == activity.LONG_OVERDUE
    assert reminders.inactivity_nudges_send(now=NOW + timedelta(hours=1)) == 0
    assert not Notification.objects.filter(recipient=hr_admin).exists()


def test_a_second_hr_nudge_on_another_day_records_nothing_new(program, pairing, hr_admin):
    quiet_for(pairing, 20)
    nudges.pairing_nudge(pairing=pairing, user=hr_admin, now=NOW)
    assert nudges.pairing_nudge(pairing=pairing, user=hr_admin, now=NOW + timedelta(days=1)) == 2
    assert InactivityNudge.objects.count() == 1


def test_only_hr_admins_nudge_and_only_active_pairs(program, pairing, hr_admin):
    with pytest.raises(nudges.NudgeError):
        nudges.pairing_nudge(pairing=pairing, user=pairing.mentor.person.user, now=NOW)
    Pairing.objects.filter(pk=pairing.pk).update(status=Pairing.Status.COMPLETED)
    pairing.refresh_from_db()
    with pytest.raises(nudges.NudgeError):
        nudges.pairing_nudge(pairing=pairing, user=hr_admin, now=NOW)
    assert not InactivityNudge.objects.exists() and not Notification.objects.exists()
