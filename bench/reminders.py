"""Benchmark the reminder sweeps (sessions/reminders.py) over 100,000 active pairings.

Usage (from the repository root)::

    .venv/bin/python bench/reminders.py
    .venv/bin/python bench/reminders.py --pairings 20000 --baseline-sample 1000 --repeat 3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentorship .venv/bin/python bench/reminders.py

Without ``DATABASE_URL`` it builds a fresh SQLite file in a temporary folder; with a PostgreSQL
``DATABASE_URL`` a new database on that server (``<name>_bench_reminders``, dropped at the end),
never the app's own database. It creates one running program with ``--pairings`` active pairings (125,000
people for 100,000 pairings: four mentees per mentor), a held session for each pairing
(most recent, some 2-4 weeks old, some older), a session within the next 24 hours for 5% of
them and an overdue action item for 10%, all with ``bulk_create``.

Then, ``--repeat`` times, each inside a transaction that is rolled back so every run starts
from the same state, it times:

* ``ours``     -- the three sweeps (session reminders, inactivity nudges with HR digests,
  overdue action items): set-based reads, ``bulk_create(ignore_conflicts=True)``;
* ``rerun``    -- the same sweeps again right after (nothing new to say: the idempotent path);
* ``naive``    -- a per-pairing loop (last held session, upcoming sessions and overdue items
  queried per pairing, ``notification_send`` per person), run on a random sample of
  ``--baseline-sample`` pairings and extrapolated linearly to all of them (said so in the output).

Emails are not sent: they are queued on commit, and the runs are rolled back. Medians are printed.
The temporary folder (and the SQLite file in it) is removed at the end.

On PostgreSQL it then times the hourly sweeps on ``bench/pages.py``'s data sets (1,000 and 10,000
employees, 400 and 4,000 pairings, 100,000 sessions, a monthly check-in and a pulse after each
session): the three reminder sweeps and the survey sweep (close, open, invite, remind), each
rolled back, with fresh statistics and with none; ``--data-sets ""`` skips it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.djangobench import QueryCounter, django_workdir, is_postgresql  # noqa: E402


def build(pairings: int, *, seed: int = 1) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from matching.models import Pairing
    from people.models import Person, User
    from programs.models import Enrollment, Program, Role
    from sessions.models import ActionItem, MentoringSession

    rng = random.Random(seed)
    call_command("migrate", verbosity=0)
    now = timezone.now()
    batch = 5000
    mentors = max(1, pairings // 4)
    today = now.date()
    program = Program.objects.create(
        name="Bench program",
        slug=f"bench-{int(time.time())}",
        start_date=today - timedelta(days=120),
        end_date=today + timedelta(days=120),
        status=Program.Status.RUNNING,
        cadence_days=14,
    )
    User.objects.create(email="bench-hr@example.com", is_hr_admin=True, password="!")
    zones = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]

    def people(prefix, count):
        users = User.objects.bulk_create(
            [User(email=f"{prefix}{i}@bench.example", password="!") for i in range(count)], batch_size=batch
        )
        if users[0].pk is None:  # backends that don't return ids
            users = list(User.objects.filter(email__startswith=prefix).order_by("pk"))
        persons = Person.objects.bulk_create(
            [
                Person(
                    email=user.email,
                    first_name=prefix.title(),
                    last_name=str(i),
                    user=user,
                    time_zone=zones[i % len(zones)],
                )
                for i, user in enumerate(users)
            ],
            batch_size=batch,
        )
        return persons

    def enroll(persons, role):
        Enrollment.objects.bulk_create(
            [Enrollment(program=program, person=p, role=role, status="approved") for p in persons], batch_size=batch
        )
        return list(Enrollment.objects.filter(program=program, role=role).order_by("pk").values_list("pk", flat=True))

    t0 = time.perf_counter()
    mentor_ids = enroll(people("mentor", mentors), Role.MENTOR)
    mentee_ids = enroll(people("mentee", pairings), Role.MENTEE)
    Pairing.objects.bulk_create(
        [
            Pairing(
                program=program,
                mentor_id=mentor_ids[i % mentors],
                mentee_id=mentee_id,
                status=Pairing.Status.ACTIVE,
                started_at=now - timedelta(days=60),
            )
            for i, mentee_id in enumerate(mentee_ids)
        ],
        batch_size=batch,
    )
    pairing_rows = list(Pairing.objects.filter(program=program).values_list("pk", "mentee__person_id"))
    sessions, upcoming = [], []
    for pk, _ in pairing_rows:
        age = rng.choices([rng.uniform(1, 13), rng.uniform(14, 27), rng.uniform(28, 50)], weights=[6, 2, 2])[0]
        sessions.append(
            MentoringSession(pairing_id=pk, status="held", starts_at=now - timedelta(days=age), duration_minutes=60)
        )
        if rng.random() < 0.05:
            upcoming.append(
                MentoringSession(
                    pairing_id=pk,
                    status="scheduled",
                    starts_at=now + timedelta(hours=rng.uniform(1, 23)),
                    duration_minutes=60,
                    video_url="https://meet.example.com/x",
                )
            )
    MentoringSession.objects.bulk_create(sessions + upcoming, batch_size=batch)
    held = dict(
        MentoringSession.objects.filter(status="held", pairing__program=program).values_list("pairing_id", "pk")
    )
    items = [
        ActionItem(
            session_id=held[pk],
            pairing_id=pk,
            title="Send the draft",
            owner_id=person_id,
            due_date=today - timedelta(days=rng.randint(1, 10)),
        )
        for pk, person_id in pairing_rows
        if rng.random() < 0.10
    ]
    ActionItem.objects.bulk_create(items, batch_size=batch)
    print(
        f"Built {len(pairing_rows):,} active pairings, {mentors + pairings:,} people, "
        f"{len(sessions) + len(upcoming):,} sessions ({len(upcoming):,} within 24 h), "
        f"{len(items):,} overdue action items in {time.perf_counter() - t0:.1f} s.",
        flush=True,
    )


def naive_sweep(pairing_ids, *, now) -> None:
    """What a first draft would do: one pairing at a time, notification_send per person."""
    from core.notifications import notification_send
    from matching.models import Pairing
    from sessions.localtime import when_text

    for pairing in Pairing.objects.filter(pk__in=pairing_ids).select_related("program"):
        mentor, mentee = pairing.mentor.person, pairing.mentee.person
        people = [p for p in (mentor, mentee) if p.user_id]
        last = pairing.sessions.filter(status="held").order_by("-starts_at").first()
        since = last.starts_at if last else pairing.started_at
        threshold = pairing.program.cadence_days
        quiet = now - since
        level = 2 if quiet > timedelta(days=2 * threshold) else 1 if quiet > timedelta(days=threshold) else 0
        if level:
            for person in people:
                notification_send(
                    recipient=person.user,
                    kind="inactivity_nudge",
                    key=f"naive-nudge:{pairing.pk}:{since:%Y%m%d%H%M%S}:{level}:{person.user_id}",
                    title=f"No session for {quiet.days} days",
                )
        for session in pairing.sessions.filter(
            status="scheduled", starts_at__gt=now, starts_at__lte=now + timedelta(1)
        ):
            for person in people:
                notification_send(
                    recipient=person.user,
                    kind="session_reminder",
                    key=f"naive-reminder:{session.pk}:v{session.sequence}:{person.user_id}",
                    title=f"Mentoring {when_text(session.starts_at, person.time_zone, now=now)}",
                )
        for item in pairing.action_items.filter(
            done_at__isnull=True, overdue_notified_at__isnull=True, due_date__lt=now.date()
        ):
            if item.owner.user_id:
                notification_send(
                    recipient=item.owner.user, kind="action_item_overdue", key=f"naive-item:{item.pk}", title=item.title
                )
            item.overdue_notified_at = now
            item.save(update_fields=["overdue_notified_at"])


def timed(fn):
    from django.db import connection, transaction

    from core.models import Notification

    with transaction.atomic():
        before = Notification.objects.count()
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - start
        created = Notification.objects.count() - before
        transaction.set_rollback(True)
    return elapsed, counter.count, created


def timed_twice(fn):
    """Run ``fn`` twice in one rolled-back transaction; time both runs."""
    from django.db import connection, transaction

    with transaction.atomic():
        results = []
        for _ in range(2):
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                start = time.perf_counter()
                created = fn()
                results.append((time.perf_counter() - start, counter.count, created))
        transaction.set_rollback(True)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairings", type=int, default=100_000)
    parser.add_argument("--baseline-sample", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data-sets", default="small,large", help="bench/pages.py data sets (PostgreSQL only)")
    args = parser.parse_args(argv)

    # The SQLite file (over 100 MB at 100,000 pairings) is removed afterwards.
    with django_workdir("reminders", debug=False):
        run(args)
    if is_postgresql(os.environ.get("DATABASE_URL")) and args.data_sets:
        from bench.pages import jobs_report

        jobs = ["job: reminder sweeps", "job: survey sweeps"]
        sizes = args.data_sets.split(",")
        print("\n".join(jobs_report(jobs=jobs, sizes=sizes, variants=["stats", "nostats"])))
    return 0


def run(args) -> int:
    from django.conf import settings
    from django.utils import timezone

    from matching.models import Pairing
    from sessions import reminders

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"Database: {engine} ({settings.DATABASES['default']['NAME']})", flush=True)
    build(args.pairings)
    now = timezone.now()

    def ours():
        counts = reminders.reminders_send_all(now=now)
        return sum(counts.values())

    # Warm up (imports, URL resolver, time zone data) on a date when nothing is due.
    timed(lambda: reminders.reminders_send_all(now=now - timedelta(days=3650)))
    ours_runs, rerun_runs = [], []
    for _ in range(args.repeat):
        first, second = timed_twice(ours)
        ours_runs.append(first)
        rerun_runs.append(second)

    all_ids = list(Pairing.objects.filter(status="active").values_list("pk", flat=True))
    sample_size = min(args.baseline_sample, len(all_ids))
    factor = len(all_ids) / sample_size
    naive_runs = []
    for run in range(args.repeat):
        sample = random.Random(run).sample(all_ids, sample_size)
        naive_runs.append(timed(lambda sample=sample: naive_sweep(sample, now=now)))

    def median(runs, index):
        return statistics.median(r[index] for r in runs)

    print()
    print(f"Medians of {args.repeat} runs over {len(all_ids):,} active pairings:")
    print(f"{'':<34}{'time (s)':>12}{'queries':>12}{'notifications':>16}")
    for label, runs in (("ours (all three sweeps)", ours_runs), ("ours, run again (nothing new)", rerun_runs)):
        print(f"{label:<34}{median(runs, 0):>12.2f}{median(runs, 1):>12,.0f}{median(runs, 2):>16,.0f}")
    print(
        f"{'naive per-pairing loop':<34}{median(naive_runs, 0) * factor:>12.1f}{median(naive_runs, 1) * factor:>12,.0f}"
        f"{median(naive_runs, 2) * factor:>16,.0f}"
    )
    print(
        f"  (naive: measured on {sample_size:,} random pairings, {median(naive_runs, 0):.2f} s and "
        f"{median(naive_runs, 1):,.0f} queries, extrapolated x{factor:,.0f})"
    )
    print(
        "Our sweep's queries grow with the number of notifications / 1,000 (one batch), not with pairings; "
        "the rerun is a fixed handful."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
