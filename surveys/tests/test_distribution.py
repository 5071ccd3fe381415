"""Distribution: event hooks, the hourly sweep (open, invite, remind once, close),
and that running anything twice does no harm."""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateformat import format as date_format

from core.models import Notification
from matching.models import Pairing
from people.tests.factories import PersonFactory
from programs.models import Enrollment, Program, Role
from programs.tests.factories import EnrollmentFactory
from surveys import services, tasks
from surveys.models import SurveyInstance, SurveyInvitation
from surveys.tests.factories import SurveyFactory, SurveyQuestionFactory, pairing, participant

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def scheduled(program, **fields):
    survey = SurveyFactory(program=program, **fields)
    SurveyQuestionFactory(survey=survey)
    return survey


def notifications(kind):
    return list(Notification.objects.filter(kind=kind).order_by("pk"))


# --- The sweep: program schedules -------------------------------------------------------


def test_midpoint_round_opens_once_and_each_person_is_invited_once(program, alice_mentee, bob_mentor):
    today = timezone.localdate()
    program.start_date, program.end_date = today - 30 * DAY, today + 30 * DAY
    program.save()
    survey = scheduled(program, trigger="program_midpoint", audience="both")
    EnrollmentFactory(program=program, role=Role.MENTEE, status=Enrollment.Status.WITHDRAWN)
    no_account = EnrollmentFactory(program=program, role=Role.MENTOR, person=PersonFactory(user=None))

    first = services.surveys_sweep()
    second = services.surveys_sweep()

    assert first == {"closed": 0, "opened": 1, "invited": 2, "reminded": 0}
    assert second == {"closed": 0, "opened": 0, "invited": 0, "reminded": 0}
    instance = SurveyInstance.objects.get(survey=survey)
    assert instance.occurrence == "program-midpoint" and instance.occurs_on == today
    # Someone without an account yet is asked too (they find it when they sign in) but can't be notified.
    assert {i.enrollment_id for i in instance.invitations.all()} == {alice_mentee.pk, bob_mentor.pk, no_account.pk}
    sent = notifications("survey_invitation")
    assert sorted(n.recipient.email for n in sent) == ["alice@example.com", "bob@example.com"]
    alice_invitation = instance.invitations.get(enrollment=alice_mentee)
    assert Notification.objects.get(recipient__email="alice@example.com").url == (
        f"/surveys/invitations/{alice_invitation.pk}/"
    )


def test_sweep_run_twice_sends_one_invitation_one_notification_and_one_reminder(program, alice_mentee):
    survey = scheduled(program, trigger="program_day", days=60, audience="mentees", open_days=10, reminder_days=3)
    now = timezone.now()

    services.surveys_sweep(now=now)
    services.surveys_sweep(now=now)
    assert SurveyInvitation.objects.count() == 1
    assert len(notifications("survey_invitation")) == 1

    remind_time = now + 8 * DAY
    assert services.surveys_sweep(now=remind_time)["reminded"] == 1
    assert services.surveys_sweep(now=remind_time + datetime.timedelta(hours=1))["reminded"] == 0
    assert len(notifications("survey_reminder")) == 1
    assert SurveyInvitation.objects.get().reminded_at == remind_time

    closed = services.surveys_sweep(now=now + 11 * DAY)
    assert closed["closed"] == 1 and closed["opened"] == 0
    assert SurveyInstance.objects.get(survey=survey).status == SurveyInstance.Status.CLOSED
    assert services.surveys_sweep(now=now + 12 * DAY) == {"closed": 0, "opened": 0, "invited": 0, "reminded": 0}


def test_people_who_answered_get_no_reminder(program, alice_mentee, bob_mentor):
    survey = scheduled(program, trigger="program_day", days=60, audience="both", open_days=10, reminder_days=3)
    now = timezone.now()
    services.surveys_sweep(now=now)
    invitation = SurveyInvitation.objects.get(enrollment=alice_mentee)
    services.survey_response_submit(invitation=invitation, answers={survey.questions.get().pk: 4}, now=now + DAY)
    services.surveys_sweep(now=now + 8 * DAY)
    assert [n.recipient.email for n in notifications("survey_reminder")] == ["bob@example.com"]


def test_old_occurrences_are_not_opened_late_and_future_ones_wait(program, alice_mentee):
    scheduled(program, trigger="program_day", days=30, open_days=14)  # day 30 was 30 days ago: missed
    scheduled(program, trigger="program_day", days=90, open_days=14)  # day 90 is in 30 days
    assert services.surveys_sweep()["opened"] == 0


