"""A double click on a goal, milestone, comment or invitation form saves once."""

import pytest
from django.urls import reverse

from core.models import Notification
from goals import services
from goals.models import Goal, GoalComment, Milestone
from matching.tests.factories import PairingFactory
from mentorship.tests.submission import form_token, post_twice
from people.tests.factories import MemberFactory
from programs.models import Enrollment, Program
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairing(db):
    program = ProgramFactory(running=True, name="Leadership Circle", slug="leadership-circle")
    return PairingFactory(
        active=True,
        program=program,
        mentor__person=MemberFactory(email="mira.mentor@example.com", first_name="Mira", last_name="Mentor").person,
        mentee__person=MemberFactory(email="milo.mentee@example.com", first_name="Milo", last_name="Mentee").person,
    )


@pytest.fixture
def goal(pairing):
    return services.goal_create(enrollment=pairing.mentee, user=pairing.mentee.person.user, title="Own the roadmap")


def test_a_double_clicked_goal_is_created_once(client, pairing):
    client.force_login(pairing.mentee.person.user)
    url = f"/programs/enrollments/{pairing.mentee_id}/goals/new/"
    data = {"title": "Present at the all-hands", "milestones": "Pick a topic\nDry run", "target_date": ""}
    first, second = post_twice(client, url, data, form_token(client, url, "goal-form"))
    goal = Goal.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == f"/programs/goals/{goal.pk}/"
    assert goal.milestones.count() == 2


def test_a_double_clicked_milestone_and_comment_are_added_once(client, goal, pairing):
    client.force_login(pairing.mentee.person.user)
    url = f"/programs/goals/{goal.pk}/"
    post_twice(client, f"{url}milestones/", {"title": "Draft"}, form_token(client, url, "milestone-form"))
    assert Milestone.objects.filter(goal=goal).count() == 1

    client.force_login(pairing.mentor.person.user)
    first, second = post_twice(
        client, f"{url}comments/", {"body": "Start with the review"}, form_token(client, url, "comment-form")
    )
    assert first.url == second.url
    assert GoalComment.objects.count() == 1


def test_a_double_clicked_invitation_invites_once(hr_client, alice, bob, django_capture_on_commit_callbacks):
    program = ProgramFactory(name="Leadership Circle", status=Program.Status.ENROLLING)
    url = reverse("programs:participant_invite", args=[program.slug])
    data = {"people": [alice.person.pk, bob.person.pk], "message": "You'd be great at this."}
    with django_capture_on_commit_callbacks(execute=True):
        first, second = post_twice(hr_client, url, data, form_token(hr_client, url, "invite-form"))
    assert first.status_code == second.status_code == 302
    assert Enrollment.objects.filter(program=program).count() == 2
    assert Notification.objects.filter(kind="program_invitation").count() == 2
    page = hr_client.get(second.url).content.decode()
    assert "You sent this form twice: it was handled once." in page
