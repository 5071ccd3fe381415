"""The retention rule: leavers gone for more than RETENTION_LEAVERS_MONTHS are erased nightly."""

from datetime import date

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from datarights import services
from datarights.models import Erasure, RetentionRun
from datarights.tasks import retention_erase_leavers
from matching.models import Pairing
from people.models import Person
from people.tests.factories import PersonFactory
from programs.models import Role
from programs.tests.factories import EnrollmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)


def leaver(left_on, **fields):
    return PersonFactory(termination_date=left_on, with_account=True, **fields)


def test_months_before_is_calendar_months():
    assert services.months_before(date(2026, 12, 3), 24) == date(2024, 12, 3)
    assert services.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert services.months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)


def test_only_leavers_older_than_the_period_are_erased_and_a_second_run_does_nothing(settings):
    settings.RETENTION_LEAVERS_MONTHS = 24
    old = leaver(date(2024, 12, 2), first_name="Olga", last_name="Oldleaver")
    recent = leaver(date(2024, 12, 3))  # exactly 24 months: not yet
    current = PersonFactory(with_account=True)
    run = services.retention_run(today=TODAY)
    assert run.erased_ids == [old.pk] and run.skipped_ids == []
    assert Person.objects.get(pk=old.pk).full_name == f"Erased person #{old.pk}"
    assert Person.objects.get(pk=recent.pk).full_name == recent.full_name
    assert Person.objects.get(pk=current.pk).full_name == current.full_name
    erasure = Erasure.objects.get()
    assert erasure.reason == Erasure.Reason.RETENTION and erasure.erased_by is None

    again = services.retention_run(today=TODAY)
    assert again.erased_ids == [] and Erasure.objects.count() == 1


def test_zero_months_disables_the_rule(settings):
    settings.RETENTION_LEAVERS_MONTHS = 0
    person = leaver(date(2000, 1, 1))
    assert services.retention_run(today=TODAY) is None
    assert retention_erase_leavers() is None
    assert not Erasure.objects.exists() and not RetentionRun.objects.exists()
    assert Person.objects.get(pk=person.pk).full_name == person.full_name


def test_a_leaver_still_in_a_live_pairing_is_skipped_and_reported(settings):
    settings.RETENTION_LEAVERS_MONTHS = 12
    program = ProgramFactory()
    gone = leaver(date(2020, 1, 1))
    mentor = EnrollmentFactory(program=program, person=gone, role=Role.MENTOR)
    mentee = EnrollmentFactory(program=program, role=Role.MENTEE)
    Pairing.objects.create(program=program, mentor=mentor, mentee=mentee, status=Pairing.Status.ACTIVE)
    run = services.retention_run(today=TODAY)
    assert run.erased_ids == [] and run.skipped_ids == [gone.pk]


def test_the_nightly_task_is_scheduled_and_counts(settings):
    schedule = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"datarights.tasks.retention_erase_leavers", "datarights.tasks.data_exports_expire"} <= schedule
    settings.RETENTION_LEAVERS_MONTHS = 1
    leaver(date(2001, 1, 1))
    assert retention_erase_leavers() == 1
    assert retention_erase_leavers() == 0


def test_hr_sees_the_report_with_ids_and_no_names(hr_client, settings):
    settings.RETENTION_LEAVERS_MONTHS = 24
    old = leaver(date(2020, 5, 1), first_name="Rowena", last_name="Retained")
    services.retention_run(today=TODAY)
    page = hr_client.get(reverse("datarights:data_requests")).content.decode()
    assert 'data-testid="retention-runs"' in page and str(old.pk) in page
    assert "Rowena" not in page and "the retention rule" in page
