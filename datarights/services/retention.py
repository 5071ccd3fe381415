"""The retention rule: people who left more than ``RETENTION_LEAVERS_MONTHS`` months ago
are erased, nightly. A run erases each one in its own transaction (one refusal does not
stop the others), keeps a report of ids (never names) for HR, and logs it. Idempotent:
an erased person is never a candidate again."""

from __future__ import annotations

import calendar
import logging
from datetime import date

from django.conf import settings
from django.utils import timezone

from datarights.models import Erasure, RetentionRun
from datarights.services.erasure import ErasureError, person_erase
from people.models import Person

logger = logging.getLogger(__name__)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day when shorter)."""
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retention_leavers(*, today: date | None = None, months: int | None = None):
    """Leavers past the retention period who have not been erased yet (None when the rule is off)."""
    months = settings.RETENTION_LEAVERS_MONTHS if months is None else months
    if months <= 0:
        return None, None
    left_before = months_before(today or timezone.localdate(), months)
    people = Person.objects.filter(termination_date__lt=left_before, data_erasure__isnull=True).order_by("pk")
    return people, left_before


def retention_run(*, today: date | None = None) -> RetentionRun | None:
    """Erase every leaver past the retention period; returns the run's report (None when off)."""
    months = settings.RETENTION_LEAVERS_MONTHS
    people, left_before = retention_leavers(today=today, months=months)
    if people is None:
        logger.info("Retention: RETENTION_LEAVERS_MONTHS is 0, nobody erased")
        return None
    erased, skipped = [], []
    for person_id in list(people.values_list("pk", flat=True)):
        person = Person(pk=person_id)
        try:
            person_erase(person=person, by=None, end_pairings=False, reason=Erasure.Reason.RETENTION)
        except ErasureError as refusal:
            logger.warning("Retention: person %s not erased: %s", person.pk, refusal)
            skipped.append(person.pk)
            continue
        erased.append(person.pk)
    run = RetentionRun.objects.create(months=months, left_before=left_before, erased_ids=erased, skipped_ids=skipped)
    logger.info(
        "Retention run %s: %s leavers erased (left before %s), %s skipped; ids %s",
        run.pk,
        len(erased),
        left_before,
        len(skipped),
        erased,
    )
    return run