@pytest.mark.parametrize(
    ("fields", "occurrence"),
    [
        ({"trigger": "program_every", "days": 14, "open_days": 14}, "program-every:14:4"),
        ({"trigger": "program_end", "days": 120, "open_days": 7}, "program-end:120"),
        ({"trigger": "program_day", "days": 55, "open_days": 7}, "program-day:55"),
    ],
)
def test_program_schedules(program, alice_mentee, fields, occurrence):
    # The program started 60 days ago and ends in 120.
    survey = scheduled(program, **fields)
    assert services.surveys_sweep()["opened"] == 1
    assert SurveyInstance.objects.get(survey=survey).occurrence == occurrence


@pytest.mark.parametrize("status", [Program.Status.ENROLLING, Program.Status.CLOSED])
def test_schedules_wait_for_a_running_program(program, alice_mentee, status):
    Program.objects.filter(pk=program.pk).update(status=status)
    scheduled(program, trigger="program_day", days=60)
    assert services.surveys_sweep()["opened"] == 0


@pytest.mark.parametrize("status", ["draft", "paused"])
def test_draft_and_paused_surveys_are_not_sent(program, alice_mentee, status):
    scheduled(program, trigger="program_day", days=60, status=status)
    assert services.surveys_sweep()["opened"] == 0


# --- The sweep: pairing schedules -------------------------------------------------------


def test_pairing_check_in_opens_for_pairings_at_day_30_only(program):
    now = timezone.now()
    due = pairing(program, started_at=now - 30 * DAY)
    pairing(program, started_at=now - 5 * DAY)  # too early
    pairing(program, started_at=now - 50 * DAY)  # its day 30 round would have closed
    pairing(program, started_at=now - 30 * DAY, status=Pairing.Status.ENDED)  # no longer active
    survey = scheduled(program, trigger="pairing_day", days=30, audience="mentees", open_days=10)

    assert services.surveys_sweep(now=now)["opened"] == 1
    instance = SurveyInstance.objects.get(survey=survey)
    assert instance.pairing == due and instance.occurrence == f"pairing:{due.pk}:day:30"
    assert [i.enrollment_id for i in instance.invitations.all()] == [due.mentee_id]


def test_pairing_midpoint_and_every(program):
    now = timezone.now()
    # Program ends in 120 days; a pairing that started 120 days before that is at its midpoint.
    halfway = pairing(program, started_at=now - 120 * DAY)
    every = scheduled(program, trigger="pairing_every", days=20, open_days=10)
    mid = scheduled(program, trigger="pairing_midpoint", open_days=10)
    services.surveys_sweep(now=now)
    assert SurveyInstance.objects.get(survey=mid).occurrence == f"pairing:{halfway.pk}:midpoint"
    assert SurveyInstance.objects.get(survey=every).occurrence == f"pairing:{halfway.pk}:every:20:6"


def test_opening_is_set_based_not_a_query_per_pairing(program):
    now = timezone.now()
    scheduled(program, trigger="pairing_day", days=30, open_days=10)

    def queries_to_open(pairings):
        for _ in range(pairings):
            pairing(program, started_at=now - 30 * DAY)
        SurveyInstance.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            assert services.survey_instances_open_due(now=now) == Pairing.objects.filter(program=program).count()
        return len(ctx.captured_queries)

    assert queries_to_open(2) == queries_to_open(6)


def test_inviting_and_reminding_are_set_based(program):
    survey = scheduled(program, trigger="program_day", days=60, open_days=10, reminder_days=3)
    now = timezone.now()

    def queries(people):
        for _ in range(people):
            participant(program)
        SurveyInstance.objects.all().delete()
        Notification.objects.all().delete()
        services.survey_instances_open_due(now=now)
        with CaptureQueriesContext(connection) as invite:
            assert services.survey_invitations_send(now=now) == people_total()
        with CaptureQueriesContext(connection) as remind:
            assert services.survey_reminders_send(now=now + 8 * DAY) == people_total()
        return len(invite.captured_queries), len(remind.captured_queries)

    def people_total():
        return survey.program.enrollments.count()

    assert queries(2) == queries(9)


# --- Event hooks ------------------------------------------------------------------------


def test_session_held_opens_a_pulse_for_both_people_once(program, alice_and_bob, django_capture_on_commit_callbacks):
    pulse = scheduled(program, trigger="session_held", audience="both", open_days=7, reminder_days=2)
    scheduled(program, trigger="pairing_ended")  # another trigger: not opened

    with django_capture_on_commit_callbacks(execute=True):
        opened = services.surveys_on_session_held(session_id=812, pairing_id=alice_and_bob.pk)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.surveys_on_session_held(session_id=812, pairing_id=alice_and_bob.pk)

    instance = SurveyInstance.objects.get()
    assert opened == [instance.pk] and again == []
    assert instance.survey == pulse and instance.session_id == 812 and instance.pairing == alice_and_bob
    assert instance.closes_at - instance.opens_at == 7 * DAY
    assert sorted(i.role for i in instance.invitations.all()) == ["mentee", "mentor"]
    assert len(notifications("survey_invitation")) == 2  # sent right away, not at the next sweep
    assert services.surveys_sweep()["invited"] == 0


