"""Benchmark the evaluation job (evaluation/services.py) on one program of 100,000 pairings.

Usage (from the repository root)::

    .venv/bin/python bench/evaluation.py
    .venv/bin/python bench/evaluation.py --pairings 20000 --baseline-sample 1000 --repeat 3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentorship .venv/bin/python bench/evaluation.py

Without ``DATABASE_URL`` it builds a fresh SQLite file in a temporary folder; with a PostgreSQL
``DATABASE_URL`` a new database on that server (``<name>_bench_evaluation``, dropped at the end),
never the app's own database. With ``bulk_create`` it fills one running program with ``--pairings`` active
pairings (four mentees per mentor, so 125,000 people for 100,000 pairings), a few completed and
ended ones, two held sessions per pairing (recent, a few weeks or a couple of months old) and
an upcoming one for some, a goal per mentee (half of them moved, with their goal event), action
items, a required training module, and a survey round answered by a fifth of the mentees.

Then it times, ``--repeat`` times:

* ``ours``  -- ``program_evaluate``: the snapshot of today, set-based (aggregates and
  annotations, a dozen queries whatever the size), stored with ``update_or_create``;
* ``as of`` -- the same "as of" 45 days ago (what the demo's back-fill runs);
* ``naive`` -- a per-pairing loop computing the same figures pairing by pairing (last held
  session, goals, ratings queried per pairing), run on a random sample of
  ``--baseline-sample`` active pairings and extrapolated linearly to all of them (said so in
  the output).

Medians are printed.

On PostgreSQL it then times the nightly job itself (``programs_evaluate``, every running
program) on ``bench/pages.py``'s data sets (a company of 1,000 and of 10,000 employees, 400 and
4,000 pairings, 100,000 sessions, surveys with answers), with fresh statistics and with none
(right after a bulk load, as for a new program); ``--data-sets ""`` skips it.
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


def build(pairings: int, *, seed: int = 1):
    """One running program of ``pairings`` active pairings with a believable history."""
    from django.core.management import call_command
    from django.utils import timezone

    from goals.models import Goal, GoalEvent
    from matching.models import Pairing
    from people.models import Person
    from programs.models import Enrollment, Program, Role, TrainingCompletion, TrainingModule
    from sessions.models import ActionItem, MentoringSession
    from surveys.models import (
        Survey,
        SurveyAnswer,
        SurveyInstance,
        SurveyInvitation,
        SurveyQuestion,
        SurveyResponse,
    )

    rng = random.Random(seed)
    call_command("migrate", verbosity=0)
    now = timezone.now()
    today = timezone.localdate()
    batch = 5000
    mentors = max(1, pairings // 4)
    program = Program.objects.create(
        name="Bench program",
        slug=f"bench-{int(time.time())}",
        start_date=today - timedelta(days=120),
        end_date=today + timedelta(days=120),
        status=Program.Status.RUNNING,
        cadence_days=14,
    )
    t0 = time.perf_counter()

    def enroll(prefix, count, role):
        Person.objects.bulk_create(
            [
                Person(email=f"{prefix}{i}@bench.example", first_name=prefix.title(), last_name=str(i))
                for i in range(count)
            ],
            batch_size=batch,
        )
        persons = Person.objects.filter(email__startswith=prefix).order_by("pk").values_list("pk", flat=True)
        Enrollment.objects.bulk_create(
            [
                Enrollment(program=program, person_id=pk, role=role, status="approved", decided_at=now - timedelta(150))
                for pk in persons
            ],
            batch_size=batch,
        )
        return list(Enrollment.objects.filter(program=program, role=role).order_by("pk").values_list("pk", flat=True))

    mentor_ids = enroll("mentor", mentors, Role.MENTOR)
    finished = max(pairings // 50, 1)
    mentee_ids = enroll("mentee", pairings + finished, Role.MENTEE)
    rows = []
    for i, mentee_id in enumerate(mentee_ids):
        started = now - timedelta(days=rng.uniform(30, 110))
        status, ended = Pairing.Status.ACTIVE, None
        if i >= pairings:
            status = rng.choice([Pairing.Status.COMPLETED, Pairing.Status.ENDED])
            ended = started + timedelta(days=20)
        rows.append(
            Pairing(
                program=program,
                mentor_id=mentor_ids[i % mentors],
                mentee_id=mentee_id,
                status=status,
                started_at=started,
                mentor_confirmed_at=started - timedelta(days=3),
                mentee_confirmed_at=started - timedelta(days=3),
                ended_at=ended,
            )
        )
    Pairing.objects.bulk_create(rows, batch_size=batch)
    pairing_rows = list(Pairing.objects.filter(program=program).values_list("pk", "mentee_id", "mentee__person_id"))

    sessions = []
    for pk, _, _ in pairing_rows:
        for age in (rng.uniform(1, 30), rng.uniform(30, 70)):
            sessions.append(MentoringSession(pairing_id=pk, status="held", starts_at=now - timedelta(days=age)))
        if rng.random() < 0.2:
            sessions.append(MentoringSession(pairing_id=pk, status="scheduled", starts_at=now + timedelta(days=3)))
    MentoringSession.objects.bulk_create(sessions, batch_size=batch)
    held = dict(
        MentoringSession.objects.filter(status="held", pairing__program=program).values_list("pairing_id", "pk")
    )
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                session_id=held[pk],
                pairing_id=pk,
                title="Send the draft",
                owner_id=person_id,
                due_date=today,
                created_at=now - timedelta(days=20),
                done_at=now - timedelta(days=5) if rng.random() < 0.7 else None,
            )
            for pk, _, person_id in pairing_rows
            if rng.random() < 0.3
        ],
        batch_size=batch,
    )
    Goal.objects.bulk_create(
        [
            Goal(
                enrollment_id=mentee_id,
                title="Lead a project",
                status=rng.choice(["not_started", "in_progress", "in_progress", "achieved"]),
                created_at=now - timedelta(days=60),
            )
            for _, mentee_id, _ in pairing_rows
        ],
        batch_size=batch,
    )
    moved = Goal.objects.filter(enrollment__program=program).exclude(status="not_started").values_list("pk", "status")
    GoalEvent.objects.bulk_create(
        [
            GoalEvent(goal_id=pk, kind="status", to_value=status, created_at=now - timedelta(days=rng.uniform(1, 50)))
            for pk, status in moved
        ],
        batch_size=batch,
    )
    module = TrainingModule.objects.create(program=program, title="Welcome", required=True)
    TrainingCompletion.objects.bulk_create(
        [TrainingCompletion(enrollment_id=pk, module=module) for pk in mentee_ids if rng.random() < 0.8],
        batch_size=batch,
    )
    survey = Survey.objects.create(program=program, title="Pulse", status="active")
    rating = SurveyQuestion.objects.create(survey=survey, kind="rating", text="Useful?")
    nps = SurveyQuestion.objects.create(survey=survey, kind="nps", text="Recommend?")
    instance = SurveyInstance.objects.create(
        survey=survey,
        occurrence="bench",
        occurs_on=today - timedelta(days=20),
        opens_at=now - timedelta(days=20),
        closes_at=now - timedelta(days=6),
        remind_at=now - timedelta(days=9),
    )
    asked = [mentee_id for _, mentee_id, _ in pairing_rows if rng.random() < 0.3]
    SurveyInvitation.objects.bulk_create(
        [
            SurveyInvitation(instance=instance, enrollment_id=pk, role="mentee", answered=i % 3 != 0)
            for i, pk in enumerate(asked)
        ],
        batch_size=batch,
    )
    invitations = SurveyInvitation.objects.filter(instance=instance, answered=True).values_list("pk", flat=True)
    responses = SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(
                survey=instance.survey,
                instance=instance,
                invitation_id=pk,
                role="mentee",
                submitted_on=today - timedelta(days=15),
            )
            for pk in invitations
        ],
        batch_size=batch,
    )
    SurveyAnswer.objects.bulk_create(
        [
            answer
            for response in responses
            for answer in (
                SurveyAnswer(response_id=response.pk, question=rating, number=rng.choice([1, 2, 3, 4, 4, 5, 5])),
                SurveyAnswer(response_id=response.pk, question=nps, number=rng.randint(0, 10)),
            )
        ],
        batch_size=batch,
    )
    print(
        f"Built {pairings:,} active pairings (+{finished:,} finished), {mentors + len(mentee_ids):,} participants, "
        f"{len(sessions):,} sessions, {len(responses):,} survey responses in {time.perf_counter() - t0:.1f} s.",
        flush=True,
    )
    return program


def naive_evaluate(program, pairing_ids, *, now) -> dict:
    """What a first draft would do: the health and rhythm figures one pairing at a time."""
    from goals.models import Goal, GoalEvent
    from matching.models import Pairing
    from surveys.models import SurveyAnswer

    counts = {"healthy": 0, "cooling": 0, "at_risk": 0}
    quiet_days, held_30 = [], 0
    cadence = timedelta(days=program.cadence_days)
    for pairing in Pairing.objects.filter(pk__in=pairing_ids):
        last = pairing.sessions.filter(status="held", starts_at__lte=now).order_by("-starts_at").first()
        held_30 += pairing.sessions.filter(status="held", starts_at__gt=now - timedelta(days=30)).count()
        since = last.starts_at if last else pairing.started_at
        quiet_days.append((now - since).total_seconds() / 86400)
        goals = list(Goal.objects.filter(enrollment_id=pairing.mentee_id).exclude(status="dropped"))
        moved = GoalEvent.objects.filter(goal__in=goals, kind__in=["progress", "milestone_done", "status"]).exists()
        low = False
        for enrollment_id in (pairing.mentor_id, pairing.mentee_id):
            latest = (
                SurveyAnswer.objects.filter(response__invitation__enrollment_id=enrollment_id, question__kind="rating")
                .order_by("-response__submitted_on", "number")
                .first()
            )
            low = low or (latest is not None and latest.number <= 2)
        overdue, long_overdue = now - since > cadence, now - since > 2 * cadence
        goal_sign = (now - pairing.started_at).days > 28 and (not goals or not moved)
        if long_overdue or low or (overdue and goal_sign):
            counts["at_risk"] += 1
        elif overdue or goal_sign:
            counts["cooling"] += 1
        else:
            counts["healthy"] += 1
    return {"counts": counts, "median": statistics.median(quiet_days) if quiet_days else None, "held": held_30}


def timed(fn):
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    return elapsed, counter.count, result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairings", type=int, default=100_000)
    parser.add_argument("--baseline-sample", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data-sets", default="small,large", help="bench/pages.py data sets (PostgreSQL only)")
    args = parser.parse_args(argv)

    with django_workdir("evaluation"):
        run(args)
    if is_postgresql(os.environ.get("DATABASE_URL")) and args.data_sets:
        from bench.pages import jobs_report

        sizes = args.data_sets.split(",")
        print("\n".join(jobs_report(jobs=["job: nightly evaluation"], sizes=sizes, variants=["stats", "nostats"])))
    return 0


def run(args) -> int:
    from django.conf import settings
    from django.utils import timezone

    from evaluation.services import program_evaluate
    from matching.models import Pairing

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"Database: {engine} ({settings.DATABASES['default']['NAME']})", flush=True)
    program = build(args.pairings)
    now = timezone.now()
    past = timezone.localdate() - timedelta(days=45)

    ours, as_of = [], []
    for _ in range(args.repeat):
        ours.append(timed(lambda: program_evaluate(program=program, now=now)))
        as_of.append(timed(lambda: program_evaluate(program=program, as_of=past, now=now)))
    snapshot = ours[-1][2]

    active = list(Pairing.objects.filter(program=program, status="active").values_list("pk", flat=True))
    sample_size = min(args.baseline_sample, len(active))
    factor = len(active) / sample_size
    naive = []
    for repeat in range(args.repeat):
        sample = random.Random(repeat).sample(active, sample_size)
        naive.append(timed(lambda sample=sample: naive_evaluate(program, sample, now=now)))

    def median(runs, index):
        return statistics.median(r[index] for r in runs)

    print()
    print(
        f"Today's snapshot: {snapshot.pairings_active:,} active pairings, {snapshot.pairings_healthy:,} healthy, "
        f"{snapshot.pairings_cooling:,} cooling, {snapshot.pairings_at_risk:,} at risk; median "
        f"{snapshot.days_since_session_median} days since the last session."
    )
    print(f"Medians of {args.repeat} runs over {len(active):,} active pairings:")
    print(f"{'':<44}{'time (s)':>12}{'queries':>10}")
    print(f"{'ours: program_evaluate (today)':<44}{median(ours, 0):>12.2f}{median(ours, 1):>10,.0f}")
    print(f"{'ours: program_evaluate (as of 45 days ago)':<44}{median(as_of, 0):>12.2f}{median(as_of, 1):>10,.0f}")
    print(
        f"{'naive per-pairing loop (health + rhythm)':<44}{median(naive, 0) * factor:>12.1f}"
        f"{median(naive, 1) * factor:>10,.0f}"
    )
    print(
        f"  (naive: measured on {sample_size:,} random active pairings, {median(naive, 0):.2f} s and "
        f"{median(naive, 1):,.0f} queries, extrapolated linearly x{factor:,.0f}; it computes only the health "
        "and meeting-rhythm figures, so the real gap is larger)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
