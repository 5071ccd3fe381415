"""Goals moved from ``programs`` to their own app without moving a row: migrating a database
that holds goals, milestones, comments, history, sessions that discussed them and resources
linked to them keeps every one, with its links."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("programs", "0004_enrollment_program_state_idx"), ("mentoring_sessions", "0002_company_scale_indexes")]


def _executor():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_migrating_forward_keeps_every_goal_and_its_links():
    executor = _executor()
    executor.migrate([("goals", None), *BEFORE])
    others = [
        node
        for node in executor.loader.graph.leaf_nodes()
        if node[0] not in ("goals", "programs", "mentoring_sessions")
    ]
    old = executor.loader.project_state(others + BEFORE).apps
    Program, Enrollment = old.get_model("programs", "Program"), old.get_model("programs", "Enrollment")
    Person, User = old.get_model("people", "Person"), old.get_model("people", "User")
    Pairing = old.get_model("matching", "Pairing")
    Goal, Milestone = old.get_model("programs", "Goal"), old.get_model("programs", "Milestone")
    GoalComment, GoalEvent = old.get_model("programs", "GoalComment"), old.get_model("programs", "GoalEvent")
    Session, Resource = (
        old.get_model("mentoring_sessions", "MentoringSession"),
        old.get_model("mentoring_sessions", "Resource"),
    )
    today, now = timezone.localdate(), timezone.now()
    program = Program.objects.create(
        name="Old", slug="old", status="running", start_date=today, end_date=today + timedelta(days=90)
    )
    users = [User.objects.create(email=f"u{n}@example.com") for n in range(2)]
    mentor, mentee = (
        Enrollment.objects.create(
            program=program,
            person=Person.objects.create(email=u.email, first_name="P", last_name=str(n), user=u),
            role=role,
            status="approved",
        )
        for n, (u, role) in enumerate(zip(users, ("mentor", "mentee"), strict=True))
    )
    pairing = Pairing.objects.create(program=program, mentor=mentor, mentee=mentee, status="active")
    goals = [Goal.objects.create(enrollment=mentee, title=f"Goal {n}", progress=10 * n) for n in range(3)]
    milestone = Milestone.objects.create(goal=goals[0], title="First step", done_at=now, done_by=users[1])
    comment = GoalComment.objects.create(goal=goals[0], author=users[0], body="Well done")
    GoalEvent.objects.create(
        goal=goals[0], actor=users[1], kind="milestone_done", milestone=milestone, to_value="First step"
    )
    GoalEvent.objects.create(goal=goals[0], actor=users[0], kind="comment", comment=comment)
    session = Session.objects.create(pairing=pairing, starts_at=now, duration_minutes=45, status="held")
    session.goals_discussed.set(goals[:2])
    Resource.objects.create(pairing=pairing, goal=goals[1], title="A book", url="https://example.com/book")

    executor = _executor()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from goals.models import Goal as NewGoal
    from goals.models import GoalComment as NewComment
    from goals.models import GoalEvent as NewEvent
    from goals.models import Milestone as NewMilestone
    from sessions.models import MentoringSession
    from sessions.models import Resource as NewResource

    assert list(NewGoal.objects.order_by("pk").values_list("pk", "title", "progress", "enrollment_id")) == [
        (g.pk, g.title, g.progress, mentee.pk) for g in goals
    ]
    assert NewMilestone.objects.get().goal_id == goals[0].pk
    assert NewComment.objects.get().body == "Well done"
    events = NewEvent.objects.filter(goal_id=goals[0].pk)
    assert {(e.kind, e.milestone_id, e.comment_id) for e in events} == {
        ("milestone_done", milestone.pk, None),
        ("comment", None, comment.pk),
    }
    assert set(MentoringSession.objects.get().goals_discussed.values_list("pk", flat=True)) == {g.pk for g in goals[:2]}
    assert NewResource.objects.get().goal_id == goals[1].pk
    # The goal pages read them through the new app, and their content types moved with them.
    from django.contrib.contenttypes.models import ContentType

    assert ContentType.objects.get_for_model(NewGoal).app_label == "goals"
    assert not ContentType.objects.filter(app_label="programs", model="goal").exists()
