"""The evaluation job: ``manage.py evaluate_programs``, the Celery tasks and the service behind them."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from evaluation import services, tasks
from evaluation.models import ProgramSnapshot
from evaluation.selectors import backfill_days, months_before
from programs.models import Program
from programs.tests.factories import ProgramFactory
from sessions.tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("evaluate_programs", *args, stdout=out)
    return out.getvalue()


def test_it_stores_todays_snapshot_of_every_running_program(scenario):
    ProgramFactory(running=True, slug="enrolling", status=Program.Status.ENROLLING)
    output = run()
    (snapshot,) = ProgramSnapshot.objects.all()
    assert (snapshot.program, snapshot.date) == (scenario.program, timezone.localdate())
    assert (snapshot.pairings_active, snapshot.pairings_at_risk) == (3, 1)
    assert "Leadership Circle: 3 active pairings (1 at risk, 1 cooling)" in output
    assert "Evaluated 1 program." in output


def test_running_it_again_the_same_day_updates_the_same_row(scenario):
    run()
    first = ProgramSnapshot.objects.get()
    SessionFactory(pairing=scenario.pairings[2], held=True, days=-1)  # P3 finally meets
    run("--program", "leadership-circle")
    again = ProgramSnapshot.objects.get()
    assert again.pk == first.pk
    assert again.pairings_at_risk == 1  # still: the low rating and no goals
    assert again.computed_at > first.computed_at
    assert again.days_since_session_median < first.days_since_session_median


def test_a_past_date_and_a_monthly_backfill(scenario):
    day = timezone.localdate() - timedelta(days=30)
    run("--program", "leadership-circle", "--date", day.isoformat(), "--backfill-months", "6")
    dates = list(ProgramSnapshot.objects.order_by("date").values_list("date", flat=True))
    # Approvals were 100 days ago: two earlier months have something to measure.
    assert dates == [months_before(day, 2), months_before(day, 1), day]
    first, _, last = ProgramSnapshot.objects.order_by("date")
    assert (first.mentees_enrolled, first.pairings_active) == (6, 0)  # approved, nobody paired yet
    assert (last.pairings_active, last.pairings_ended) == (4, 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--program", "unknown-slug"], "No program with the slug 'unknown-slug'. Known programs: leadership-circle."),
        (["--date", "yesterday"], "--date must be a day as YYYY-MM-DD, not 'yesterday'."),
        (["--date", "2999-01-01"], "--date 2999-01-01 is in the future"),
        (["--backfill-months", "-1"], "--backfill-months must be between 0 and 36."),
    ],
)
def test_bad_input_is_a_clear_command_error(scenario, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        run(*args)
    assert not ProgramSnapshot.objects.exists()


def test_nothing_to_do_without_a_running_program(db):
    assert "No running program to evaluate." in run()


def test_the_nightly_task_is_scheduled_and_thin(scenario):
    entry = settings.CELERY_BEAT_SCHEDULE["evaluate-programs-nightly"]
    assert entry["task"] == "evaluation.tasks.programs_evaluate_nightly"
    assert tasks.programs_evaluate_nightly() == 1
    assert ProgramSnapshot.objects.count() == 1


def test_the_program_task_takes_an_id_and_ignores_bad_ones(scenario):
    assert tasks.program_evaluate(scenario.program.pk) is True
    assert tasks.program_evaluate(str(scenario.program.pk)) is True
    assert ProgramSnapshot.objects.count() == 1
    for bad in (None, "abc", -1, 0, 999999):
        assert tasks.program_evaluate(bad) is False


def test_months_before_keeps_the_day_or_the_months_last_day():
    assert months_before(date(2027, 3, 31), 1) == date(2027, 2, 28)
    assert months_before(date(2027, 1, 15), 2) == date(2026, 11, 15)
    assert months_before(date(2028, 3, 30), 1) == date(2028, 2, 29)


def test_a_program_without_approved_participants_has_nothing_to_backfill(db):
    assert backfill_days(program=ProgramFactory(running=True), until=timezone.localdate(), months=6) == []


def test_the_service_is_idempotent_for_a_day(scenario):
    first = services.program_evaluate(program=scenario.program)
    second = services.program_evaluate(program=scenario.program)
    assert first.pk == second.pk and ProgramSnapshot.objects.count() == 1