def test_each_held_session_gets_its_own_pulse_for_the_audience(program, alice_and_bob):
    scheduled(program, trigger="session_held", audience="mentees")
    services.surveys_on_session_held(session_id=1, pairing_id=alice_and_bob.pk)
    services.surveys_on_session_held(session_id=2, pairing_id=alice_and_bob.pk)
    assert SurveyInstance.objects.count() == 2
    assert set(SurveyInvitation.objects.values_list("role", flat=True)) == {"mentee"}


def test_session_hook_ignores_unknown_and_unconfirmed_pairings(program):
    scheduled(program, trigger="session_held")
    proposed = pairing(program, status=Pairing.Status.PROPOSED)
    assert services.surveys_on_session_held(session_id=1, pairing_id=999_999) == []
    assert services.surveys_on_session_held(session_id=1, pairing_id=proposed.pk) == []
    assert not SurveyInstance.objects.exists()


def test_pairing_ended_early_opens_the_exit_survey_once(program, alice_and_bob):
    exit_survey = scheduled(program, trigger="pairing_ended", audience="both")
    Pairing.objects.filter(pk=alice_and_bob.pk).update(status=Pairing.Status.ENDED, ended_at=timezone.now())
    assert len(services.surveys_on_pairing_ended(pairing_id=alice_and_bob.pk)) == 1
    assert services.surveys_on_pairing_ended(pairing_id=alice_and_bob.pk) == []
    instance = SurveyInstance.objects.get(survey=exit_survey)
    assert instance.invitations.count() == 2


def test_completed_pairings_and_unstarted_proposals_get_no_exit_survey(program, alice_and_bob):
    scheduled(program, trigger="pairing_ended")
    Pairing.objects.filter(pk=alice_and_bob.pk).update(status=Pairing.Status.COMPLETED)
    assert services.surveys_on_pairing_ended(pairing_id=alice_and_bob.pk) == []
    never_started = pairing(program, status=Pairing.Status.PROPOSED)
    Pairing.objects.filter(pk=never_started.pk).update(status=Pairing.Status.ENDED, started_at=None)
    assert services.surveys_on_pairing_ended(pairing_id=never_started.pk) == []


# --- Sending by hand, tasks and the schedule --------------------------------------------


def test_send_now_opens_one_round_for_the_audience(program, alice_mentee, bob_mentor, hr_admin):
    survey = scheduled(program, trigger="manual", audience="mentors")
    instance = services.survey_send_now(survey=survey, user=hr_admin)
    assert [i.enrollment_id for i in instance.invitations.all()] == [bob_mentor.pk]
    with pytest.raises(ValidationError, match="open until"):
        services.survey_send_now(survey=survey, user=hr_admin)


def test_send_now_refuses_scheduled_surveys_and_empty_audiences(program, hr_admin):
    with pytest.raises(ValidationError, match="by hand"):
        services.survey_send_now(survey=scheduled(program, trigger="program_midpoint"), user=hr_admin)
    with pytest.raises(ValidationError, match="Nobody"):
        services.survey_send_now(survey=scheduled(program, trigger="manual"), user=hr_admin)


def test_tasks_take_ids_and_ignore_bad_ones(program, alice_mentee):
    scheduled(program, trigger="program_day", days=60)
    assert tasks.surveys_sweep.delay().get()["opened"] == 1
    assert tasks.survey_instance_invite.delay("not-an-id").get() == 0
    assert tasks.survey_instance_invite.delay(SurveyInstance.objects.get().pk).get() == 0  # already sent


def test_sweep_is_on_the_hourly_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["surveys-sweep"]
    assert entry["task"] == "surveys.tasks.surveys_sweep"
    assert entry["schedule"].minute == {7} and len(entry["schedule"].hour) == 24


def test_invitation_tells_the_closing_date_in_the_persons_time_zone(program, alice_mentee):
    alice_mentee.person.time_zone = "Australia/Sydney"
    alice_mentee.person.save()
    for _ in range(4):  # an anonymous survey needs five people to ask
        participant(program, role=Role.MENTEE)
    scheduled(program, trigger="program_day", days=60, audience="mentees", anonymous=True, title="Mid check")
    now = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(20, 0)))
    services.surveys_sweep(now=now)
    notification = Notification.objects.get(recipient=alice_mentee.person.user)
    local_close = date_format((now + 14 * DAY).astimezone(zoneinfo.ZoneInfo("Australia/Sydney")), "l j F")
    assert notification.title == "Please answer: Mid check"
    assert f"Please answer by {local_close}." in notification.body
    assert "Your answers are anonymous." in notification.body
