"""The demo's dashboards: snapshots computed "as of" past months from the seeded history."""

import random

import pytest
from django.utils import timezone

from evaluation.demo import seed_evaluation
from evaluation.models import ProgramSnapshot
from people.models import Person
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_the_demo_backfills_monthly_snapshots_from_the_history(scenario):
    for _ in range(40):
        PersonFactory()
    result = seed_evaluation(random.Random(1))
    dates = list(ProgramSnapshot.objects.order_by("date").values_list("date", flat=True))
    assert dates[-1] == timezone.localdate()
    assert result == {"programs": 1, "snapshots": len(dates), "directory_changes": result["directory_changes"]}
    assert len(dates) >= 3  # approvals 100 days ago: at least two earlier months, and today
    snapshots = list(ProgramSnapshot.objects.order_by("date"))
    # Real history, not a copy of today: the first month had no pairing yet.
    assert snapshots[0].pairings_active == 0 and snapshots[-1].pairings_active == 3
    # Leavers and promotions arrived through the directory's CSV import, among people in no program.
    changed = Person.objects.filter(termination_date__isnull=False)
    assert result["directory_changes"] > 0
    assert changed.exists() and not changed.filter(enrollments__status="approved").exists()


def test_the_demo_is_safe_to_run_again(scenario):
    for _ in range(30):
        PersonFactory()
    first = seed_evaluation(random.Random(1))
    leavers = set(Person.objects.filter(termination_date__isnull=False).values_list("pk", flat=True))
    again = seed_evaluation(random.Random(2))
    assert again["directory_changes"] == 0
    assert set(Person.objects.filter(termination_date__isnull=False).values_list("pk", flat=True)) == leavers
    assert ProgramSnapshot.objects.count() == first["snapshots"]
