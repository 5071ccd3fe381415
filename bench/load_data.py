"""The load test's company: 10,000 employees, one running program with 2,000 pairings.

Built with ``bulk_create`` (one INSERT per few thousand rows, never one per row) into a
PostgreSQL database that ``bench/load.py`` then copies for each run (``CREATE DATABASE ...
TEMPLATE``), so the build (about a minute) happens once. Run through ``bench/load.py``;
``python bench/load_data.py build``, ``... manifest`` and ``... hash-cost`` are its child processes (Django
is set up on ``DATABASE_URL``).

What is in it (``SIZES``): 10,000 people in 12 departments and 10 locations with a
management tree, languages and self-identification; 3,000 participants of the running
program (1,000 mentors taking two mentees each, 2,000 mentees) with skills, training and
goals; a published match run; 2,000 pairings (1,850 active); 50,000 held sessions and one
planned session per active pair, action items; a program-wide check-in survey open now
(every participant invited, 40% answered) and three closed rounds; a post-session pulse for
each session of the last 60 days; notifications; 181 daily dashboard snapshots; a second
program enrolling with open sign-up. Accounts: every participant, 10 HR admins and 5
program owners, all with the password ``PASSWORD`` hashed by the configured hasher.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PASSWORD = "load-pass-123"
PROGRAM_SLUG = "company-mentoring-load"
SIZES = {
    "employees": 10_000,
    "mentors": 1_000,
    "mentees": 2_000,
    "sessions": 50_000,
    "hr_admins": 10,
    "owners": 5,
}
BATCH = 5_000
FIRST_NAMES = [
    "Ada",
    "Alan",
    "Amira",
    "Ana",
    "Arjun",
    "Ben",
    "Bo",
    "Carla",
    "Chen",
    "Chloe",
    "Dan",
    "Dara",
    "Elena",
    "Emil",
    "Eva",
    "Farah",
    "Felix",
    "Grace",
    "Hana",
    "Hugo",
    "Ines",
    "Ivan",
    "Jade",
    "Jonas",
    "Julia",
    "Kai",
    "Karin",
    "Leo",
    "Lina",
    "Luca",
    "Maya",
    "Mei",
    "Milan",
    "Nadia",
    "Nina",
    "Noah",
    "Omar",
    "Olga",
    "Pia",
    "Priya",
    "Rafael",
    "Rosa",
    "Sam",
    "Sara",
    "Sofia",
    "Tariq",
    "Theo",
    "Uma",
    "Vera",
    "Wen",
    "Yara",
    "Yusuf",
    "Zoe",
]
LAST_NAMES = [
    "Adams",
    "Ahmed",
    "Alvarez",
    "Andersen",
    "Bauer",
    "Becker",
    "Brown",
    "Castro",
    "Chen",
    "Costa",
    "Dahl",
    "Diaz",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Gomez",
    "Haddad",
    "Hansen",
    "Hoffmann",
    "Ito",
    "Jensen",
    "Johnson",
    "Kaur",
    "Keller",
    "Kim",
    "Kowalski",
    "Larsen",
    "Lee",
    "Lopez",
    "Martin",
    "Meyer",
    "Moreau",
    "Muller",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Okafor",
    "Olsen",
    "Patel",
    "Petrov",
    "Quinn",
    "Rossi",
    "Santos",
    "Schmidt",
    "Silva",
    "Singh",
    "Smith",
    "Sousa",
    "Tanaka",
    "Taylor",
    "Thomas",
    "Torres",
    "Wagner",
    "Walker",
    "Wang",
    "Weber",
    "Williams",
    "Wilson",
    "Yamamoto",
    "Young",
    "Zhang",
]
DEPARTMENTS = [
    "Engineering",
    "Product",
    "Data",
    "Design",
    "Sales",
    "Marketing",
    "Finance",
    "People",
    "Support",
    "Legal",
    "Operations",
    "Security",
]
LOCATIONS = [
    ("Berlin", "Europe/Berlin"),
    ("London", "Europe/London"),
    ("Paris", "Europe/Paris"),
    ("Lisbon", "Europe/Lisbon"),
    ("New York", "America/New_York"),
    ("Toronto", "America/Toronto"),
    ("Sao Paulo", "America/Sao_Paulo"),
    ("Bangalore", "Asia/Kolkata"),
    ("Singapore", "Asia/Singapore"),
    ("Sydney", "Australia/Sydney"),
]
LANGUAGES = ["English", "German", "French", "Portuguese", "Spanish", "Hindi", "Mandarin", "Japanese"]


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
    import django

    django.setup()


def build(*, seed: int = 11, sizes: dict | None = None) -> dict:
    """Fill the (migrated, empty) database of DATABASE_URL; returns the row counts.

    ``sizes`` overrides some of ``SIZES`` (``bench/pages.py`` builds a 10x smaller and a larger
    company); its optional keys ``runs`` (match runs with a proposal per mentee, default 1),
    ``inbox`` (extra notifications for the first HR admin, default 0) and ``low_ratings`` (the
    share of survey responses rating 1 or 2, default 0) change what the load test does not use."""
    sizes = {**SIZES, **(sizes or {})}
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from core.models import Notification
    from evaluation.models import ProgramSnapshot
    from evaluation.services import program_evaluate

    try:
        from goals.models import Goal, Milestone
    except ImportError:  # a checkout from before goals became their own app
        from programs.models import Goal, Milestone
    from matching.models import MatchingCriteria, MatchProposal, MatchRun, Pairing
    from people.models import Department, Language, Location, Person, SelfIdentification, Skill, User
    from programs.models import Enrollment, EnrollmentSkill, Program, Role, TrainingCompletion, TrainingModule
    from sessions.models import ActionItem, MentoringSession
    from surveys.models import Survey, SurveyAnswer, SurveyInstance, SurveyInvitation, SurveyQuestion, SurveyResponse

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    password = make_password(PASSWORD)  # one hash for everyone: the configured hasher's cost at sign-in
    counts = {}

    with transaction.atomic():
        departments = Department.objects.bulk_create([Department(name=name) for name in DEPARTMENTS])
        locations = Location.objects.bulk_create([Location(name=name) for name, _ in LOCATIONS])
        languages = Language.objects.bulk_create([Language(name=name) for name in LANGUAGES])
        skills = Skill.objects.bulk_create([Skill(name=f"Skill {i:02d}", category=f"Area {i % 6}") for i in range(40)])

        # People: a management tree (each manager has about 8 reports), a few leavers.
        n = sizes["employees"]
        people = []
        for i in range(n):
            where = rng.randrange(len(LOCATIONS))
            people.append(
                Person(
                    email=f"person{i:05d}@load.example",
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    title=rng.choice(["Engineer", "Analyst", "Manager", "Designer", "Specialist", "Lead"]),
                    department=departments[i % len(departments)],
                    location=locations[where],
                    time_zone=LOCATIONS[where][1],
                    seniority=min(10, 1 + int(rng.expovariate(0.35))),
                    hire_date=today - timedelta(days=rng.randint(30, 4000)),
                    termination_date=today - timedelta(days=rng.randint(1, 300))
                    if i > 3500 and rng.random() < 0.03
                    else None,
                    promotion_date=today - timedelta(days=rng.randint(1, 300)) if rng.random() < 0.08 else None,
                )
            )
        people = Person.objects.bulk_create(people, batch_size=BATCH)
        for i, person in enumerate(people[1:], start=1):
            person.manager_id = people[(i - 1) // 8].pk
        Person.objects.bulk_update(people[1:], ["manager"], batch_size=BATCH)
        through = Person.languages.through
        through.objects.bulk_create(
            [
                through(person_id=person.pk, language_id=language.pk)
                for person in people
                for language in {languages[0], rng.choice(languages)}
            ],
            batch_size=BATCH,
        )
        SelfIdentification.objects.bulk_create(
            [
                SelfIdentification(
                    person_id=person.pk,
                    gender=rng.choice(["woman", "man", "man", "woman", "non_binary", "prefer_not"]),
                    age_band=rng.choice(["under_25", "25_34", "35_44", "45_54", "55_plus"]),
                    lgbtq=rng.choice(["yes", "no", "no", "no", "prefer_not"]),
                )
                for person in people
                if rng.random() < 0.6
            ],
            batch_size=BATCH,
        )

        # Accounts: participants (the first 3,000 active people), HR admins, owners.
        active = [p for p in people if p.termination_date is None]
        mentor_people = active[: sizes["mentors"]]
        mentee_people = active[sizes["mentors"] : sizes["mentors"] + sizes["mentees"]]
        rest = active[sizes["mentors"] + sizes["mentees"] :]
        hr_people = rest[: sizes["hr_admins"]]
        owner_people = rest[sizes["hr_admins"] : sizes["hr_admins"] + sizes["owners"]]
        with_account = mentor_people + mentee_people + hr_people + owner_people
        hr_ids = {p.pk for p in hr_people}
        users = User.objects.bulk_create(
            [
                User(
                    email=p.email,
                    first_name=p.first_name,
                    last_name=p.last_name,
                    password=password,
                    is_hr_admin=p.pk in hr_ids,
                    is_staff=p.pk in hr_ids,
                    last_login=now - timedelta(days=rng.randint(1, 30)),
                )
                for p in with_account
            ],
            batch_size=BATCH,
        )
        for person, user in zip(with_account, users, strict=True):
            person.user_id = user.pk
        Person.objects.bulk_update(with_account, ["user"], batch_size=BATCH)
        EmailAddress.objects.bulk_create(
            [EmailAddress(user_id=u.pk, email=u.email, verified=True, primary=True) for u in users], batch_size=BATCH
        )
        user_of = {p.pk: p.user_id for p in with_account}

        # The running program and one enrolling with open sign-up.
        program = Program.objects.create(
            name="Company Mentoring 2027",
            slug=PROGRAM_SLUG,
            description="Company-wide mentoring: every department, every location.",
            objectives=["career", "leadership", "technical"],
            start_date=today - timedelta(days=150),
            end_date=today + timedelta(days=215),
            status=Program.Status.RUNNING,
            default_mentor_capacity=-(-sizes["mentees"] // sizes["mentors"]),
        )
        program.owners.set([user_of[p.pk] for p in owner_people])
        Program.objects.create(
            name="Spring Cohort 2027",
            slug="spring-cohort-load",
            start_date=today + timedelta(days=30),
            end_date=today + timedelta(days=300),
            status=Program.Status.ENROLLING,
            open_signup=True,
        )
        MatchingCriteria.objects.create(program=program)
        modules = TrainingModule.objects.bulk_create(
            [
                TrainingModule(program=program, title="How mentoring works here", order=1),
                TrainingModule(program=program, title="Giving feedback", order=2, audience="mentors"),
            ]
        )

        def profile(role):
            return {
                "role": role,
                "status": Enrollment.Status.APPROVED,
                "objectives": rng.sample(["career", "leadership", "technical", "onboarding"], 2),
                "working_style": {c: rng.randint(1, 5) for c in ("structure", "feedback", "meetings", "focus")},
                "availability_hours": rng.choice([2, 4, 6]),
                "charter_agreed_at": now - timedelta(days=170),
                "decided_at": now - timedelta(days=165),
            }

        mentors = Enrollment.objects.bulk_create(
            [Enrollment(program=program, person_id=p.pk, **profile(Role.MENTOR)) for p in mentor_people],
            batch_size=BATCH,
        )
        mentees = Enrollment.objects.bulk_create(
            [Enrollment(program=program, person_id=p.pk, **profile(Role.MENTEE)) for p in mentee_people],
            batch_size=BATCH,
        )
        enrollments = mentors + mentees
        EnrollmentSkill.objects.bulk_create(
            [
                EnrollmentSkill(
                    enrollment_id=e.pk,
                    skill_id=skill.pk,
                    direction="has" if e.role == Role.MENTOR else "wants",
                    level=rng.randint(1, 5),
                )
                for e in enrollments
                for skill in rng.sample(skills, 3)
            ],
            batch_size=BATCH,
        )
        TrainingCompletion.objects.bulk_create(
            [
                TrainingCompletion(enrollment_id=e.pk, module_id=m.pk)
                for e in enrollments
                for m in modules
                if m.applies_to(e.role)
            ],
            batch_size=BATCH,
        )

        # A published match run and the pairings it made.
        run = MatchRun.objects.create(
            program=program, status=MatchRun.Status.PUBLISHED, progress=100, finished_at=now - timedelta(days=160)
        )
        run_parts = {"skills": 12.0, "objectives": 8.0, "time_zone": 5.0, "working_style": 6.0}
        MatchProposal.objects.bulk_create(
            [
                MatchProposal(
                    run=run,
                    mentee_id=mentee.pk,
                    mentor_id=mentors[i % len(mentors)].pk,
                    score=31.0,
                    explanation=run_parts,
                )
                for i, mentee in enumerate(mentees)
            ],
            batch_size=BATCH,
        )
        for k in range(1, sizes.get("runs", 1)):  # re-runs after the published one, not published
            rerun = MatchRun.objects.create(
                program=program, status=MatchRun.Status.DONE, progress=100, finished_at=now - timedelta(days=10 * k)
            )
            MatchProposal.objects.bulk_create(
                [
                    MatchProposal(
                        run=rerun,
                        mentee_id=mentee.pk,
                        mentor_id=mentors[(i + k) % len(mentors)].pk,
                        score=30.0 - k,
                        explanation=run_parts,
                    )
                    for i, mentee in enumerate(mentees)
                ],
                batch_size=BATCH,
            )
        pairings = []
        for i, mentee in enumerate(mentees):
            started = now - timedelta(days=rng.uniform(120, 150))
            status = "active" if i < 0.925 * len(mentees) else ("completed" if i < 0.975 * len(mentees) else "ended")
            pairings.append(
                Pairing(
                    program=program,
                    mentor_id=mentors[i % len(mentors)].pk,
                    mentee_id=mentee.pk,
                    status=status,
                    score=31.0,
                    explanation=run_parts,
                    match_run=run,
                    mentor_confirmed_at=started - timedelta(days=3),
                    mentee_confirmed_at=started - timedelta(days=3),
                    started_at=started,
                    ended_at=now - timedelta(days=rng.uniform(5, 40)) if status != "active" else None,
                )
            )
        pairings = Pairing.objects.bulk_create(pairings, batch_size=BATCH)
        person_of_enrollment = {e.pk: e.person_id for e in enrollments}

        # Goals with milestones.
        goals = Goal.objects.bulk_create(
            [
                Goal(
                    enrollment_id=mentee.pk,
                    title=title,
                    status=rng.choice(["not_started", "in_progress", "in_progress", "achieved"]),
                    progress=rng.choice([0, 25, 50, 75, 100]),
                    created_by_id=user_of[mentee.person_id],
                    created_at=now - timedelta(days=140),
                )
                for mentee in mentees
                for title in ("Lead a cross-team project", "Present at the all-hands")
            ],
            batch_size=BATCH,
        )
        Milestone.objects.bulk_create(
            [Milestone(goal_id=g.pk, title=f"Step {k}", order=k) for g in goals for k in (1, 2)], batch_size=BATCH
        )

        # Sessions: 50,000 held over the program so far, one planned per active pair.
        sessions = []
        per_pairing = sizes["sessions"] // len(pairings)
        for pairing in pairings:
            span = (pairing.ended_at or now) - pairing.started_at
            for k in range(per_pairing):
                starts = pairing.started_at + span * ((k + rng.random()) / per_pairing)
                sessions.append(
                    MentoringSession(
                        pairing_id=pairing.pk,
                        status="held",
                        starts_at=starts.replace(minute=0, second=0, microsecond=0),
                        topics=rng.sample(["career", "skills", "feedback", "project"], 2),
                        shared_notes="We went through the plan for the next weeks.",
                        logged_by_id=user_of[person_of_enrollment[pairing.mentor_id]],
                        logged_at=starts + timedelta(hours=2),
                        created_at=starts - timedelta(days=3),
                    )
                )
            if pairing.status == "active":
                sessions.append(
                    MentoringSession(
                        pairing_id=pairing.pk,
                        status="scheduled",
                        starts_at=(now + timedelta(days=rng.uniform(1, 14))).replace(minute=0, second=0, microsecond=0),
                        video_url="https://video.example/room",
                        agenda="Next steps",
                    )
                )
        sessions = MentoringSession.objects.bulk_create(sessions, batch_size=BATCH)
        pairing_by_id = {p.pk: p for p in pairings}
        ActionItem.objects.bulk_create(
            [
                ActionItem(
                    session_id=s.pk,
                    pairing_id=s.pairing_id,
                    title="Read the chapter on delegation",
                    owner_id=person_of_enrollment[pairing_by_id[s.pairing_id].mentee_id],
                    due_date=(s.starts_at + timedelta(days=14)).date(),
                    done_at=s.starts_at + timedelta(days=10) if s.starts_at < now - timedelta(days=20) else None,
                )
                for s in sessions[::5]
                if s.status == "held"
            ],
            batch_size=BATCH,
        )

        # Surveys: a program-wide check-in (one round open now, three closed) and a
        # post-session pulse for each session of the last 60 days.
        checkin = Survey.objects.create(
            program=program,
            title="Monthly check-in",
            audience="both",
            trigger="program_every",
            days=30,
            status="active",
        )
        checkin_questions = SurveyQuestion.objects.bulk_create(
            [
                SurveyQuestion(survey=checkin, kind="rating", text="How useful is the mentoring so far?", order=1),
                SurveyQuestion(survey=checkin, kind="nps", text="Would you recommend the program?", order=2),
                SurveyQuestion(
                    survey=checkin,
                    kind="single",
                    text="How often do you meet?",
                    choices=["Weekly", "Every two weeks", "Monthly", "Less often"],
                    order=3,
                ),
                SurveyQuestion(
                    survey=checkin, kind="text", text="Anything to tell the program team?", order=4, required=False
                ),
            ]
        )
        pulse = Survey.objects.create(
            program=program,
            title="After the session",
            audience="both",
            trigger="session_held",
            open_days=7,
            status="active",
        )
        pulse_questions = SurveyQuestion.objects.bulk_create(
            [
                SurveyQuestion(survey=pulse, kind="rating", text="How was the session?", order=1),
                SurveyQuestion(survey=pulse, kind="text", text="One thing you take away", order=2, required=False),
            ]
        )
        rounds = []
        for k, days_ago in enumerate((90, 60, 30, 0)):
            opens = now - timedelta(days=days_ago)
            rounds.append(
                SurveyInstance(
                    survey=checkin,
                    occurrence=f"program-every:{k}",
                    occurs_on=opens.date(),
                    opens_at=opens,
                    closes_at=opens + timedelta(days=14),
                    remind_at=opens + timedelta(days=11),
                    status="open" if days_ago == 0 else "closed",
                    closed_at=None if days_ago == 0 else opens + timedelta(days=14),
                )
            )
        recent = [s for s in sessions if s.status == "held" and s.starts_at > now - timedelta(days=60)]
        for s in recent:
            rounds.append(
                SurveyInstance(
                    survey=pulse,
                    occurrence=f"session:{s.pk}",
                    pairing_id=s.pairing_id,
                    session_id=s.pk,
                    occurs_on=s.starts_at.date(),
                    opens_at=s.starts_at + timedelta(hours=2),
                    closes_at=s.starts_at + timedelta(days=7),
                    remind_at=s.starts_at + timedelta(days=4),
                    status="open" if s.starts_at > now - timedelta(days=7) else "closed",
                )
            )
        rounds = SurveyInstance.objects.bulk_create(rounds, batch_size=BATCH)
        invitations = []
        for instance in rounds[:4]:
            answered = 0.4 if instance.status == "open" else 0.6
            invitations += [
                SurveyInvitation(
                    instance_id=instance.pk,
                    enrollment_id=e.pk,
                    role=e.role,
                    answered=rng.random() < answered,
                    invited_at=instance.opens_at,
                )
                for e in enrollments
            ]
        for instance in rounds[4:]:
            pairing = pairing_by_id[instance.pairing_id]
            invitations += [
                SurveyInvitation(
                    instance_id=instance.pk,
                    enrollment_id=enrollment_id,
                    role=role,
                    answered=rng.random() < 0.5,
                    invited_at=instance.opens_at,
                )
                for enrollment_id, role in ((pairing.mentor_id, "mentor"), (pairing.mentee_id, "mentee"))
            ]
        invitations = SurveyInvitation.objects.bulk_create(invitations, batch_size=BATCH)
        instance_by_id = {i.pk: i for i in rounds}
        department_of = {p.pk: p.department.name for p in people}
        answered = [inv for inv in invitations if inv.answered]
        responses = SurveyResponse.objects.bulk_create(
            [
                SurveyResponse(
                    survey_id=instance_by_id[inv.instance_id].survey_id,
                    instance_id=inv.instance_id,
                    invitation_id=inv.pk,
                    role=inv.role,
                    department=department_of[person_of_enrollment[inv.enrollment_id]],
                    submitted_on=(instance_by_id[inv.instance_id].opens_at + timedelta(days=2)).date(),
                )
                for inv in answered
            ],
            batch_size=BATCH,
        )
        answers = []
        low = sizes.get("low_ratings", 0)  # the share of 1-2 ratings (pair health's warning sign)
        for response in responses:
            number = rng.choice([1, 2]) if low and rng.random() < low else None
            if instance_by_id[response.instance_id].survey_id == checkin.pk:
                rating, nps, often, _ = checkin_questions
                answers += [
                    SurveyAnswer(
                        response_id=response.pk, question_id=rating.pk, number=number or rng.choice([3, 4, 4, 5, 5])
                    ),
                    SurveyAnswer(response_id=response.pk, question_id=nps.pk, number=rng.randint(4, 10)),
                    SurveyAnswer(response_id=response.pk, question_id=often.pk, choice=rng.choice(often.choices)),
                ]
            else:
                answers.append(
                    SurveyAnswer(
                        response_id=response.pk, question_id=pulse_questions[0].pk, number=number or rng.randint(3, 5)
                    )
                )
        SurveyAnswer.objects.bulk_create(answers, batch_size=BATCH)
        try:
            from surveys.tallies import surveys_tallies_rebuild
        except ImportError:  # a checkout from before the running totals of survey results
            pass
        else:  # The rows were bulk-inserted: their running totals too, as the nightly job would.
            surveys_tallies_rebuild()

        # Notifications: about ten per account, most read.
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=u.pk,
                    kind="session_reminder",
                    title="Your mentoring session is tomorrow",
                    url="/mentoring/",
                    idempotency_key=f"load:{u.pk}:{k}",
                    read_at=now - timedelta(days=k) if k > 1 else None,
                    email_status="sent",
                    emailed_at=now - timedelta(days=k),
                )
                for u in users
                for k in range(10)
            ],
            batch_size=BATCH,
        )
        inbox = users[len(mentor_people) + len(mentee_people)]  # the first HR admin
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=inbox.pk,
                    kind="health-nudge",
                    title="Time to check in on your program",
                    url="/dashboards/",
                    idempotency_key=f"load-inbox:{inbox.pk}:{k}",
                    read_at=now - timedelta(hours=k) if k > 20 else None,
                    email_status="sent",
                    emailed_at=now - timedelta(hours=k),
                )
                for k in range(sizes.get("inbox", 0))
            ],
            batch_size=BATCH,
        )

    # Freshly bulk-inserted tables have no planner statistics yet (a live database has):
    # without them the pair-health query of the evaluation takes minutes instead of seconds.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # Dashboards: today's snapshot computed for real, 180 earlier days as copies of it.
    snapshot = program_evaluate(program=program)
    copies = []
    for days in range(1, 181):
        copy = ProgramSnapshot.objects.get(pk=snapshot.pk)
        copy.pk, copy.date = None, today - timedelta(days=days)
        copies.append(copy)
    ProgramSnapshot.objects.bulk_create(copies)

    counts.update(
        employees=len(people),
        accounts=len(users),
        enrollments=len(enrollments),
        pairings=len(pairings),
        sessions=len(sessions),
        survey_invitations=len(invitations),
        survey_responses=len(responses),
        survey_answers=len(answers),
        notifications=len(users) * 10 + sizes.get("inbox", 0),
        match_runs=sizes.get("runs", 1),
    )
    return counts


def manifest() -> dict:
    """Who the virtual users are: accounts by role, their pairings and open invitations."""
    from django.utils import timezone

    from matching.models import Pairing
    from people.models import User
    from programs.models import Program
    from surveys.models import SurveyInvitation

    program = Program.objects.get(slug=PROGRAM_SLUG)
    live = Pairing.objects.filter(program=program, status="active").select_related(
        "mentor__person__user", "mentee__person__user"
    )
    open_invitations = {}
    for pk, email in SurveyInvitation.objects.filter(
        instance__survey__program=program,
        instance__survey__trigger="program_every",
        instance__status="open",
        instance__closes_at__gt=timezone.now(),
    ).values_list("pk", "enrollment__person__user__email"):
        open_invitations[email] = pk
    mentees = [
        {
            "email": p.mentee.person.user.email,
            "pairing": p.pk,
            "invitation": open_invitations.get(p.mentee.person.user.email),
        }
        for p in live.order_by("pk")
    ]
    mentors, seen = [], set()
    for p in live.order_by("mentor_id", "pk"):
        if p.mentor_id not in seen:
            seen.add(p.mentor_id)
            mentors.append({"email": p.mentor.person.user.email, "pairing": p.pk})
    return {
        "program": program.slug,
        "departments": list(program.enrollments.values_list("person__department_id", flat=True).distinct()),
        "last_names": sorted(set(User.objects.values_list("last_name", flat=True))),
        "mentees": [m for m in mentees if m["invitation"]],
        "mentors": mentors,
        "hr": list(User.objects.filter(is_hr_admin=True).order_by("pk").values_list("email", flat=True)),
        "owners": list(program.owners.order_by("pk").values_list("email", flat=True)),
        "password": PASSWORD,
    }


def hash_cost(repeat: int = 7) -> str:
    """Median time of one password verify with the configured hasher and with Django's default PBKDF2."""
    import statistics

    from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher

    figures = []
    for hasher in (get_hasher("default"), PBKDF2PasswordHasher()):
        encoded = hasher.encode(PASSWORD, hasher.salt())
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            hasher.verify(PASSWORD, encoded)
            times.append(time.perf_counter() - started)
        figures.append(f"{type(hasher).__name__} {statistics.median(times) * 1000:.0f} ms")
    return " vs ".join(figures)


if __name__ == "__main__":
    _setup_django()
    if sys.argv[1:2] == ["build"] and len(sys.argv) in (2, 4) and sys.argv[2:3] in ([], ["--sizes"]):
        t0 = time.perf_counter()
        result = build(sizes=json.loads(sys.argv[3]) if len(sys.argv) == 4 else None)
        result["seconds"] = round(time.perf_counter() - t0, 1)
        print(json.dumps(result))
    elif sys.argv[1:] == ["manifest"]:
        print(json.dumps(manifest()))
    elif sys.argv[1:] == ["hash-cost"]:
        print(hash_cost())
    else:
        sys.exit("usage: load_data.py build [--sizes JSON]|manifest|hash-cost (bench/load.py, bench/pages.py)")
