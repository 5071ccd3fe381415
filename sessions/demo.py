"""Demo mentoring activity for the pairings of the running program(s).

For each pairing (active, completed or ended) that has no session yet: the mentee's goals
(adopted from the program's suggestions, or their own) at different stages with milestones,
history and the mentor's comments; months of held sessions every couple of weeks, with
topics, shared notes, the odd private note and cancellation, goals discussed and action
items (most done, some overdue); upcoming sessions for active pairs (a few pairs have gone
quiet, so the nudges and the HR page have something to show); and resources the mentor
recommended. mentor@demo.example and mentee@demo.example get a session tomorrow and one
that took place yesterday waiting to be logged.

Idempotent: a pairing that already has sessions is left alone. Nothing here notifies
anyone (it is history); the reminder sweeps take over from the first beat run.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from goals.models import Goal, GoalComment, GoalEvent, Milestone
from matching.models import Pairing
from programs.models import Enrollment, GoalTemplate, Program
from sessions.localtime import combine_local
from sessions.models import ActionItem, MentoringSession, PrivateNote, Resource, SessionFormat, Topic

DEMO_MENTOR = "mentor@demo.example"
DEMO_MENTEE = "mentee@demo.example"
Status = MentoringSession.Status

OWN_GOALS = [
    ("Delegate more and stop being the bottleneck", "My team waits on me for reviews and decisions.",
     "Two areas fully owned by someone else; my review queue under a day.",
     ["List what only I can do", "Hand over code reviews for one service", "Hand over the on-call rota"]),
    ("Present confidently to senior leadership", "I freeze when the VP asks follow-up questions.",
     "Present the quarterly update myself and get useful feedback.",
     ["Watch two leadership reviews", "Rehearse with my mentor", "Present the Q3 update"]),
    ("Build a network outside engineering", "Most decisions that affect us are made in product and sales.",
     "Regular contact with three people outside engineering.",
     ["Coffee with a product manager", "Shadow a sales call", "Join the cross-functional guild"]),
    ("Get better at saying no", "I take on too much and my main project slips.",
     "No missed commitments this quarter.", ["Write down my priorities", "Practise the 'not now' script"]),
]  # fmt: skip

NOTES = {
    Topic.CAREER: [
        "Walked through the level expectations for senior. {mentee} is strong on delivery; the gap is influence "
        "beyond the team. Agreed to look for one cross-team initiative this quarter.",
        "{mentee} is weighing the staff IC path against management. We listed what energises them in a week; "
        "most of it was design work and unblocking others, which points to IC for now.",
    ],
    Topic.SKILLS: [
        "Reviewed {mentee}'s design doc draft. The problem statement is clear; alternatives section too thin. "
        "{mentor} shared two past docs as examples of weighing options honestly.",
        "Practised estimating with ranges instead of single dates. {mentee} will try it in the next planning.",
    ],
    Topic.FEEDBACK: [
        "{mentee} got tough feedback in a retro and felt blindsided. We separated the content (fair, mostly) from "
        "the delivery (not great) and planned a calm follow-up conversation.",
        "Role-played giving feedback to a peer who keeps missing reviews. The SBI format felt awkward at first, "
        "then natural.",
    ],
    Topic.PROJECT: [
        "The migration is two weeks late. We mapped the critical path together; the real blocker is a decision "
        "nobody owns. {mentee} will ask the EM to name an owner by Friday.",
        "Kick-off went well. Next risk: the data team's availability in March. {mentee} will raise it early.",
    ],
    Topic.LEADERSHIP: [
        "First month as tech lead. {mentee} still writes most of the code. We picked two tasks to hand over "
        "and talked about reviewing for learning, not for perfection.",
        "How to run a 1:1 that isn't a status update: {mentor} shared their three-question format.",
    ],
    Topic.WELLBEING: [
        "A heavy month with on-call and a release. We talked about protecting two focus mornings a week and "
        "saying no to the optional working group for now.",
    ],
    Topic.NETWORKING: [
        "Made a list of five people worth knowing in product and sales. {mentor} will introduce {mentee} to two.",
    ],
    Topic.OTHER: ["Open conversation about the reorg rumours and how to stay focused meanwhile."],
}
AGENDAS = [
    "Follow up on last time's action items; the promotion case draft.",
    "Design review next week: dry run of the presentation.",
    "How the handover of code reviews is going.",
    "Feedback from the quarterly review, and what to do with it.",
    "Open agenda: bring whatever is on your mind.",
]
ACTION_ITEMS = [
    ("Send {mentor} the draft promotion case", "mentee"),
    ("Introduce {mentee} to the head of product", "mentor"),
    ("Book the design review slot", "mentee"),
    ("Share the 1:1 template", "mentor"),
    ("Ask the EM to name an owner for the migration decision", "mentee"),
    ("Write down three things to delegate", "mentee"),
    ("Send the two example design docs", "mentor"),
    ("Block two focus mornings in the calendar", "mentee"),
]
PRIVATE_NOTES = [
    "Seems more tired than last time; check in on workload gently.",
    "Next time: push back a little on the 'I need to know everything first' habit.",
    "Remember to ask how the conversation with the manager went.",
]
CANCEL_REASONS = ["Sick today, sorry!", "Clash with the release; let's move it.", "Travelling, no good connection."]
RESOURCES = [
    ("The Manager's Path", Resource.Kind.BOOK, "https://www.oreilly.com/library/view/the-managers-path/9781491973882/"),
    ("Staff Engineer: Leadership beyond the management track", Resource.Kind.BOOK, "https://staffeng.com/book"),
    ("Writing design docs that get read", Resource.Kind.ARTICLE, ""),
    ("Internal course: Presenting to executives", Resource.Kind.COURSE, ""),
    ("AWS Solutions Architect – Associate", Resource.Kind.CERTIFICATION, "https://aws.amazon.com/certification/"),
    ("Lead the next hackathon team", Resource.Kind.PROJECT, ""),
    ("Crucial Conversations", Resource.Kind.BOOK, ""),
]
COMMENTS = [
    "Good choice. Let's make the first milestone concrete next session.",
    "You're further along on this than you think. What would 'done' look like by the end of the program?",
    "Nice progress! Bring the draft next time and we'll go through it together.",
]


def seed_sessions(rng: random.Random) -> dict[str, int]:
    """Seed mentoring activity for the running programs' pairings. Returns totals for those
    programs (``new_pairings``: how many pairings this call filled in)."""
    now = timezone.now()
    has_sessions = MentoringSession.objects.filter(pairing_id=OuterRef("pk"))
    pairings = list(
        Pairing.objects.filter(
            program__status=Program.Status.RUNNING,
            status__in=[Pairing.Status.ACTIVE, Pairing.Status.COMPLETED, Pairing.Status.ENDED],
        )
        .exclude(Exists(has_sessions))
        .select_related("program", "mentor__person__user", "mentee__person__user")
        .order_by("pk")
    )
    templates: dict[int, list[GoalTemplate]] = {}
    for pairing in pairings:
        if pairing.program_id not in templates:
            templates[pairing.program_id] = list(GoalTemplate.objects.filter(program_id=pairing.program_id))
        goals = _seed_goals(rng, pairing, templates[pairing.program_id], now=now)
        _seed_pairing(rng, pairing, goals, now=now)
    running = Pairing.objects.filter(program__status=Program.Status.RUNNING)
    return {
        "pairings": running.filter(sessions__isnull=False).distinct().count(),
        "new_pairings": len(pairings),
        "sessions": MentoringSession.objects.filter(pairing__in=running).count(),
        "goals": Goal.objects.filter(enrollment__program__status=Program.Status.RUNNING).count(),
    }


def _fill(text: str, pairing) -> str:
    return text.format(mentor=pairing.mentor.person.first_name, mentee=pairing.mentee.person.first_name)


def _start_of(pairing) -> datetime:
    return pairing.started_at or pairing.created_at


def _at(day: date, zone: str, rng: random.Random) -> datetime:
    return combine_local(day, time(rng.choice([9, 10, 11, 13, 14, 15, 16]), rng.choice([0, 0, 30])), zone)


# --- Goals -------------------------------------------------------------------------------


def _seed_goals(rng, pairing, templates, *, now) -> list[Goal]:
    enrollment: Enrollment = pairing.mentee
    existing = list(Goal.objects.filter(enrollment=enrollment))
    if existing:
        return existing
    mentee_user = enrollment.person.user
    mentor_user = pairing.mentor.person.user
    start = _start_of(pairing)
    chosen = rng.sample(templates, k=min(len(templates), rng.choice([1, 1, 2])))
    specs = [(t.title, t.description, "", [str(m) for m in t.suggested_milestones or []], t) for t in chosen]
    if rng.random() < 0.6 or not specs:
        title, why, measure, milestones = rng.choice(OWN_GOALS)
        specs.append((title, why, measure, milestones, None))
    goals = []
    for index, (title, why, measure, milestones, template) in enumerate(specs):
        created = start + timedelta(days=rng.randint(2, 10), hours=index)
        target = enrollment.program.end_date - timedelta(days=rng.choice([0, 14, 30]))
        goal = Goal.objects.create(
            enrollment=enrollment,
            template=template,
            title=title,
            description=why,
            success_measure=measure,
            target_date=target,
            progress_from_milestones=bool(milestones),
            created_by=mentee_user,
            created_at=created,
        )
        GoalEvent.objects.create(
            goal=goal, actor=mentee_user, kind=GoalEvent.Kind.CREATED, to_value=template.title if template else "",
            created_at=created,
        )  # fmt: skip
        stage = rng.choices(["not_started", "early", "half", "achieved", "dropped"], weights=[1, 3, 4, 2, 1])[0]
        done_share = {"not_started": 0, "early": 0.3, "half": 0.6, "achieved": 1.0, "dropped": 0.3}[stage]
        items = [Milestone(goal=goal, title=m, order=i) for i, m in enumerate(milestones)]
        Milestone.objects.bulk_create(items)
        done_count = round(len(items) * done_share)
        progress = 0
        status = Goal.Status.NOT_STARTED
        moment = created
        for milestone in items[:done_count]:
            moment = min(now, moment + timedelta(days=rng.randint(7, 20)))
            Milestone.objects.filter(pk=milestone.pk).update(done_at=moment, done_by=mentee_user)
            new_progress = round(100 * (items.index(milestone) + 1) / len(items))
            events = [
                GoalEvent(goal=goal, actor=mentee_user, kind=GoalEvent.Kind.MILESTONE_DONE, to_value=milestone.title,
                          milestone=milestone, created_at=moment),
                GoalEvent(goal=goal, actor=mentee_user, kind=GoalEvent.Kind.PROGRESS, from_value=str(progress),
                          to_value=str(new_progress), created_at=moment),
            ]  # fmt: skip
            if status == Goal.Status.NOT_STARTED:
                events.append(
                    GoalEvent(goal=goal, actor=mentee_user, kind=GoalEvent.Kind.STATUS, from_value=status,
                              to_value=Goal.Status.IN_PROGRESS, created_at=moment)
                )  # fmt: skip
                status = Goal.Status.IN_PROGRESS
            GoalEvent.objects.bulk_create(events)
            progress = new_progress
        final = {"achieved": Goal.Status.ACHIEVED, "dropped": Goal.Status.DROPPED}.get(stage)
        if final:
            moment = min(now, moment + timedelta(days=rng.randint(1, 10)))
            GoalEvent.objects.create(
                goal=goal, actor=mentee_user, kind=GoalEvent.Kind.STATUS, from_value=status, to_value=final,
                created_at=moment,
            )  # fmt: skip
            status = final
        Goal.objects.filter(pk=goal.pk).update(progress=progress, status=status)
        if mentor_user is not None and rng.random() < 0.7:
            when = min(now, created + timedelta(days=rng.randint(1, 6)))
            comment = GoalComment.objects.create(
                goal=goal, author=mentor_user, body=rng.choice(COMMENTS), created_at=when
            )
            GoalEvent.objects.create(
                goal=goal, actor=mentor_user, kind=GoalEvent.Kind.COMMENT, comment=comment, created_at=when
            )
        goal.refresh_from_db()
        goals.append(goal)
    return goals


# --- Sessions, notes, action items, resources --------------------------------------------


def _seed_pairing(rng, pairing, goals, *, now) -> None:
    program = pairing.program
    mentor, mentee = pairing.mentor.person, pairing.mentee.person
    zone = mentor.time_zone
    start = _start_of(pairing)
    end = pairing.ended_at if pairing.status != Pairing.Status.ACTIVE and pairing.ended_at else now
    is_demo = mentor.email == DEMO_MENTOR and mentee.email == DEMO_MENTEE
    # About one active pair in six went quiet three to five weeks ago.
    quiet = pairing.status == Pairing.Status.ACTIVE and not is_demo and rng.random() < 0.17
    if quiet:
        end = now - timedelta(days=rng.randint(22, 36))
    cadence = program.cadence_days
    day = (start + timedelta(days=rng.randint(3, 9))).date()
    held_sessions, items, notes, links = [], [], [], []
    while True:
        starts_at = _at(day, zone, rng)
        if starts_at >= end - timedelta(hours=2):
            break
        cancelled = rng.random() < 0.08
        topics = rng.sample([t for t in Topic.values if t != Topic.OTHER], k=rng.choice([1, 2, 2, 3]))
        logger = rng.choice([mentor.user, mentee.user])
        session = MentoringSession(
            pairing=pairing,
            status=Status.CANCELLED if cancelled else Status.HELD,
            starts_at=starts_at,
            duration_minutes=rng.choice([30, 45, 60, 60, 60, 90]),
            format=rng.choices(SessionFormat.values, weights=[6, 3, 1])[0],
            agenda=rng.choice(AGENDAS) if rng.random() < 0.5 else "",
            scheduled_by=rng.choice([mentor.user, mentee.user]),
            scheduler_time_zone=zone,
            created_at=starts_at - timedelta(days=rng.randint(3, 10)),
        )
        _where(rng, session)
        if cancelled:
            session.cancelled_by = rng.choice([mentor.user, mentee.user])
            session.cancelled_at = starts_at - timedelta(hours=rng.randint(2, 30))
            session.cancel_reason = rng.choice(CANCEL_REASONS)
            session.sequence = 1
        else:
            session.topics = topics
            session.shared_notes = "\n\n".join(_fill(rng.choice(NOTES[t]), pairing) for t in topics[:2])
            session.logged_by = logger
            session.logged_at = starts_at + timedelta(hours=rng.randint(1, 48))
        held_sessions.append(session)
        # A cancelled session is usually made up for within a week.
        day += timedelta(days=rng.randint(4, 8) if cancelled else cadence + rng.randint(-3, 4))
    upcoming = []
    if pairing.status == Pairing.Status.ACTIVE and not quiet:
        next_day = max(day, (now + timedelta(days=2)).date()) if not is_demo else (now + timedelta(days=1)).date()
        for offset in (0, cadence):
            upcoming.append(_planned(rng, pairing, _at(next_day + timedelta(days=offset), zone, rng), now=now))
        if is_demo:
            # Yesterday's session, waiting to be logged.
            upcoming.append(_planned(rng, pairing, _at((now - timedelta(days=1)).date(), zone, rng), now=now))
    MentoringSession.objects.bulk_create(held_sessions + upcoming)

    goal_ids = [g.pk for g in goals]
    through = MentoringSession.goals_discussed.through
    for session in held_sessions:
        if session.status != Status.HELD:
            continue
        for goal_id in rng.sample(goal_ids, k=min(len(goal_ids), rng.choice([0, 1, 1, 2]))):
            links.append(through(mentoringsession_id=session.pk, goal_id=goal_id))
        if mentor.user and rng.random() < 0.3:
            notes.append(PrivateNote(session=session, author=mentor.user, body=rng.choice(PRIVATE_NOTES)))
        for _ in range(rng.choice([0, 1, 1, 2])):
            text, owner_role = rng.choice(ACTION_ITEMS)
            due = (session.starts_at + timedelta(days=rng.randint(7, 21))).date()
            done = due < now.date() and rng.random() < 0.85
            overdue = not done and due < now.date()
            items.append(
                ActionItem(
                    session=session,
                    pairing=pairing,
                    title=_fill(text, pairing),
                    owner=mentor if owner_role == "mentor" else mentee,
                    due_date=due,
                    done_at=timezone.make_aware(datetime.combine(due, time(17))) - timedelta(days=rng.randint(0, 5))
                    if done
                    else None,
                    done_by=(mentor if owner_role == "mentor" else mentee).user if done else None,
                    created_by=session.logged_by,
                    created_at=session.logged_at,
                    # Old news: the overdue reminder of the demo's history counts as told.
                    overdue_notified_at=now if overdue and due < (now - timedelta(days=2)).date() else None,
                )
            )
    through.objects.bulk_create(links)
    PrivateNote.objects.bulk_create(notes)
    ActionItem.objects.bulk_create(items)
    _seed_resources(rng, pairing, goals, start=start, end=end, now=now)


def _where(rng, session) -> None:
    if session.format == SessionFormat.VIDEO:
        session.video_url = f"https://meet.example.com/{rng.randrange(16**8):08x}"
    elif session.format == SessionFormat.IN_PERSON:
        session.place = rng.choice(["Café on the 3rd floor", "Room Ada (4.12)", "Lunch at the canteen"])
    else:
        session.place = "Phone"


def _planned(rng, pairing, starts_at, *, now) -> MentoringSession:
    session = MentoringSession(
        pairing=pairing,
        status=Status.SCHEDULED,
        starts_at=starts_at,
        duration_minutes=rng.choice([45, 60, 60]),
        format=rng.choices(SessionFormat.values, weights=[6, 3, 1])[0],
        agenda=rng.choice(AGENDAS),
        scheduled_by=rng.choice([pairing.mentor.person.user, pairing.mentee.person.user]),
        scheduler_time_zone=pairing.mentor.person.time_zone,
        created_at=now - timedelta(days=rng.randint(1, 6)),
    )
    _where(rng, session)
    return session


def _seed_resources(rng, pairing, goals, *, start, end, now) -> None:
    mentor_user = pairing.mentor.person.user
    picks = rng.sample(RESOURCES, k=rng.choice([1, 2, 3, 4]))
    resources = []
    for title, kind, url in picks:
        created = min(now, start + timedelta(days=rng.randint(5, 60)))
        done = rng.random() < 0.4 and created < end
        resources.append(
            Resource(
                pairing=pairing,
                goal=rng.choice(goals) if goals and rng.random() < 0.7 else None,
                title=title,
                kind=kind,
                url=url,
                note=_fill("Helped me a lot when I was where {mentee} is now.", pairing) if rng.random() < 0.5 else "",
                recommended_by=mentor_user,
                created_at=created,
                done_at=min(now, created + timedelta(days=rng.randint(5, 30))) if done else None,
            )
        )
    Resource.objects.bulk_create(resources)
