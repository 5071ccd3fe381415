"""Demo programs: one running, one enrolling, with 100+ believable enrollments.

Used by ``manage.py seed_demo`` after the directory. Dates follow today so the
demo stays current; everything else comes from the seeded ``rng``. Running it
again on the same day gives the same data: programs, questions, modules and
goal templates are keyed by name, enrollments by (program, person).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from people.models import Person, Skill
from programs.models import (
    WORKING_STYLE_ITEMS,
    Enrollment,
    EnrollmentSkill,
    GoalTemplate,
    MeetingFormat,
    Program,
    ProgramQuestion,
    Role,
    TrainingCompletion,
    TrainingModule,
)

Status = Enrollment.Status
Kind = ProgramQuestion.Kind
Audience = TrainingModule.Audience

LEADERSHIP_SLUG = "engineering-leadership-circle"
WOMEN_IN_TECH_SLUG = "women-in-tech-mentoring-2027"

LEADERSHIP = {
    "name": "Engineering Leadership Circle",
    "description": (
        "A six-month circle pairing senior engineers and engineering managers with engineers who are "
        "stepping into leadership: tech leads, first-time managers and staff-track ICs. Pairs meet every "
        "two weeks; the whole circle meets monthly for a round-table on a leadership theme."
    ),
    "objectives": ["leadership", "technical", "career"],
    "mentor_expectations": (
        "As a mentor in the Engineering Leadership Circle you agree to:\n\n"
        "- **Meet your mentee every two weeks** for at least 45 minutes, and reschedule rather than cancel.\n"
        "- **Listen first.** Ask questions before offering answers; share your own experience, not rules.\n"
        "- **Keep it confidential.** What your mentee shares stays between you, unless someone is at risk.\n"
        "- **Give honest, kind feedback**, and ask for feedback on your mentoring.\n"
        "- Tell the program team early if you can no longer take part."
    ),
    "mentee_expectations": (
        "As a mentee in the Engineering Leadership Circle you agree to:\n\n"
        "- **Own the relationship.** You set the agenda and send it a day before each meeting.\n"
        "- **Come prepared** with a concrete situation, question or decision you are facing.\n"
        "- **Act between sessions**: try one thing, and bring back what happened.\n"
        "- **Keep it confidential** and respect your mentor's time.\n"
        "- Tell the program team early if something isn't working."
    ),
    "cadence_days": 14,
    "default_mentor_capacity": 2,
    "matching_mode": Program.MatchingMode.ADMIN,
    "max_mentees": 36,
    "max_mentors": None,
    "open_signup": False,
    "status": Program.Status.RUNNING,
}

WOMEN_IN_TECH = {
    "name": "Women in Tech Mentoring 2027",
    "description": (
        "Mentoring for women and non-binary colleagues across engineering, product and data, open to "
        "mentors of every gender. Mentees choose from suggested mentors or ask the program team to match "
        "them; pairs meet monthly for six months, with three community sessions along the way."
    ),
    "objectives": ["diversity", "career", "leadership"],
    "mentor_expectations": (
        "Mentors in Women in Tech Mentoring commit to:\n\n"
        "- **Meet once a month** for an hour, and be reachable for a quick question in between.\n"
        "- **Advocate, not just advise**: look for opportunities to give your mentee visibility.\n"
        "- **Check your assumptions.** Your path is one path; help your mentee find hers.\n"
        "- Keep conversations confidential and complete the short mid-point survey."
    ),
    "mentee_expectations": (
        "Mentees in Women in Tech Mentoring commit to:\n\n"
        "- **Set two or three goals** in your first meeting and review them every month.\n"
        "- **Drive the meetings**: book them, bring the agenda, follow up on actions.\n"
        "- **Be open** about what you want, including promotion, pay and visibility.\n"
        "- Keep conversations confidential and complete the short mid-point survey."
    ),
    "cadence_days": 30,
    "default_mentor_capacity": 2,
    "matching_mode": Program.MatchingMode.HYBRID,
    "max_mentees": 20,
    "max_mentors": None,
    "open_signup": True,
    "status": Program.Status.ENROLLING,
}

LEADERSHIP_MODULES = [
    (
        "How the Leadership Circle works",
        Audience.BOTH,
        True,
        "## Welcome to the circle\n\n"
        "Over six months you will meet your partner **every two weeks** and join a monthly round-table.\n\n"
        "### The rhythm\n\n"
        "1. **Weeks 1-2:** get to know each other, agree on how you'll work, write down two or three goals.\n"
        "2. **Months 2-5:** work on real situations. The mentee brings the agenda.\n"
        "3. **Month 6:** look back at your goals and decide what comes next.\n\n"
        "### What makes pairs succeed\n\n"
        "- Meetings that happen: book the whole series in the first week.\n"
        '- Specific topics: *"my first skip-level 1:1 is on Thursday"* beats *"leadership"*.\n'
        "- A short note after each session with one action each.\n\n"
        "> Tip: the platform reminds you before each session and lets you keep shared notes.",
    ),
    (
        "The mentor's toolkit: coaching questions",
        Audience.MENTORS,
        True,
        "## Ask before you tell\n\n"
        "Your mentee will learn more from finding an answer than from hearing yours. Try the **GROW** model:\n\n"
        "| Step | Question to try |\n|---|---|\n"
        "| Goal | What would a good outcome look like? |\n"
        "| Reality | What is happening now? What have you tried? |\n"
        "| Options | What else could you do? What would you do if you were braver? |\n"
        "| Will | What will you do, by when? |\n\n"
        "### When to share your experience\n\n"
        "Share a story when your mentee asks for it or is stuck, and say what *you* learned, not what "
        '*they* should do. Finish with: *"What of that is useful for your situation?"*',
    ),
    (
        "Getting the most from your mentor",
        Audience.MENTEES,
        True,
        "## You own this relationship\n\n"
        "Your mentor has agreed to give you time; you decide how it is used.\n\n"
        "- **Before each meeting** send a short agenda: one situation, one question, one update.\n"
        '- **During** take notes, ask for stories, and ask *"what would you do in my place?"* only at the end.\n'
        "- **After** write down one action and tell your mentor how it went next time.\n\n"
        "### Good first topics\n\n"
        "- The leadership moment you are most nervous about this quarter.\n"
        "- Feedback you received and don't know what to do with.\n"
        "- How your mentor made their first move from IC to lead.",
    ),
    (
        "Giving and receiving feedback with SBI",
        Audience.BOTH,
        False,
        "## Situation - Behaviour - Impact\n\n"
        "A simple structure that keeps feedback specific and fair:\n\n"
        '- **Situation:** *"In yesterday\'s design review…"*\n'
        '- **Behaviour:** *"…you summarised both options before giving your view…"*\n'
        '- **Impact:** *"…and the team reached a decision in ten minutes."*\n\n'
        "Practise it with your partner: each of you brings one piece of feedback you need to give this month.",
    ),
]

WOMEN_IN_TECH_MODULES = [
    (
        "Welcome to Women in Tech Mentoring",
        Audience.BOTH,
        True,
        "## Why this program exists\n\n"
        "Women are under-represented in our senior technical roles. Mentoring alone won't change that, "
        "but paired with **sponsorship and visibility** it measurably helps people grow and stay.\n\n"
        "### How it works\n\n"
        "- Mentees see suggested mentors and can request one; the program team matches everyone else.\n"
        "- Pairs meet **monthly** for six months.\n"
        "- Three community sessions: kick-off, mid-point, and a closing showcase.",
    ),
    (
        "Navigating bias and building allyship",
        Audience.BOTH,
        True,
        "## Recognising everyday bias\n\n"
        "Common patterns in technical teams:\n\n"
        "1. **Prove-it-again:** needing more evidence of competence for the same credit.\n"
        "2. **The tightrope:** being seen as either too soft or too aggressive.\n"
        "3. **Office housework:** note-taking and organising that doesn't count towards promotion.\n\n"
        "### What helps\n\n"
        "- Name the pattern privately and agree on one concrete response.\n"
        "- Mentors: amplify ideas in meetings and credit them by name.",
    ),
    (
        "Sponsorship vs mentorship",
        Audience.MENTORS,
        True,
        "## Mentors advise; sponsors act\n\n"
        "A **mentor** talks *with* you. A **sponsor** talks *about* you in rooms you are not in.\n\n"
        "Ways to sponsor your mentee this cycle:\n\n"
        "- Recommend her for a stretch project or a talk.\n"
        "- Share her work with your own manager or skip-level.\n"
        "- Put her name forward when opportunities come up, and tell her you did.",
    ),
    (
        "Building your personal board of advisors",
        Audience.MENTEES,
        False,
        "## One mentor is not enough\n\n"
        "Think of a *board* of four or five people: a mentor, a sponsor, a peer, someone outside your "
        "function, and someone a few steps behind you whom you mentor yourself.\n\n"
        "Map who you have today and who is missing; bring the map to your first meeting.",
    ),
]

LEADERSHIP_CHALLENGES = [
    "Leading without authority",
    "First-time people management",
    "Scaling a growing team",
    "Influencing senior stakeholders",
]
SUPPORT_AREAS = ["Career growth", "Technical depth", "Visibility and promotion", "Confidence and voice"]

# (key, audience, text, kind, choices, required, help_text, maps_to key)
LEADERSHIP_QUESTIONS = [
    ("mentor_challenges", Role.MENTOR, "Which leadership challenges have you handled yourself?", Kind.MULTIPLE,
     LEADERSHIP_CHALLENGES, True, "Pick all that you could talk about from experience.", None),
    ("mentor_relationship", Role.MENTOR, "What does a great mentoring relationship look like to you?", Kind.TEXT,
     [], False, "", None),
    ("mentee_challenge", Role.MENTEE, "Which leadership challenge is most pressing for you right now?",
     Kind.SINGLE, LEADERSHIP_CHALLENGES, True, "We match this against what mentors have handled.",
     "mentor_challenges"),
    ("mentee_confidence", Role.MENTEE, "How confident do you feel leading your team's meetings?", Kind.SCALE,
     [], True, "1 = not at all, 5 = completely.", None),
]  # fmt: skip
WOMEN_IN_TECH_QUESTIONS = [
    ("mentor_support", Role.MENTOR, "Where can you offer the most support?", Kind.MULTIPLE, SUPPORT_AREAS, True,
     "", None),
    ("mentor_cross_department", Role.MENTOR, "Are you open to mentoring someone outside your department?",
     Kind.SINGLE, ["Yes", "No"], True, "", None),
    ("mentee_support", Role.MENTEE, "Which area would you most like support in?", Kind.SINGLE, SUPPORT_AREAS, True,
     "We match this against where mentors can help.", "mentor_support"),
    ("mentee_similar_path", Role.MENTEE, "Would you like a mentor whose career path resembles yours?", Kind.SINGLE,
     ["Yes", "No", "No preference"], False, "", None),
]  # fmt: skip

LEADERSHIP_GOALS = [
    ("Run effective one-on-ones", "leadership", "Build a weekly 1:1 practice your reports find useful.",
     ["Agree a 1:1 format with each report", "Keep a running agenda doc", "Ask for feedback on your 1:1s"]),
    ("Lead a cross-team project end to end", "leadership", "Own delivery across team boundaries.",
     ["Write a one-page plan", "Align stakeholders in a kick-off", "Run weekly status", "Hold a retrospective"]),
    ("Write and defend a technical design", "technical", "Take a design from draft to approval.",
     ["Draft the design doc", "Review with your mentor", "Present at design review"]),
    ("Prepare for your next promotion conversation", "career", "Make your case clear and evidence-based.",
     ["Read the level expectations", "Collect evidence for each", "Rehearse with your mentor", "Talk to your manager"]),
]  # fmt: skip
WOMEN_IN_TECH_GOALS = [
    ("Give a talk or write a post", "career", "Make your work visible beyond your team.",
     ["Pick a topic", "Draft an outline with your mentor", "Deliver it"]),
    ("Build your promotion case", "career", "Know where you stand and what is missing.",
     ["Map your work to the next level", "Identify one stretch project", "Discuss with your manager"]),
    ("Grow your network across the company", "diversity", "Meet people outside your usual circle.",
     ["List five people to meet", "Have three coffee chats", "Join one community event"]),
]  # fmt: skip

MENTOR_GOALS = [
    "I'd like to help engineers make the jump to their first lead role; I made that move three years ago.",
    "Happy to share what I learned growing a team from 4 to 15, including the mistakes.",
    "I enjoy helping people prepare for design reviews and learn to defend technical decisions calmly.",
    "I can help with stakeholder management and with saying no to work without burning bridges.",
    "I'd like to give back: someone mentored me through my first promotion and it changed my career.",
    "I can talk about switching between the IC and manager tracks, and how to decide which suits you.",
]
MENTEE_GOALS = [
    "I became a tech lead two months ago and want to get better at delegating instead of doing it all myself.",
    "I want to prepare for a promotion to senior within the next year and understand what is missing.",
    "I'd like to build confidence presenting to senior leadership and handling tough questions.",
    "I'm managing former peers for the first time and want to handle that transition well.",
    "I want to grow my influence across teams without formal authority.",
    "I'd like to get better at giving difficult feedback early instead of letting things slide.",
    "I want to decide whether the management track is right for me.",
]
SKILL_FOCUS = {
    "Engineering": ["Engineering", "Leadership", "Communication", "Career"],
    "Data": ["Data", "Engineering", "Communication", "Career"],
    "Product": ["Product", "Communication", "Leadership", "Career"],
}


def seed_programs(rng: random.Random, demo_people: dict[str, Person]) -> dict[str, Program]:
    """Build or refresh the two demo programs and their participants. Returns them by slug."""
    owner = demo_people["owner@demo.example"].user
    hr = demo_people["hr@demo.example"].user
    today = timezone.localdate()
    skills = list(Skill.objects.order_by("category", "name"))
    # Everyone, leavers included: the evaluation demo later records some participants as having
    # left, and a second run must pick the same people as the first.
    everyone = list(
        Person.objects.all()
        .exclude(email__in=list(demo_people))
        .exclude(email="ceo@demo.example")
        .select_related("department", "self_identification")
        .order_by("email")
    )

    leadership = _program(
        LEADERSHIP_SLUG,
        LEADERSHIP,
        start=today - timedelta(days=91),
        end=today + timedelta(days=91),
        owner=owner,
    )
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    women = _program(
        WOMEN_IN_TECH_SLUG,
        WOMEN_IN_TECH,
        start=next_month,
        end=next_month + timedelta(days=183),
        owner=owner,
    )
    content = {
        leadership.pk: _content(leadership, LEADERSHIP_MODULES, LEADERSHIP_QUESTIONS, LEADERSHIP_GOALS),
        women.pk: _content(women, WOMEN_IN_TECH_MODULES, WOMEN_IN_TECH_QUESTIONS, WOMEN_IN_TECH_GOALS),
    }

    # Engineering Leadership Circle: mostly technical people; seniors mentor, juniors are mentored.
    technical = [p for p in everyone if p.department and p.department.name in ("Engineering", "Data", "Product")]
    seniors = [p for p in technical if p.seniority >= 6]
    juniors = [p for p in technical if p.seniority <= 4]
    rng.shuffle(seniors)
    rng.shuffle(juniors)
    plan = [(demo_people["mentor@demo.example"], Role.MENTOR, Status.APPROVED)]
    plan += [(p, Role.MENTOR, Status.APPROVED) for p in seniors[:20]]
    plan += [(p, Role.MENTOR, s) for p, s in zip(seniors[20:23], [Status.DECLINED, Status.WITHDRAWN], strict=False)]
    plan.append((demo_people["mentee@demo.example"], Role.MENTEE, Status.APPROVED))
    mentee_statuses = [Status.APPROVED] * 35 + [Status.WAITLISTED] * 3 + [Status.DECLINED] * 2 + [Status.WITHDRAWN]
    plan += [(p, Role.MENTEE, s) for p, s in zip(juniors, mentee_statuses, strict=False)]
    _enroll_all(rng, leadership, plan, content[leadership.pk], skills, invited_by=hr, running=True)

    # Women in Tech: mentees who self-identify as women or non-binary; mentors of any gender.
    in_leadership = {p.pk for p, _, _ in plan}
    women_pool = [
        p
        for p in everyone
        if getattr(getattr(p, "self_identification", None), "gender", "") in ("woman", "non_binary")
        and p.pk not in in_leadership
    ]
    mentor_pool = [p for p in everyone if p.seniority >= 6 and p.pk not in in_leadership]
    rng.shuffle(women_pool)
    rng.shuffle(mentor_pool)
    mentor_statuses = [Status.APPROVED] * 8 + [Status.APPLIED] * 6
    wit_plan = [(p, Role.MENTOR, s) for p, s in zip(mentor_pool, mentor_statuses, strict=False)]
    taken = {p.pk for p, _, _ in wit_plan}
    women_pool = [p for p in women_pool if p.pk not in taken]
    mentee_statuses = (
        [Status.APPROVED] * 20 + [Status.WAITLISTED] * 4 + [Status.APPLIED] * 8 + [Status.DECLINED] * 2
    ) + [Status.WITHDRAWN]
    wit_plan += [(p, Role.MENTEE, s) for p, s in zip(women_pool, mentee_statuses, strict=False)]
    wit_plan.append((demo_people["mentee@demo.example"], "", Status.INVITED))
    wit_plan += [(p, "", Status.INVITED) for p in women_pool[len(mentee_statuses) : len(mentee_statuses) + 5]]
    _enroll_all(rng, women, wit_plan, content[women.pk], skills, invited_by=hr, running=False)
    return {leadership.slug: leadership, women.slug: women}


def _program(slug, spec, *, start: date, end: date, owner) -> Program:
    program, _ = Program.objects.update_or_create(slug=slug, defaults={**spec, "start_date": start, "end_date": end})
    program.owners.set([owner])
    return program


def _content(program, modules, questions, goals) -> dict:
    """Training modules, custom questions and goal templates; returns what profiles need."""
    for order, (title, audience, required, body) in enumerate(modules, start=1):
        TrainingModule.objects.update_or_create(
            program=program,
            title=title,
            defaults={"audience": audience, "required": required, "body": body, "order": order},
        )
    by_key = {}
    for order, (key, audience, text, kind, choices, required, help_text, maps_to) in enumerate(questions, start=1):
        by_key[key], _ = ProgramQuestion.objects.update_or_create(
            program=program,
            audience=audience,
            text=text,
            defaults={
                "kind": kind,
                "choices": list(choices),
                "required": required,
                "help_text": help_text,
                "order": order,
                "maps_to": by_key[maps_to] if maps_to else None,
            },
        )
    for order, (title, objective, description, milestones) in enumerate(goals, start=1):
        GoalTemplate.objects.update_or_create(
            program=program,
            title=title,
            defaults={
                "objective": objective,
                "description": description,
                "suggested_milestones": milestones,
                "order": order,
            },
        )
    return {
        "modules": list(program.training_modules.order_by("order", "pk")),
        "questions": list(program.questions.order_by("order", "pk")),
    }


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour=hour)))


def _answer(rng, question):
    if question.kind == Kind.SINGLE:
        return rng.choice(question.choices)
    if question.kind == Kind.MULTIPLE:
        return rng.sample(question.choices, k=rng.randint(1, min(3, len(question.choices))))
    if question.kind == Kind.SCALE:
        return rng.choices([1, 2, 3, 4, 5], weights=[1, 3, 4, 3, 1])[0]
    return rng.choice(
        [
            "Regular, honest conversations where both of us learn something.",
            "Trust first: my mentee should feel safe bringing the hard stuff.",
            "Clear goals, a steady rhythm, and room to go off-script when needed.",
        ]
    )


def _enroll_all(rng, program, plan, content, skills, *, invited_by, running: bool) -> None:
    """Create or update each planned enrollment with a realistic profile, then
    replace the program's skills and training completions in bulk."""
    start = program.start_date
    skill_rows, completion_rows = [], []
    by_category: dict[str, list[Skill]] = {}
    for skill in skills:
        by_category.setdefault(skill.category, []).append(skill)
    for person, role, status in plan:
        applied_day = (
            start - timedelta(days=rng.randint(12, 45)) if running else start - timedelta(days=rng.randint(5, 35))
        )
        applied_day = min(applied_day, timezone.localdate())
        profile = {}
        if role:
            questions = [q for q in content["questions"] if q.audience == role]
            profile = {
                "objectives": rng.sample(program.objectives, k=rng.randint(1, 2)),
                "goals_text": rng.choice(MENTOR_GOALS if role == Role.MENTOR else MENTEE_GOALS),
                "meeting_format": rng.choices(
                    [MeetingFormat.VIDEO, MeetingFormat.IN_PERSON, MeetingFormat.EITHER], weights=[5, 2, 4]
                )[0],
                "availability_hours": rng.randint(2, 6) if role == Role.MENTOR else rng.randint(2, 8),
                "mentor_capacity": rng.choice([1, 2, 2, 3]) if role == Role.MENTOR else None,
                "working_style": {
                    item.code: rng.choices([1, 2, 3, 4, 5], weights=[1, 3, 3, 3, 1])[0] for item in WORKING_STYLE_ITEMS
                },
                "answers": {str(q.pk): _answer(rng, q) for q in questions if q.required or rng.random() < 0.6},
                "charter_agreed_at": _at(applied_day, 10),
                "applied_at": _at(applied_day, 10),
            }
        decided = status in (Status.APPROVED, Status.DECLINED, Status.WAITLISTED)
        invited = not role or rng.random() < 0.4
        enrollment, _ = Enrollment.objects.update_or_create(
            program=program,
            person=person,
            defaults={
                "role": role,
                "status": status,
                "objectives": [],
                "goals_text": "",
                "meeting_format": MeetingFormat.EITHER,
                "availability_hours": 2,
                "mentor_capacity": None,
                "working_style": {},
                "answers": {},
                "charter_agreed_at": None,
                "applied_at": None,
                **profile,
                "invited_by": invited_by if invited else None,
                "invited_at": _at(applied_day - timedelta(days=3), 9) if invited else None,
                "invitation_message": "We think you'd be a great fit for this program." if invited else "",
                "invitation_emailed_at": None,
                "decided_by": invited_by if decided else None,
                "decided_at": _at(applied_day + timedelta(days=2), 15) if decided else None,
            },
        )
        if not role:
            continue
        focus = SKILL_FOCUS.get(person.department.name if person.department else "", ["Leadership", "Career"])
        pool = [s for category in focus for s in by_category.get(category, [])] or skills
        chosen = rng.sample(pool, k=min(len(pool), rng.randint(3, 5) if role == Role.MENTOR else rng.randint(2, 4)))
        direction = EnrollmentSkill.Direction.HAS if role == Role.MENTOR else EnrollmentSkill.Direction.WANTS
        for skill in chosen:
            level = rng.randint(3, 5) if role == Role.MENTOR else rng.randint(1, 3)
            skill_rows.append(EnrollmentSkill(enrollment=enrollment, skill=skill, direction=direction, level=level))
        if status in (Status.DECLINED, Status.WITHDRAWN):
            continue
        modules = [m for m in content["modules"] if m.applies_to(role)]
        share = rng.choices([1.0, 0.5, 0.0], weights=[8, 2, 1] if running else [3, 4, 4])[0]
        for module in modules[: round(len(modules) * share)]:
            completion_rows.append(
                (TrainingCompletion(enrollment=enrollment, module=module), _at(applied_day + timedelta(days=4), 12))
            )
    EnrollmentSkill.objects.filter(enrollment__program=program).delete()
    EnrollmentSkill.objects.bulk_create(skill_rows)
    TrainingCompletion.objects.filter(enrollment__program=program).delete()
    completions = TrainingCompletion.objects.bulk_create([row for row, _ in completion_rows])
    for completion, (_, completed_at) in zip(completions, completion_rows, strict=True):
        completion.completed_at = completed_at
    TrainingCompletion.objects.bulk_update(completions, ["completed_at"])
