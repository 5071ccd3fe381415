"""Stored pair health (``PairHealth``): it equals the live rule, follows events at once, the
sweep recomputes only what time changed, and a refresh run twice changes nothing."""

import random
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from evaluation import services, tasks
from evaluation.health import health_reasons, pairings_with_health
from evaluation.models import PairHealth, ProgramHealthState
from goals import services as goal_services
from goals.models import Goal
from goals.tests.factories import GoalFactory
from matching import services as matching_services
from matching.models import Pairing
from matching.tests.factories import PairingFactory
from programs.models import Program
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from sessions import services as session_services
from sessions.tests.factories import SessionFactory
from surveys import services as survey_services
from surveys.tests.factories import SurveyFactory, SurveyInstanceFactory, SurveyInvitationFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db

FACTS = ("quiet_since", "health_start", "mentor_low_rating", "mentee_low_rating", "has_goal", "goal_moved")


def live(program, now):
    """Each active pairing's health by the rule, computed now: what the stored rows must say."""
    found = {}
    for pairing in pairings_with_health(program=program, now=now):
        codes = [reason.code for reason in health_reasons(pairing=pairing, program=program, moment=now)]
        facts = (pairing.quiet_since, pairing.health_start, *(bool(getattr(pairing, f)) for f in FACTS[2:]))
        found[pairing.pk] = (pairing.health_level, codes, facts)
    return found


def stored(program):
    found = {}
    for row in PairHealth.objects.filter(program=program):
        codes = [reason.code for reason in health_reasons(pairing=row, program=program, moment=row.computed_at)]
        assert codes == row.reasons
        found[row.pairing_id] = (row.level, row.reasons, tuple(getattr(row, f) for f in FACTS))
    return found


def snapshot_rows(program):
    return {
        row.pk: tuple(getattr(row, f.attname) for f in PairHealth._meta.concrete_fields)
        for row in PairHealth.objects.filter(program=program)
    }


# --- The stored health is the rule's -------------------------------------------------------


def test_the_scenario_stored_equals_the_live_rule(scenario):
    program = scenario.program
    now = timezone.now()
    result = services.pair_health_refresh(program=program, now=now)
    assert (result.computed, result.written, result.deleted) == (3, 3, 0)
    assert stored(program) == live(program, now)
    p1, p2, p3, *_ = scenario.pairings
    rows = {row.pairing_id: row for row in PairHealth.objects.all()}
    assert set(rows) == {p1.pk, p2.pk, p3.pk}  # only the active pairings
    assert [rows[p.pk].level for p in (p1, p2, p3)] == [0, 1, 2]
    assert rows[p3.pk].reasons == ["long_overdue", "low_rating", "no_goals"]
    assert (rows[p3.pk].mentor_low_rating, rows[p3.pk].mentee_low_rating) == (True, False)
    assert rows[p3.pk].last_session_at is None and rows[p2.pk].last_session_at == rows[p2.pk].quiet_since
    assert ProgramHealthState.objects.get(program=program).checked_at == now


def random_program(seed: int, pairs: int = 25):
    """Pairs with random starts, held and cancelled sessions, goals (none, still, moved, dropped)
    and ratings (low or not, before the start or after, attributed or anonymous)."""
    rng = random.Random(seed)
    program = ProgramFactory(running=True, slug=f"random-{seed}", cadence_days=rng.choice([7, 10, 14, 21, 30]))
    survey = SurveyFactory(program=program, pulse=True)
    rating, _ = survey.questions.order_by("order")
    anonymous = SurveyFactory(program=program, pulse=True, anonymous=True)
    anonymous_rating, _ = anonymous.questions.order_by("order")
    for _ in range(pairs):
        mentor, mentee = (
            EnrollmentFactory(program=program, mentor=True),
            EnrollmentFactory(program=program, mentee=True),
        )
        started = rng.randint(1, 120)
        pairing = PairingFactory(active=True, program=program, mentor=mentor, mentee=mentee, started_days_ago=started)
        for _ in range(rng.randint(0, 3)):
            SessionFactory(
                pairing=pairing, days=-(rng.uniform(0.1, started)), status=rng.choice(["held", "held", "cancelled"])
            )
        for _ in range(rng.randint(0, 2)):
            kind = rng.choice(["still", "moved", "dropped"])
            created = rng.randint(1, started + 10)
            if kind == "moved":
                GoalFactory(
                    enrollment=mentee,
                    created_days_ago=created,
                    status=Goal.Status.IN_PROGRESS,
                    progress=40,
                    moved_days_ago=rng.uniform(0.1, created),
                )
            else:
                GoalFactory(
                    enrollment=mentee,
                    created_days_ago=created,
                    status=Goal.Status.DROPPED if kind == "dropped" else Goal.Status.NOT_STARTED,
                )
        for person in (mentor, mentee):
            if rng.random() < 0.6:
                days = rng.randint(0, started + 20)
                instance = SurveyInstanceFactory(survey=survey, days_ago=days + 1)
                SurveyResponseFactory(
                    instance=instance, enrollment=person, answers={rating: rng.randint(1, 5)}, days_ago=days
                )
            if rng.random() < 0.2:
                SurveyResponseFactory(
                    instance=SurveyInstanceFactory(survey=anonymous),
                    enrollment=person,
                    answers={anonymous_rating: 1},
                    anonymous=True,
                )
    PairingFactory(
        ended=True,
        program=program,
        mentor=EnrollmentFactory(program=program, mentor=True),
        mentee=EnrollmentFactory(program=program, mentee=True),
        started_days_ago=50,
        ended_days_ago=10,
    )
    return program


