"""Goal services: history rows, progress from milestones, and who may do what."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Notification
from goals import services
from goals.models import Goal, GoalEvent
from matching.models import Pairing
from matching.tests.factories import PairingFactory
from people.tests.factories import MemberFactory
from programs.models import Enrollment
from programs.tests.factories import GoalTemplateFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def history(goal):
    return [event.describe() for event in GoalEvent.objects.filter(goal=goal).order_by("created_at", "pk")]


def test_own_goal_with_milestones_and_its_history(pairing, mentee):
    goal = services.goal_create(
        enrollment=pairing.mentee,
        user=mentee,
        title="Present at the all-hands",
        description="Visibility for the promotion",
        success_measure="One talk given, feedback 4/5+",
        milestones=["Pick a topic", " ", "Dry run with Mira", "Give the talk", "Collect feedback"],
    )
    assert goal.progress_from_milestones
    milestones = list(goal.milestones.all())
    assert [m.title for m in milestones] == ["Pick a topic", "Dry run with Mira", "Give the talk", "Collect feedback"]

    services.milestone_set_done(milestone=milestones[0], user=mentee, done=True)
    assert services.milestone_set_done(milestone=milestones[0], user=mentee, done=True) is False  # double click
    goal.refresh_from_db()
    assert (goal.progress, goal.status) == (25, Goal.Status.IN_PROGRESS)
    services.milestone_set_done(milestone=milestones[1], user=mentee, done=True)
    services.milestone_set_done(milestone=milestones[1], user=mentee, done=False)
    services.goal_progress_update(goal=goal, user=mentee, status=Goal.Status.ACHIEVED)
    assert history(goal) == [
        "Goal created",
        "Milestone done: Pick a topic",
        "Progress changed from 0% to 25%",
        "Status changed from Not started to In progress",
        "Milestone done: Dry run with Mira",
        "Progress changed from 25% to 50%",
        "Milestone reopened: Dry run with Mira",
        "Progress changed from 50% to 25%",
        "Status changed from In progress to Achieved",
    ]


def test_adopting_a_template_copies_title_description_and_milestones(program, pairing, mentee):
    template = GoalTemplateFactory(
        program=program, title="Lead a project", description="End to end", suggested_milestones=["Plan", "Deliver"]
    )
    goal = services.goal_adopt(enrollment=pairing.mentee, user=mentee, template=template)
    assert (goal.title, goal.description, goal.template) == ("Lead a project", "End to end", template)
    assert [m.title for m in goal.milestones.all()] == ["Plan", "Deliver"]
    assert history(goal) == ["Goal created from the template “Lead a project”"]
    with pytest.raises(ValidationError, match="already have this goal"):
        services.goal_adopt(enrollment=pairing.mentee, user=mentee, template=template)


def test_a_template_of_another_program_cannot_be_adopted(pairing, mentee):
    other = GoalTemplateFactory(program=ProgramFactory(running=True, slug="other"))
    with pytest.raises(ValidationError):
        services.goal_adopt(enrollment=pairing.mentee, user=mentee, template=other)
    assert not Goal.objects.exists()


def test_target_date_before_the_program_starts_is_refused(program, pairing, mentee):
    with pytest.raises(ValidationError) as exc:
        services.goal_create(
            enrollment=pairing.mentee,
            user=mentee,
            title="Too early",
            target_date=program.start_date - timedelta(days=1),
        )
    assert "before the program starts" in exc.value.message_dict["target_date"][0]
    assert not Goal.objects.exists()


def test_manual_progress_and_its_bounds(pairing, mentee):
    goal = services.goal_create(enrollment=pairing.mentee, user=mentee, title="Read more")
    services.goal_progress_update(goal=goal, user=mentee, progress=40)
    for bad in (-1, 101):
        with pytest.raises(ValidationError):
            services.goal_progress_update(goal=goal, user=mentee, progress=bad)
    goal.refresh_from_db()
    assert goal.progress == 40
    assert history(goal)[-2:] == ["Progress changed from 0% to 40%", "Status changed from Not started to In progress"]


def test_progress_that_follows_milestones_cannot_be_set_by_hand(pairing, mentee):
    goal = services.goal_create(enrollment=pairing.mentee, user=mentee, title="G", milestones=["A", "B"])
    with pytest.raises(ValidationError, match="follows the milestones"):
        services.goal_progress_update(goal=goal, user=mentee, progress=80)


def test_only_the_mentee_changes_their_goals(pairing, mentee, mentor):
    goal = services.goal_create(enrollment=pairing.mentee, user=mentee, title="Mine", milestones=["A"])
    with pytest.raises(PermissionDenied):
        services.goal_progress_update(goal=goal, user=mentor, status=Goal.Status.DROPPED)
    with pytest.raises(PermissionDenied):
        services.milestone_set_done(milestone=goal.milestones.get(), user=mentor, done=True)
    with pytest.raises(PermissionDenied):
        services.goal_create(enrollment=pairing.mentee, user=mentor, title="Not yours")


def test_a_mentor_enrollment_or_unapproved_mentee_sets_no_goals(program, pairing, mentor, mentee):
    with pytest.raises(ValidationError):
        services.goal_create(enrollment=pairing.mentor, user=mentor, title="I mentor")
    Enrollment.objects.filter(pk=pairing.mentee_id).update(status=Enrollment.Status.WITHDRAWN)
    pairing.mentee.refresh_from_db()
    with pytest.raises(ValidationError):
        services.goal_create(enrollment=pairing.mentee, user=mentee, title="Withdrawn")


def test_comments_notify_the_other_and_are_in_the_history(pairing, mentee, mentor):
    goal = services.goal_create(enrollment=pairing.mentee, user=mentee, title="Negotiate better")
    comment = services.goal_comment_add(goal=goal, user=mentor, body="Try the BATNA exercise")
    services.goal_comment_add(goal=goal, user=mentee, body="Done, it helped")
    assert Notification.objects.get(recipient=mentee).idempotency_key == f"goal-comment:{comment.pk}:{mentee.pk}"
    assert Notification.objects.filter(recipient=mentor).count() == 1
    assert [e.comment.body for e in GoalEvent.objects.filter(kind="comment").order_by("pk")] == [
        "Try the BATNA exercise",
        "Done, it helped",
    ]
    with pytest.raises(ValidationError):
        services.goal_comment_add(goal=goal, user=mentor, body="   ")


def test_goals_survive_a_rematch_and_only_the_current_mentor_comments(program, pairing, mentee, mentor):
    goal = services.goal_create(enrollment=pairing.mentee, user=mentee, title="Survives")
    Pairing.objects.filter(pk=pairing.pk).update(status=Pairing.Status.ENDED)
    new_mentor = MemberFactory(email="nora.new@example.com", first_name="Nora", last_name="New")
    PairingFactory(
        program=program, mentor__person=new_mentor.person, mentee=pairing.mentee, status=Pairing.Status.ACTIVE
    )
    assert list(Goal.objects.visible_to(new_mentor)) == [goal]
    assert not Goal.objects.visible_to(mentor).exists()
    with pytest.raises(PermissionDenied):
        services.goal_comment_add(goal=goal, user=mentor, body="Still here?")
    services.goal_comment_add(goal=goal, user=new_mentor, body="Welcome!")


def test_hr_admins_do_not_see_goals(pairing, mentee, hr_admin):
    services.goal_create(enrollment=pairing.mentee, user=mentee, title="Private-ish")
    assert not Goal.objects.visible_to(hr_admin).exists()
