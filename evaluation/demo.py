"""Demo data for the dashboards, for ``manage.py seed_demo`` (run after the other demo seeds).

1. Leavers and promotions since the running program started, recorded the way HR records
   them: an HR export with the ``termination_date`` and ``promotion_date`` columns, run
   through the directory's CSV import (validated, then applied). Without them the outcomes
   page would compare 100% with 100%. Only people who take part in no program leave (a
   participant who left would still have a live pairing in the other demos); promotions
   happen on both sides, a little more often among participants.
2. Snapshots: today's, and monthly ones for the six months before, each computed "as of" its
   day by the same code the nightly job runs, from the seeded history (approval dates,
   pairing starts and ends, held sessions, goal events, training and survey dates). Nothing
   is invented, so the demo's trends are real; months before the first approved participant
   are left out.

Safe to run again: the directory changes are recorded once (not if any leaver or promotion
since the start is already there), and snapshots are one row per program and day.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from evaluation.selectors import backfill_days
from evaluation.services import program_backfill, program_evaluate, programs_to_evaluate
from people.demo import DEMO_ACCOUNTS
from people.importing import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, people_import_apply, people_import_validate
from people.models import Person
from programs.models import Enrollment, Program

BACKFILL_MONTHS = 6
LEAVER_RATE = 0.06  # of colleagues in no program, over the months since the start
PROMOTION_RATE = {True: 0.12, False: 0.07}  # participants, others


def seed_evaluation(rng: random.Random) -> dict[str, int]:
    """Record the demo's leavers and promotions, then store the running programs' snapshots."""
    today = timezone.localdate(timezone.now(), timezone.get_default_timezone())
    programs = programs_to_evaluate()
    changes = _record_leavers_and_promotions(rng, programs[0], today) if programs else 0
    snapshots = 0
    for program in programs:
        days = backfill_days(program=program, until=today, months=BACKFILL_MONTHS)
        snapshots += len(program_backfill(program=program, days=days))
        program_evaluate(program=program, as_of=today)
        snapshots += 1
    return {"programs": len(programs), "snapshots": snapshots, "directory_changes": changes}


def _record_leavers_and_promotions(rng: random.Random, program: Program, today: date) -> int:
    start = program.start_date
    if start >= today - timedelta(days=14):
        return 0
    already = Q(termination_date__gte=start) | Q(promotion_date__gte=start)
    if Person.objects.filter(already).exists():
        return 0
    participants = set(Enrollment.objects.filter(status=Enrollment.Status.APPROVED).values_list("person_id", flat=True))
    people = (
        Person.objects.filter(Q(hire_date__isnull=True) | Q(hire_date__lt=start), termination_date__isnull=True)
        .exclude(email__in=list(DEMO_ACCOUNTS))
        .exclude(user__is_hr_admin=True)
        .exclude(user__owned_programs__isnull=False)
        .exclude(reports__isnull=False)  # managers stay: their reports' rows name them
        .select_related("department", "location", "manager")
        .prefetch_related("languages")
        .distinct()
        .order_by("pk")
    )
    days = (today - start).days
    rows = []
    for person in people:
        takes_part = person.pk in participants
        leaves = not takes_part and rng.random() < LEAVER_RATE
        promoted = rng.random() < PROMOTION_RATE[takes_part]
        if not (leaves or promoted):
            continue
        rows.append(
            _export_row(
                person,
                termination_date=start + timedelta(days=rng.randint(7, days - 1)) if leaves else None,
                promotion_date=start + timedelta(days=rng.randint(14, days - 1)) if promoted else None,
            )
        )
    if not rows:
        return 0
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS])
    writer.writerows(rows)
    plan = people_import_validate(text=buffer.getvalue())
    if not plan.is_valid:
        raise RuntimeError(f"The demo's HR update did not validate: {plan.errors[:3]}")
    people_import_apply(plan=plan)
    return len(rows)


def _export_row(person: Person, *, termination_date: date | None, promotion_date: date | None) -> list[str]:
    """The person as the HR system exports them, with the two optional dates."""
    values = {
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "title": person.title,
        "department": person.department.name if person.department else "",
        "manager_email": person.manager.email if person.manager else "",
        "location": person.location.name if person.location else "",
        "time_zone": person.time_zone,
        "languages": ";".join(language.name for language in person.languages.all()),
        "seniority": str(person.seniority),
        "hire_date": person.hire_date.isoformat() if person.hire_date else "",
        "termination_date": termination_date.isoformat() if termination_date else "",
        "promotion_date": promotion_date.isoformat() if promotion_date else "",
    }
    return [values[column] for column in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)]