@pytest.mark.parametrize("seed", range(4))
def test_stored_health_equals_the_live_rule_on_random_pairs(seed):
    program = random_program(seed)
    now = timezone.now()
    services.pair_health_refresh(program=program, now=now)
    expected = live(program, now)
    assert len(expected) == 25
    assert stored(program) == expected
    # Refreshing the pairs one at a time (as after events) gives the same rows.
    PairHealth.objects.all().delete()
    services.pairings_health_refresh(pairing_ids=list(expected))
    assert {pk: (level, codes) for pk, (level, codes, _) in stored(program).items()} == {
        pk: (level, codes) for pk, (level, codes, _) in live(program, timezone.now()).items()
    }


@pytest.mark.parametrize("seed", range(2))
def test_the_sweep_keeps_the_stored_health_equal_to_the_rule_as_time_passes(seed):
    program = random_program(seed + 10)
    start = timezone.now()
    services.pair_health_refresh(program=program, now=start)
    for hours in (6, 30, 80, 200, 500, 1200):
        later = start + timedelta(hours=hours)
        services.pair_health_check(program=program, now=later)
        assert {pk: value[:2] for pk, value in stored(program).items()} == {
            pk: value[:2] for pk, value in live(program, later).items()
        }, hours


# --- Events update the stored health at once --------------------------------------------------


def test_a_logged_session_updates_the_pairs_health_without_the_sweep(refreshed, django_capture_on_commit_callbacks):
    p2 = refreshed.pairings[1]
    assert PairHealth.objects.get(pairing=p2).reasons == ["overdue"]
    with django_capture_on_commit_callbacks(execute=True):
        session_services.session_log(
            pairing=p2, user=p2.mentor.person.user, starts_at=timezone.now() - timedelta(hours=2), duration_minutes=45
        )
    row = PairHealth.objects.get(pairing=p2)
    assert (row.level, row.reasons) == (0, [])
    assert row.last_session_at > timezone.now() - timedelta(hours=3)


def test_a_session_rolled_back_changes_nothing(refreshed, django_capture_on_commit_callbacks):
    p2 = refreshed.pairings[1]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        session_services.session_log(
            pairing=p2, user=p2.mentor.person.user, starts_at=timezone.now() - timedelta(hours=2), duration_minutes=45
        )
        raise RuntimeError("the request failed after the write")
    assert PairHealth.objects.get(pairing=p2).reasons == ["overdue"]


def test_a_goal_set_and_moved_updates_the_pairs_health(refreshed, django_capture_on_commit_callbacks):
    p3 = refreshed.pairings[2]
    mentee = p3.mentee.person.user
    with django_capture_on_commit_callbacks(execute=True):
        goal = goal_services.goal_create(enrollment=p3.mentee, user=mentee, title="Run a meeting")
    assert PairHealth.objects.get(pairing=p3).reasons == ["long_overdue", "low_rating", "no_progress"]
    with django_capture_on_commit_callbacks(execute=True):
        goal_services.goal_progress_update(goal=goal, user=mentee, progress=20)
    assert PairHealth.objects.get(pairing=p3).reasons == ["long_overdue", "low_rating"]


def test_an_attributed_low_rating_updates_the_pairs_health(refreshed, django_capture_on_commit_callbacks):
    p1 = refreshed.pairings[0]
    assert PairHealth.objects.get(pairing=p1).level == 0
    survey = SurveyFactory(program=refreshed.program, pulse=True)
    rating, nps = survey.questions.order_by("order")
    invitation = SurveyInvitationFactory(
        instance=SurveyInstanceFactory(survey=survey, days_ago=1), enrollment=p1.mentee
    )
    with django_capture_on_commit_callbacks(execute=True):
        survey_services.survey_response_submit(invitation=invitation, answers={rating.pk: 1, nps.pk: 5})
    row = PairHealth.objects.get(pairing=p1)
    assert (row.level, row.reasons, row.mentee_low_rating) == (2, ["low_rating"], True)


