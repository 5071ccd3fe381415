"""Benchmark a full Django match run (``match_run_execute``) against the engine alone.

Usage (from the repository root)::

    .venv/bin/python bench/match_run.py                                   # 10,000 mentees x 2,500 mentors
    .venv/bin/python bench/match_run.py --mentees 2000 --mentors 500 --repeat 5
    .venv/bin/python bench/match_run.py --profile                         # + cProfile of one extra run
    .venv/bin/python bench/match_run.py --app-dir /tmp/before             # another checkout's code

Without ``DATABASE_URL`` it builds a fresh SQLite file in a temporary folder (never the app's
own database). With ``bulk_create`` it fills one program in the matching stage: a company of
``mentees + mentors`` people plus their managers (management chains several levels deep, 40
departments, 10 offices, time zones of five regions, one or two languages each, seniority),
the participants' profiles (wanted/offered skills with levels out of 400 Zipf-skewed skills,
objectives, meeting format, hours, working style, capacities 1-5), two mapped program
questions (single choice and scale) with answers, a required training module done by ~97 %
of them, a few earlier ended pairings, declined requests, HR exclusions and locks.

Each of the ``--repeat`` runs queues a fresh ``MatchRun`` and times ``match_run_execute``
end to end (median printed), with a phase breakdown (load: the cohort from the database;
score: every pair; solve: ``engine.assign``; locks: HR's locked pairs around it; explain: the
proposals' points per criterion; write: proposals and stats) in wall seconds and in this
process's CPU seconds (the database server's work shows in wall time only), and the number
of queries. The baseline, measured in the same process on the very score matrix the run
built right after each run (so both see the same load), is the engine alone
(``matching.engine.assign``): the ratio is the Django overhead factor, printed for the
medians and run by run. On a shared, loaded machine wall times swing with the load; the CPU column and the
ratio (both sides measured in the same minutes) swing less.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.djangobench import QueryCounter, django_workdir  # noqa: E402

N_SKILLS, N_DEPARTMENTS, N_LOCATIONS = 400, 40, 10
LANGUAGES = ["English", "German", "French", "Spanish", "Portuguese", "Japanese"]
REGIONS = [  # (time zones, regional language)
    (["Europe/London", "Europe/Lisbon"], "Portuguese"),
    (["Europe/Berlin", "Europe/Paris", "Europe/Madrid"], "German"),
    (["America/New_York", "America/Chicago"], "Spanish"),
    (["America/Los_Angeles", "America/Sao_Paulo"], "Spanish"),
    (["Asia/Tokyo", "Asia/Singapore"], "Japanese"),
]
CHOICES = ["Pairing on real work", "Reading and discussing", "Career conversations", "Shadowing"]


def _zipf_weights(k: int, a: float = 1.1) -> list[float]:
    return [1.0 / (r + 1) ** a for r in range(k)]


def _distinct(rng: random.Random, population: list, weights: list[float], count: int) -> list:
    out: list = []
    while len(out) < count:
        pick = rng.choices(population, weights)[0]
        if pick not in out:
            out.append(pick)
    return out


def build(n_mentees: int, n_mentors: int, *, seed: int = 1):
    """The program, filled with ``bulk_create`` (in a migrated database). Returns it.

    ``matching/tests/test_run_result.py`` pins the result of a small run of this program: a
    change here that alters the data changes that test's pinned figures too."""
    from django.utils import timezone

    from matching.models import MatchingCriteria, MentorshipRequest, Pairing, PairOverride
    from people.models import Department, Language, Location, Person, Skill
    from programs.models import (
        WORKING_STYLE_ITEMS,
        Enrollment,
        EnrollmentSkill,
        Objective,
        Program,
        ProgramQuestion,
        Role,
        TrainingCompletion,
        TrainingModule,
    )

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    batch = 5000
    program = Program.objects.create(
        name="Bench program",
        slug="bench",
        start_date=today + timedelta(days=14),
        end_date=today + timedelta(days=200),
        status=Program.Status.MATCHING,
        matching_mode=Program.MatchingMode.ADMIN,
        default_mentor_capacity=2,
    )
    MatchingCriteria.objects.create(program=program)
    departments = Department.objects.bulk_create([Department(name=f"Department {k}") for k in range(N_DEPARTMENTS)])
    locations = Location.objects.bulk_create([Location(name=f"Office {k}") for k in range(N_LOCATIONS)])
    languages = {lang.name: lang for lang in Language.objects.bulk_create([Language(name=n) for n in LANGUAGES])}
    skills = Skill.objects.bulk_create([Skill(name=f"Skill {k}") for k in range(N_SKILLS)])
    skill_weights = _zipf_weights(N_SKILLS)

    # The company: participants plus a management layer (one manager per ~8 people, chains of 3-5).
    participants = n_mentees + n_mentors
    managers = max(1, participants // 8)
    total = participants + managers
    regions = [rng.randrange(len(REGIONS)) for _ in range(total)]
    people = Person.objects.bulk_create(
        [
            Person(
                email=f"person{i}@bench.example",
                first_name="Person",
                last_name=str(i),
                department=departments[rng.randrange(N_DEPARTMENTS)],
                location=locations[rng.randrange(N_LOCATIONS)] if rng.random() < 0.9 else None,
                time_zone=rng.choice(REGIONS[regions[i]][0]),
                # Managers (the tail) are more senior; mentors (after the mentees) above mentees.
                seniority=rng.randint(6, 10)
                if i >= participants
                else (rng.randint(3, 10) if i >= n_mentees else rng.randint(1, 7)),
            )
            for i in range(total)
        ],
        batch_size=batch,
    )
    # Manager links: a participant reports to a manager or (1 in 3) to another participant of the
    # upper tier; managers report to managers higher in a tree, so chains are several levels deep.
    for i, person in enumerate(people):
        if i >= participants:
            k = i - participants
            person.manager = people[participants + (k - 1) // 4] if k > 0 else None
        elif i < n_mentees and rng.random() < 0.3:
            person.manager = people[n_mentees + rng.randrange(n_mentors)]
        else:
            person.manager = people[participants + rng.randrange(managers)]
    Person.objects.bulk_update(people, ["manager"], batch_size=batch)
    speaks = Person.languages.through
    links = []
    for i, person in enumerate(people):
        names = {"English"} if rng.random() < 0.85 else set()
        if rng.random() < 0.5 or not names:
            names.add(REGIONS[regions[i]][1])
        links += [speaks(person_id=person.pk, language_id=languages[n].pk) for n in names]
    speaks.objects.bulk_create(links, batch_size=batch)

    mentee_q = ProgramQuestion.objects.create(
        program=program, audience=Role.MENTEE, text="How do you like to learn?", kind="multiple", choices=CHOICES
    )
    mentor_q = ProgramQuestion.objects.create(
        program=program, audience=Role.MENTOR, text="How do you like to teach?", kind="multiple", choices=CHOICES
    )
    mentee_q.maps_to = mentor_q
    mentee_q.save()
    mentee_s = ProgramQuestion.objects.create(
        program=program, audience=Role.MENTEE, text="How structured?", kind="scale", order=1
    )
    mentor_s = ProgramQuestion.objects.create(
        program=program, audience=Role.MENTOR, text="How structured?", kind="scale", order=1
    )
    mentee_s.maps_to = mentor_s
    mentee_s.save()
    ProgramQuestion.objects.create(program=program, audience=Role.MENTEE, text="Anything else?", kind="text", order=2)

    objectives = [o for o in Objective.values if o != "custom"]
    formats = ["either"] * 6 + ["video"] * 3 + ["in_person"]
    enrollments = []
    for i in range(participants):
        is_mentor = i >= n_mentees
        question, scale = (mentor_q, mentor_s) if is_mentor else (mentee_q, mentee_s)
        answers = {}
        if rng.random() < 0.9:
            answers[str(question.pk)] = rng.sample(CHOICES, rng.randint(1, 2))
        if rng.random() < 0.9:
            answers[str(scale.pk)] = rng.randint(1, 5)
        enrollments.append(
            Enrollment(
                program=program,
                person=people[i],
                role=Role.MENTOR if is_mentor else Role.MENTEE,
                status=Enrollment.Status.APPROVED,
                objectives=rng.sample(objectives, rng.randint(1, 3)),
                meeting_format=rng.choice(formats),
                availability_hours=rng.randint(1, 8),
                mentor_capacity=rng.randint(1, 5) if is_mentor else None,
                working_style={item.code: rng.randint(1, 5) for item in WORKING_STYLE_ITEMS if rng.random() < 0.9},
                answers=answers,
                decided_at=now - timedelta(days=10),
            )
        )
    enrollments = Enrollment.objects.bulk_create(enrollments, batch_size=batch)
    mentees, mentors = enrollments[:n_mentees], enrollments[n_mentees:]

    entries = []
    for e in enrollments:
        is_mentor = e.role == Role.MENTOR
        direction = EnrollmentSkill.Direction.HAS if is_mentor else EnrollmentSkill.Direction.WANTS
        count = rng.randint(3, 8) if is_mentor else rng.randint(2, 5)
        for skill in _distinct(rng, skills, skill_weights, count):
            entries.append(EnrollmentSkill(enrollment=e, skill=skill, direction=direction, level=rng.randint(1, 5)))
        if is_mentor and rng.random() < 0.3:  # mentors list a skill they want too (ignored for matching)
            entries.append(
                EnrollmentSkill(
                    enrollment=e, skill=skills[rng.randrange(N_SKILLS)], direction="wants", level=rng.randint(1, 5)
                )
            )
    EnrollmentSkill.objects.bulk_create(entries, batch_size=batch, ignore_conflicts=True)

    module = TrainingModule.objects.create(program=program, title="Mentoring basics", required=True)
    TrainingModule.objects.create(program=program, title="Further reading", required=False, order=1)
    TrainingCompletion.objects.bulk_create(
        [TrainingCompletion(enrollment=e, module=module) for e in enrollments if rng.random() < 0.97],
        batch_size=batch,
    )

    # History: a few ended pairings, declined requests, HR exclusions and locks.
    def some_pairs(count):
        seen = set()
        while len(seen) < count:
            seen.add((rng.randrange(n_mentees), rng.randrange(n_mentors)))
        return [(mentees[i], mentors[j]) for i, j in sorted(seen)]

    Pairing.objects.bulk_create(
        [
            Pairing(program=program, mentee=a, mentor=b, status=Pairing.Status.ENDED, ended_at=now)
            for a, b in some_pairs(n_mentees // 20)
        ],
        batch_size=batch,
    )
    MentorshipRequest.objects.bulk_create(
        [
            MentorshipRequest(program=program, mentee=a, mentor=b, status="declined", expires_at=now, decided_at=now)
            for a, b in some_pairs(n_mentees // 50)
        ],
        batch_size=batch,
    )
    PairOverride.objects.bulk_create(
        [PairOverride(program=program, mentee=a, mentor=b, kind="exclude") for a, b in some_pairs(n_mentees // 100)]
    )
    locks = {}
    for a, b in some_pairs(max(1, n_mentees // 500)):
        locks.setdefault(a.pk, (a, b))
    PairOverride.objects.bulk_create(
        [PairOverride(program=program, mentee=a, mentor=b, kind="lock") for a, b in locks.values()]
    )
    return program


class Phases:
    """Wall and CPU time per phase of a run, from wrappers around the functions ``services`` calls."""

    def __init__(self):
        self.times: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.captured: dict = {}
        self._patches = []

    def wrap(self, module, name, phase, *, capture=None):
        original = getattr(module, name)

        def timed(*args, **kwargs):
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                result = original(*args, **kwargs)
            finally:
                self.times[phase] += time.perf_counter() - t0
                self.cpu[phase] += time.process_time() - c0
            if capture:
                self.captured[capture] = result
            return result

        setattr(module, name, timed)
        self._patches.append((module, name, original))

    def undo(self):
        for module, name, original in reversed(self._patches):
            setattr(module, name, original)


PHASES = ("load", "score", "solve", "locks", "explain", "write", "rest")


def run_once(program, *, user=None, profile: cProfile.Profile | None = None):
    """One run end to end: (wall s, cpu s, {phase: (wall s, cpu s)}, queries, scored cohort, run)."""
    from django.db import connection

    from matching import engine, features, scoring, services

    try:  # where _match_run_save lives: matching/services/runs.py, or services.py before the split
        from matching.services import runs as run_services
    except ImportError:
        run_services = services
    from matching.models import MatchRun

    run = MatchRun.objects.create(program=program, started_by=user, criteria=_criteria(program))
    phases = Phases()
    phases.wrap(features, "cohort_load", "load")
    phases.wrap(scoring, "cohort_score", "score", capture="scored")
    phases.wrap(scoring, "cohort_assign", "assign")
    phases.wrap(engine, "assign", "solve")
    phases.wrap(scoring.ScoredCohort, "explained", "explain")
    phases.wrap(run_services, "_match_run_save", "write")
    counter = QueryCounter()
    try:
        with connection.execute_wrapper(counter):
            t0, c0 = time.perf_counter(), time.process_time()
            if profile:
                profile.enable()
            ok = services.match_run_execute(run_id=run.pk)
            if profile:
                profile.disable()
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        phases.undo()
    run.refresh_from_db()
    if not ok or run.status != MatchRun.Status.DONE:
        raise SystemExit(f"match run failed: {run.status} {run.message}")
    wall, used = dict(phases.times), dict(phases.cpu)
    wall["locks"], used["locks"] = wall.pop("assign") - wall["solve"], used.pop("assign") - used["solve"]
    wall["rest"] = elapsed - sum(wall.values())  # claiming the run, progress updates, locks query
    used["rest"] = cpu - sum(used.values())
    breakdown = {phase: (wall[phase], used[phase]) for phase in PHASES}
    return elapsed, cpu, breakdown, counter.count, phases.captured["scored"], run


def _accounts_for_everyone(program):
    """Publishing notifies people with an account: give every participant one (bulk, untimed)."""
    from people.models import Person, User

    people = list(Person.objects.filter(enrollments__program=program, user__isnull=True).distinct())
    users = User.objects.bulk_create(
        [User(email=person.email, first_name=person.first_name, last_name=person.last_name) for person in people],
        batch_size=2000,
    )
    for person, user in zip(people, users, strict=True):
        person.user = user
    Person.objects.bulk_update(people, ["user"], batch_size=2000)
    hr = User.objects.filter(email="bench-hr@example.com").first()
    return hr or User.objects.create(email="bench-hr@example.com", is_hr_admin=True)


def _publish_per_row(run, user):
    """The publish path before issue 13, for the baseline: per proposal a Pairing INSERT and,
    for each of the two people, ``notification_send`` (its own get-or-create and email task).
    The set-based checks both paths share are left out: the difference is the per-row work."""
    from core.notifications import notification_send
    from matching.models import MatchRun, Pairing

    MatchRun.objects.filter(pk=run.pk).update(status=MatchRun.Status.PUBLISHED)
    program = run.program
    created = 0
    for proposal in run.proposals.select_related("mentee__person__user", "mentor__person__user"):
        pairing = Pairing.objects.create(
            program=program,
            mentor_id=proposal.mentor_id,
            mentee_id=proposal.mentee_id,
            status=Pairing.Status.PROPOSED,
            source=Pairing.Source.ADMIN,
            score=proposal.score,
            explanation=proposal.explanation,
            match_run=run,
        )
        for me, partner in ((proposal.mentor, proposal.mentee), (proposal.mentee, proposal.mentor)):
            notification_send(
                recipient=me.person.user,
                kind="pairing_proposed",
                title=f"You have a proposed {partner.role} in {program.name}",
                body=f"{partner.person.full_name} is proposed as your {partner.role}. Please confirm or decline.",
                url="/matching/my-match/",
                key=f"pairing-proposed:{pairing.pk}:{me.person.user_id}",
            )
        created += 1
    return created


def publish_times(run, repeat: int) -> dict:
    """``match_run_publish`` and the per-row baseline on the same finished run, each in a
    transaction rolled back afterwards (so every try starts from the same rows and queues
    no email): {name: [(wall s, queries, pairings created), ...]}."""
    from django.db import connection, transaction

    from matching import services
    from people.models import User

    user = User.objects.get(email="bench-hr@example.com")
    paths = {
        "ours: match_run_publish": lambda: len(services.match_run_publish(run=run, user=user).created),
        "baseline: per proposal": lambda: _publish_per_row(run, user),
    }
    times = {name: [] for name in paths}
    for _ in range(repeat):
        for name, publish in paths.items():
            counter = QueryCounter()
            with transaction.atomic(), connection.execute_wrapper(counter):
                t0 = time.perf_counter()
                created = publish()
                times[name].append((time.perf_counter() - t0, counter.count, created))
                transaction.set_rollback(True)
            run.refresh_from_db()
    return times


def _criteria(program):
    from matching.services import matching_criteria_get_or_create, matching_criteria_snapshot

    return matching_criteria_snapshot(criteria=matching_criteria_get_or_create(program=program))


def engine_baseline(scored, repeat: int) -> tuple[float, float]:
    """The engine alone on the run's own score matrix (same capacities and objective): median wall and CPU s."""
    from matching import engine

    settings = scored.settings
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        engine.assign(
            scored.scores, scored.cohort.capacities, objective=settings.objective, min_score=settings.min_score
        )
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=2_500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile one extra run and print the top functions")
    parser.add_argument("--top", type=int, default=25, help="functions shown with --profile")
    parser.add_argument("--app-dir", type=Path, help="measure the code of another checkout (before/after)")
    args = parser.parse_args(argv)
    if args.app_dir:  # its apps instead of this checkout's (this bench's own code measures them)
        app_dir = args.app_dir.resolve()
        sys.path[:] = [str(app_dir)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT]
        os.chdir(app_dir)  # Celery puts the working directory first on the path

    with django_workdir("match_run", debug=False):
        from django.core.management import call_command
        from django.db import connection

        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        program = build(args.mentees, args.mentors, seed=args.seed)
        print(
            f"== program of {args.mentees:,} mentees x {args.mentors:,} mentors on {connection.vendor} "
            f"(built in {time.perf_counter() - t0:.1f} s; load average {_load_average()}; "
            f"code of {Path(sys.modules['matching'].__file__).parent.parent})"
        )
        runs, bases = [], []
        for _ in range(args.repeat):
            if runs:  # a worker frees a run's score matrix before the next run: so does the bench
                runs[-1] = (*runs[-1][:4], None, runs[-1][5])
            runs.append(run_once(program))
            # The engine alone right after each run, on its matrix: both sides see the same load.
            bases.append(engine_baseline(runs[-1][4], 1))
        walls = [r[0] for r in runs]
        cpus = [r[1] for r in runs]
        median_wall, median_cpu = statistics.median(walls), statistics.median(cpus)
        scored, last = runs[-1][4], runs[-1][5]
        base_wall = statistics.median(b[0] for b in bases)
        base_cpu = statistics.median(b[1] for b in bases)
        ratios = [r[0] / b[0] for r, b in zip(runs, bases, strict=True)]
        stats = last.stats
        blocked = float((~(scored.scores > -float("inf"))).mean())
        print(
            f"   cohort: {stats['mentees']:,} mentees x {stats['mentors']:,} mentors, {stats['places']:,} places, "
            f"{blocked:.1%} pairs blocked; matched {stats['matched']:,} ({stats['matched_pct']}%), "
            f"avg score {stats['avg_score']}, locked {stats['locked']}"
        )
        print(f"   {'':34} {'wall s':>8} {'cpu s':>8}   runs (wall s)")
        print(
            f"   {'ours: match_run_execute':34} {median_wall:8.2f} {median_cpu:8.2f}   "
            f"{', '.join(f'{w:.2f}' for w in walls)}"
        )
        print(
            f"   {'baseline: engine.assign alone':34} {base_wall:8.2f} {base_cpu:8.2f}   "
            f"{', '.join(f'{b[0]:.2f}' for b in bases)}"
        )
        print(
            f"   whole run / engine alone: {median_wall / base_wall:.2f}x wall, {median_cpu / base_cpu:.2f}x cpu; "
            f"run by run {', '.join(f'{x:.2f}' for x in ratios)} (median {statistics.median(ratios):.2f}x; "
            f"load average now {_load_average()})"
        )
        print(f"   queries per run: {', '.join(str(r[3]) for r in runs)} (a COPY, on PostgreSQL, not counted)")
        print(f"   phase breakdown (medians):  {'wall s':>8} {'cpu s':>8}")
        for phase in PHASES:
            wall = statistics.median(r[2][phase][0] for r in runs)
            cpu = statistics.median(r[2][phase][1] for r in runs)
            print(f"     {phase:26} {wall:8.2f} {cpu:8.2f}")
        # Publishing the last run: its proposals become proposed pairings, both people told.
        _accounts_for_everyone(program)
        published = publish_times(last, max(1, min(args.repeat, 3)))
        print(f"   publish the run ({last.proposals.count():,} proposals, everyone with an account; rolled back):")
        for name, tries in published.items():
            wall = statistics.median(t[0] for t in tries)
            print(
                f"     {name:32} {wall:8.2f} s   {tries[0][1]:,} queries, {tries[0][2]:,} pairings   "
                f"runs {', '.join(f'{t[0]:.2f}' for t in tries)}"
            )
        if args.profile:
            profile = cProfile.Profile()
            run_once(program, profile=profile)
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
            print(out.getvalue())
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
            print(out.getvalue())


def _load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
