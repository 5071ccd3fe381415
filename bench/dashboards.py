"""Benchmark the dashboard pages on a program of 10,000 participants and 200,000 sessions.

Usage (from the repository root)::

    .venv/bin/python bench/dashboards.py
    .venv/bin/python bench/dashboards.py --participants 2000 --sessions 40000 --repeat 5
    DATABASE_URL=postgres://user:pass@localhost/bench .venv/bin/python bench/dashboards.py

Without ``DATABASE_URL`` it builds a fresh SQLite file in a temporary folder (never the app's
own database). With ``bulk_create`` it fills a company of twice as many employees as
participants (departments, seniority, some leavers and promotions, self-identification for
most), one running program whose participants are one mentor for four mentees, a pairing per
mentee (a few finished), ``--sessions`` held sessions spread over the pairings, a goal per
mentee and survey answers. The nightly evaluation then stores today's snapshot for real, and
180 earlier daily snapshots are copies of it (they only give the trend charts their size).

Each page is requested ``--repeat`` times with Django's test client, signed in as an HR admin
(and as the program's owner for the dashboard), in the same run as the notifications page, a
trivial page of the app that renders the base template with one list: the figure printed is
the median time of each page, and that time relative to the trivial page's median.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.djangobench import QueryCounter, django_workdir  # noqa: E402

DEPARTMENTS = ["Engineering", "Product", "Data", "Sales", "Marketing", "Finance", "People", "Support"]
GENDERS = ["woman", "man", "man", "woman", "non_binary", "prefer_not", ""]
AGES = ["under_25", "25_34", "25_34", "35_44", "45_54", "55_plus", ""]


def build(participants: int, sessions_total: int, *, seed: int = 1):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.core.management import call_command
    from django.utils import timezone

    from evaluation.models import ProgramSnapshot
    from evaluation.services import program_evaluate
    from goals.models import Goal, GoalEvent
    from matching.models import Pairing
    from people.models import Department, Person, SelfIdentification, User
    from programs.models import Enrollment, Program, Role
    from sessions.models import MentoringSession
    from surveys.models import Survey, SurveyAnswer, SurveyInstance, SurveyInvitation, SurveyQuestion, SurveyResponse

    rng = random.Random(seed)
    call_command("migrate", verbosity=0)
    now = timezone.now()
    today = timezone.localdate()
    batch = 5000
    t0 = time.perf_counter()
    program = Program.objects.create(
        name="Bench program",
        slug="bench",
        start_date=today - timedelta(days=180),
        end_date=today + timedelta(days=60),
        status=Program.Status.RUNNING,
    )
    hr = User.objects.create(email="hr@bench.example", is_hr_admin=True, password="!")
    TOTP.activate(hr, generate_totp_secret())  # HR pages need a second factor (portal/mfa.py)
    owner = User.objects.create(email="owner@bench.example", password="!")
    program.owners.add(owner)
    departments = [Department.objects.create(name=name) for name in DEPARTMENTS]

    employees = participants * 2
    Person.objects.bulk_create(
        [
            Person(
                email=f"person{i}@bench.example",
                first_name="Person",
                last_name=str(i),
                department=departments[i % len(departments)],
                seniority=rng.randint(1, 10),
                hire_date=today - timedelta(days=rng.randint(200, 3000)),
                termination_date=today - timedelta(days=rng.randint(1, 170))
                if i >= participants and rng.random() < 0.08
                else None,
                promotion_date=today - timedelta(days=rng.randint(1, 170)) if rng.random() < 0.1 else None,
            )
            for i in range(employees)
        ],
        batch_size=batch,
    )
    person_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    SelfIdentification.objects.bulk_create(
        [
            SelfIdentification(person_id=pk, gender=rng.choice(GENDERS), age_band=rng.choice(AGES), lgbtq="no")
            for pk in person_ids
            if rng.random() < 0.7
        ],
        batch_size=batch,
    )
    mentors = participants // 5
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                program=program,
                person_id=pk,
                role=Role.MENTOR if i < mentors else Role.MENTEE,
                status="approved",
                decided_at=now - timedelta(days=200),
            )
            for i, pk in enumerate(person_ids[:participants])
        ],
        batch_size=batch,
    )
    mentor_ids = list(Enrollment.objects.filter(role=Role.MENTOR).order_by("pk").values_list("pk", flat=True))
    mentee_ids = list(Enrollment.objects.filter(role=Role.MENTEE).order_by("pk").values_list("pk", flat=True))
    pairings = []
    for i, mentee_id in enumerate(mentee_ids):
        started = now - timedelta(days=rng.uniform(60, 170))
        finished = rng.random() < 0.05
        pairings.append(
            Pairing(
                program=program,
                mentor_id=mentor_ids[i % len(mentor_ids)],
                mentee_id=mentee_id,
                status=rng.choice(["completed", "ended"]) if finished else "active",
                started_at=started,
                mentor_confirmed_at=started - timedelta(days=2),
                mentee_confirmed_at=started - timedelta(days=2),
                ended_at=started + timedelta(days=40) if finished else None,
            )
        )
    Pairing.objects.bulk_create(pairings, batch_size=batch)
    pairing_ids = list(Pairing.objects.filter(program=program).values_list("pk", flat=True))
    MentoringSession.objects.bulk_create(
        [
            MentoringSession(
                pairing_id=pairing_ids[i % len(pairing_ids)],
                status="held",
                starts_at=now - timedelta(days=rng.uniform(1, 170)),
            )
            for i in range(sessions_total)
        ],
        batch_size=batch,
    )
    Goal.objects.bulk_create(
        [
            Goal(
                enrollment_id=pk,
                title="Lead a project",
                status=rng.choice(["not_started", "in_progress", "achieved"]),
                progress=rng.choice([0, 30, 60, 100]),
                created_at=now - timedelta(days=100),
            )
            for pk in mentee_ids
        ],
        batch_size=batch,
    )
    GoalEvent.objects.bulk_create(
        [
            GoalEvent(goal_id=pk, kind="progress", to_value="30", created_at=now - timedelta(days=rng.uniform(1, 90)))
            for pk in Goal.objects.exclude(status="not_started").values_list("pk", flat=True)
        ],
        batch_size=batch,
    )
    survey = Survey.objects.create(program=program, title="Pulse", status="active")
    rating = SurveyQuestion.objects.create(survey=survey, kind="rating", text="Useful?")
    nps = SurveyQuestion.objects.create(survey=survey, kind="nps", text="Recommend?")
    instance = SurveyInstance.objects.create(
        survey=survey,
        occurrence="bench",
        occurs_on=today - timedelta(days=30),
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=16),
        remind_at=now - timedelta(days=19),
    )
    SurveyInvitation.objects.bulk_create(
        [
            SurveyInvitation(instance=instance, enrollment_id=pk, role="mentee", answered=rng.random() < 0.6)
            for pk in mentee_ids
        ],
        batch_size=batch,
    )
    responses = SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(
                survey=instance.survey,
                instance=instance,
                invitation_id=pk,
                role="mentee",
                submitted_on=today - timedelta(days=25),
            )
            for pk in SurveyInvitation.objects.filter(answered=True).values_list("pk", flat=True)
        ],
        batch_size=batch,
    )
    SurveyAnswer.objects.bulk_create(
        [
            answer
            for response in responses
            for answer in (
                SurveyAnswer(response_id=response.pk, question=rating, number=rng.choice([2, 3, 4, 4, 5])),
                SurveyAnswer(response_id=response.pk, question=nps, number=rng.randint(0, 10)),
            )
        ],
        batch_size=batch,
    )
    built = time.perf_counter() - t0
    t1 = time.perf_counter()
    snapshot = program_evaluate(program=program)
    evaluated = time.perf_counter() - t1
    copies = []
    for days in range(1, 181):
        copy = ProgramSnapshot.objects.get(pk=snapshot.pk)
        copy.pk, copy.date = None, today - timedelta(days=days)
        copies.append(copy)
    ProgramSnapshot.objects.bulk_create(copies)
    print(
        f"Built {employees:,} employees, {participants:,} participants, {len(pairing_ids):,} pairings, "
        f"{sessions_total:,} sessions, {len(responses):,} survey responses in {built:.1f} s; "
        f"evaluated in {evaluated:.2f} s ({snapshot.pairings_at_risk:,} pairs at risk); 181 snapshots.",
        flush=True,
    )
    return program, hr, owner


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    with django_workdir("dashboards", test_client=True):
        return run(args)


def run(args) -> int:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"Database: {engine} ({settings.DATABASES['default']['NAME']})", flush=True)
    program, hr, owner = build(args.participants, args.sessions)
    hr_client, owner_client = Client(), Client()
    hr_client.force_login(hr)
    owner_client.force_login(owner)
    base = f"/dashboards/programs/{program.slug}/"
    pages = [
        ("notifications page (trivial baseline)", hr_client, "/notifications/"),
        ("overview (HR)", hr_client, "/dashboards/"),
        ("program dashboard (HR, at-risk list)", hr_client, base),
        ("program dashboard (owner)", owner_client, base),
        ("pairs at risk (HR, 50 a page)", hr_client, base + "health/"),
        ("outcomes", hr_client, base + "outcomes/"),
        ("diversity & inclusion (HR)", hr_client, base + "diversity/"),
    ]
    timings = {label: [] for label, _, _ in pages}
    queries = {}
    for _label, client, url in pages:  # warm up: templates, URL resolver, first connections
        assert client.get(url).status_code == 200, url
    for _ in range(args.repeat):
        for label, client, url in pages:
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                start = time.perf_counter()
                response = client.get(url)
                timings[label].append(time.perf_counter() - start)
            assert response.status_code == 200, url
            queries[label] = counter.count
    baseline = statistics.median(timings[pages[0][0]])
    print()
    print(f"Medians of {args.repeat} requests (test client, same run):")
    print(f"{'':<42}{'time (ms)':>11}{'x trivial':>11}{'queries':>9}")
    for label, _, _ in pages:
        median = statistics.median(timings[label])
        print(f"{label:<42}{median * 1000:>11.1f}{median / baseline:>11.1f}{queries[label]:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