def test_an_anonymous_answer_is_never_traced_to_the_pair(refreshed, django_capture_on_commit_callbacks):
    p1 = refreshed.pairings[0]
    survey = SurveyFactory(program=refreshed.program, pulse=True, anonymous=True)
    rating, nps = survey.questions.order_by("order")
    invitation = SurveyInvitationFactory(
        instance=SurveyInstanceFactory(survey=survey, days_ago=1), enrollment=p1.mentee
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        survey_services.survey_response_submit(invitation=invitation, answers={rating.pk: 1, nps.pk: 5})
    assert PairHealth.objects.get(pairing=p1).level == 0
    assert not any("survey_answered" in repr(callback) for callback in callbacks)


def test_a_pairing_that_starts_or_ends_gets_or_loses_its_row(refreshed, hr_admin, django_capture_on_commit_callbacks):
    program = refreshed.program
    proposed = refreshed.pairings[4]
    Pairing.objects.filter(pk=proposed.pk).update(status=Pairing.Status.ACCEPTED)
    proposed.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert matching_services.pairing_activate(pairing=proposed)
    assert PairHealth.objects.get(pairing=proposed).level == 0  # just started: healthy
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.pairing_end(pairing=refreshed.pairings[2], user=hr_admin, reason="Moved abroad")
    assert not PairHealth.objects.filter(pairing=refreshed.pairings[2]).exists()
    assert stored(program) == live(program, timezone.now())


def test_a_program_that_closes_loses_its_rows(refreshed, django_capture_on_commit_callbacks):
    program = refreshed.program
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.program_pairings_complete(program=program)
    assert not PairHealth.objects.filter(program=program).exists()


# --- The sweep and the refresh jobs --------------------------------------------------------------


def test_a_new_programs_dashboard_says_health_is_not_computed_until_the_first_sweep(hr_client):
    program = random_program(seed=7, pairs=12)
    url = f"/dashboards/programs/{program.slug}/"
    response = hr_client.get(url)
    dashboard = response.context["dashboard"]
    assert dashboard.pair_health.as_of is None and dashboard.at_risk == []
    html = response.content.decode()
    assert 'data-testid="health-not-computed"' in html and 'data-testid="no-at-risk"' not in html
    listed = hr_client.get(url + "health/")
    assert 'data-testid="health-not-computed"' in listed.content.decode()
    assert listed.context["counts"] == {"healthy": 0, "cooling": 0, "at_risk": 0}

    assert tasks.pair_health_sweep() == 12
    response = hr_client.get(url)
    dashboard = response.context["dashboard"]
    rule = live(program, timezone.now())
    at_risk = sorted(
        (row for row in PairHealth.objects.filter(program=program, level=2)), key=lambda r: (r.quiet_since, r.pk)
    )
    assert dashboard.at_risk_total == sum(1 for level, _, _ in rule.values() if level == 2)
    assert [row.pairing.pk for row in dashboard.at_risk] == [row.pairing_id for row in at_risk][:10]
    assert 'data-testid="health-as-of"' in response.content.decode()
    counts = hr_client.get(url + "health/").context["counts"]
    assert counts == {
        health: sum(1 for level, _, _ in rule.values() if level == number)
        for number, health in enumerate(["healthy", "cooling", "at_risk"])
    }


def test_the_sweep_recomputes_only_what_time_changed(db):
    program = ProgramFactory(running=True, cadence_days=14)
    mentor, mentee = EnrollmentFactory(program=program, mentor=True), EnrollmentFactory(program=program, mentee=True)
    pairing = PairingFactory(active=True, program=program, mentor=mentor, mentee=mentee, started_days_ago=60)
    SessionFactory(pairing=pairing, held=True, days=-13)
    GoalFactory(enrollment=mentee, created_days_ago=50, status=Goal.Status.IN_PROGRESS, progress=50, moved_days_ago=5)
    now = timezone.now()
    services.pair_health_refresh(program=program, now=now)
    row = PairHealth.objects.get()
    assert row.level == 0 and row.due_at == row.quiet_since + timedelta(days=14)

    half_a_day = services.pair_health_check(program=program, now=now + timedelta(hours=12))
    assert (half_a_day.computed, half_a_day.written) == (0, 0)
    two_days = services.pair_health_check(program=program, now=now + timedelta(days=2))
    assert (two_days.computed, two_days.written) == (1, 1)
    row = PairHealth.objects.get()
    assert (row.level, row.reasons, row.due_at) == (1, ["overdue"], row.quiet_since + timedelta(days=28))
    assert ProgramHealthState.objects.get(program=program).checked_at == now + timedelta(days=2)


def test_the_sweep_follows_changes_made_without_an_event(refreshed):
    program = refreshed.program
    p1, p2, p3, *_ = refreshed.pairings
    Program.objects.filter(pk=program.pk).update(cadence_days=60)  # e.g. in the admin
    Pairing.objects.filter(pk=p3.pk).update(status=Pairing.Status.COMPLETED, ended_at=timezone.now())
    newcomer = PairingFactory(
        active=True,
        program=program,
        mentor=EnrollmentFactory(program=program, mentor=True),
        mentee=EnrollmentFactory(program=program, mentee=True),
        started_days_ago=3,
    )
    services.pair_health_sweep()
    program.refresh_from_db()
    assert set(PairHealth.objects.values_list("pairing_id", flat=True)) == {p1.pk, p2.pk, newcomer.pk}
    assert stored(program) == live(program, timezone.now())
    assert set(PairHealth.objects.values_list("cadence_days", flat=True)) == {60}


def test_the_refresh_and_the_sweep_run_twice_change_nothing(refreshed):
    program = refreshed.program
    before = snapshot_rows(program)
    again = services.pair_health_refresh(program=program)
    assert (again.computed, again.written, again.deleted) == (3, 0, 0)
    assert services.pair_health_sweep()[0].written == 0
    assert tasks.pair_health_sweep() == 0
    assert snapshot_rows(program) == before  # computed_at included: not one row rewritten


@pytest.mark.parametrize("size", [3, 30])
def test_a_sweep_with_nothing_due_takes_the_same_few_queries_at_any_size(populate, size, django_assert_num_queries):
    program = populate(ProgramFactory(running=True, slug="sized"), size)
    services.pair_health_refresh(program=program)
    # Rows of ended pairings, programs; per program: (savepoint) lock, new pairings, due rows, gone
    # rows, checked_at (release). No fact is read, no row written.
    with django_assert_num_queries(9):
        assert [result.computed for result in services.pair_health_sweep()] == [0]


@pytest.mark.parametrize("size", [3, 30])
def test_refreshing_one_pairing_takes_the_same_queries_at_any_size(populate, size, django_assert_num_queries):
    program = populate(ProgramFactory(running=True, slug="sized"), size)
    services.pair_health_refresh(program=program)
    pairing = Pairing.objects.filter(program=program).first()
    # Its program, the program, (savepoint) lock, the two people, the facts, the stored row
    # (unchanged: nothing written) (release).
    with django_assert_num_queries(8):
        services.pairings_health_refresh(pairing_ids=[pairing.pk])


def test_the_nightly_evaluation_recomputes_the_stored_health_and_its_snapshot_agrees(scenario):
    snapshot = services.program_evaluate(program=scenario.program)
    state = ProgramHealthState.objects.get(program=scenario.program)
    assert state.recomputed_at == state.checked_at == snapshot.computed_at
    levels = list(PairHealth.objects.values_list("level", flat=True))
    assert (snapshot.pairings_healthy, snapshot.pairings_cooling, snapshot.pairings_at_risk) == tuple(
        levels.count(level) for level in (0, 1, 2)
    )
    # Past days are computed from the history, never from the stored rows.
    past = services.program_evaluate(program=scenario.program, as_of=timezone.localdate() - timedelta(days=30))
    assert past.pairings_active == 4 and ProgramHealthState.objects.get().recomputed_at == state.recomputed_at


def test_the_refresh_tasks_take_ids_and_ignore_bad_ones(scenario):
    program, (p1, *_) = scenario.program, scenario.pairings
    assert tasks.program_health_refresh(program.pk) is True
    assert tasks.pairing_health_refresh(str(p1.pk)) is True
    assert tasks.enrollment_health_refresh(p1.mentee_id) is True
    for bad in (None, "abc", -1, 0):
        assert tasks.program_health_refresh(bad) is False
        assert tasks.pairing_health_refresh(bad) is False
        assert tasks.enrollment_health_refresh(bad) is False
    assert tasks.program_health_refresh(999999) is False
    assert tasks.pairing_health_refresh(999999) is False  # no such pairing: nothing to refresh
    assert PairHealth.objects.count() == 3


def test_the_sweep_is_scheduled_every_15_minutes():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["pair-health-sweep"]
    assert entry["task"] == "evaluation.tasks.pair_health_sweep"
    assert entry["schedule"].minute == {0, 15, 30, 45}
