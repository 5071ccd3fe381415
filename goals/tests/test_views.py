"""Goal pages: the mentee sets and tracks goals, the mentor reads and comments, nobody else sees them."""

from datetime import timedelta

import pytest

from goals import services
from goals.models import Goal, GoalComment, Milestone
from matching.tests.factories import PairingFactory
from people.tests.factories import MemberFactory
from programs.tests.factories import EnrollmentFactory, GoalTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(pairing, mentee):
    return services.goal_create(
        enrollment=pairing.mentee, user=mentee, title="Own the roadmap", milestones=["Draft", "Review", "Ship"]
    )


@pytest.fixture
def outsider(program):
    user = MemberFactory(email="olga.outsider@example.com", first_name="Olga", last_name="Outsider")
    PairingFactory(
        active=True,
        program=program,
        mentor__person=user.person,
        mentee__person=MemberFactory(email="pat@example.com", first_name="Pat", last_name="Partner").person,
    )
    return user


def goal_data(**overrides):
    return {
        "title": "Present at the all-hands",
        "description": "Visibility",
        "success_measure": "Talk given",
        "target_date": "",
        "milestones": "Pick a topic\nDry run\nGive the talk",
        "progress_from_milestones": "on",
        **overrides,
    }


def test_mentee_sets_an_own_goal(client, pairing, mentee, program):
    client.force_login(mentee)
    target = (program.start_date + timedelta(days=60)).isoformat()
    response = client.post(f"/programs/enrollments/{pairing.mentee_id}/goals/new/", goal_data(target_date=target))
    goal = Goal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/programs/goals/{goal.pk}/"
    assert goal.milestones.count() == 3 and goal.progress_from_milestones
    assert str(goal.target_date) == target


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"target_date": "BEFORE"}, "target_date", "before the program starts"),
        ({"target_date": "2027-13-45"}, "target_date", "Enter a valid date."),
        ({"title": ""}, "title", "required"),
        ({"title": "x" * 201}, "title", "at most 200"),
        ({"milestones": "\n".join(f"Step {i}" for i in range(21))}, "milestones", "at most 20"),
    ],
)
def test_bad_goal_input_is_a_form_error_and_nothing_is_saved(
    client, pairing, mentee, program, overrides, field, message
):
    if overrides.get("target_date") == "BEFORE":
        overrides = {"target_date": (program.start_date - timedelta(days=1)).isoformat()}
    client.force_login(mentee)
    response = client.post(f"/programs/enrollments/{pairing.mentee_id}/goals/new/", goal_data(**overrides))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not Goal.objects.exists()


def test_adopt_a_template_from_the_goal_list(client, program, pairing, mentee):
    template = GoalTemplateFactory(program=program, title="Mentor an intern", suggested_milestones=["Find one"])
    client.force_login(mentee)
    page = client.get(f"/programs/enrollments/{pairing.mentee_id}/goals/").content.decode()
    assert "Mentor an intern" in page and 'data-testid="goal-templates"' in page
    response = client.post(f"/programs/enrollments/{pairing.mentee_id}/goals/adopt/{template.pk}/", {})
    goal = Goal.objects.get()
    assert response["Location"] == f"/programs/goals/{goal.pk}/"
    assert goal.template == template and goal.milestones.get().title == "Find one"
    # Adopted templates are no longer offered; adopting twice is refused.
    assert (
        "Mentor an intern</h3>" not in client.get(f"/programs/enrollments/{pairing.mentee_id}/goals/").content.decode()
    )
    client.post(f"/programs/enrollments/{pairing.mentee_id}/goals/adopt/{template.pk}/", {})
    assert Goal.objects.count() == 1


def test_adopt_with_a_target_date_before_the_start_is_refused(client, program, pairing, mentee):
    template = GoalTemplateFactory(program=program)
    client.force_login(mentee)
    early = (program.start_date - timedelta(days=3)).isoformat()
    response = client.post(
        f"/programs/enrollments/{pairing.mentee_id}/goals/adopt/{template.pk}/", {"target_date": early}, follow=True
    )
    assert "before the program starts" in response.content.decode()
    assert not Goal.objects.exists()


def test_mentee_updates_progress_status_and_milestones(client, goal, mentee):
    client.force_login(mentee)
    milestone = goal.milestones.first()
    client.post(f"/programs/goals/{goal.pk}/milestones/{milestone.pk}/toggle/", {"done": "1"})
    client.post(f"/programs/goals/{goal.pk}/milestones/", {"title": "Celebrate", "due_date": ""})
    goal.refresh_from_db()
    assert goal.progress == 25 and goal.milestones.count() == 4
    client.post(f"/programs/goals/{goal.pk}/progress/", {"status": "achieved"})
    goal.refresh_from_db()
    assert goal.status == "achieved"
    html = client.get(f"/programs/goals/{goal.pk}/").content.decode()
    assert "Progress changed from 0% to 33%" in html and "Milestone added: Celebrate" in html


def test_manual_progress_out_of_range_is_a_form_error(client, pairing, mentee):
    goal = services.goal_create(enrollment=pairing.mentee, user=mentee, title="Manual")
    client.force_login(mentee)
    for bad in ("150", "-5", "lots"):
        response = client.post(f"/programs/goals/{goal.pk}/progress/", {"progress": bad, "status": "in_progress"})
        assert response.status_code == 200 and response.context["progress_form"].errors["progress"]
    response = client.post(f"/programs/goals/{goal.pk}/progress/", {"progress": "30", "status": "bogus"})
    assert response.context["progress_form"].errors["status"]
    goal.refresh_from_db()
    assert (goal.progress, goal.status) == (0, "not_started")


def test_bad_milestone_and_comment_input_is_a_form_error(client, program, goal, mentee):
    client.force_login(mentee)
    response = client.post(f"/programs/goals/{goal.pk}/milestones/", {"title": ""})
    assert response.status_code == 200 and response.context["milestone_form"].errors["title"]
    early = (program.start_date - timedelta(days=1)).isoformat()
    response = client.post(f"/programs/goals/{goal.pk}/milestones/", {"title": "Early", "due_date": early})
    assert "before the program starts" in response.context["milestone_form"].errors["due_date"][0]
    response = client.post(f"/programs/goals/{goal.pk}/comments/", {"body": ""})
    assert response.status_code == 200 and response.context["comment_form"].errors["body"]
    assert goal.milestones.count() == 3 and not GoalComment.objects.exists()


def test_mentor_reads_and_comments_but_does_not_edit(client, goal, mentor, mentee):
    client.force_login(mentor)
    html = client.get(f"/programs/goals/{goal.pk}/").content.decode()
    assert (
        "Own the roadmap" in html and 'data-testid="comment-form"' in html and 'data-testid="progress-form"' not in html
    )
    response = client.post(f"/programs/goals/{goal.pk}/comments/", {"body": "Start with the review"})
    assert response.status_code == 302 and "#comment-" in response["Location"]
    assert client.get(f"/programs/goals/{goal.pk}/edit/").status_code == 404
    assert client.post(f"/programs/goals/{goal.pk}/progress/", {"status": "dropped"}).status_code == 404
    milestone = goal.milestones.first()
    assert client.post(f"/programs/goals/{goal.pk}/milestones/{milestone.pk}/toggle/", {"done": "1"}).status_code == 404
    goal.refresh_from_db()
    assert goal.status == "not_started"
    assert not Milestone.objects.filter(done_at__isnull=False).exists()
    client.force_login(mentee)
    assert "Start with the review" in client.get(f"/programs/goals/{goal.pk}/").content.decode()


def test_history_by_a_deleted_account_says_someone_who_has_left(client, goal, mentor, mentee):
    services.goal_comment_add(goal=goal, user=mentor, body="Start with the review")
    mentor.delete()  # the account is gone; its history stays with no actor

    client.force_login(mentee)
    response = client.get(f"/programs/goals/{goal.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "someone who has left" in html and "Start with the review" in html
    # The mentee's own events still carry her name.
    assert "Milo Mentee" in html


@pytest.mark.parametrize("who", ["outsider", "hr_admin", "owner"])
def test_nobody_else_sees_a_goal(client, program, goal, pairing, who, request):
    user = request.getfixturevalue(who)
    program.owners.add(request.getfixturevalue("owner"))
    client.force_login(user)
    for url in (
        f"/programs/goals/{goal.pk}/",
        f"/programs/goals/{goal.pk}/edit/",
        f"/programs/enrollments/{pairing.mentee_id}/goals/",
        f"/programs/enrollments/{pairing.mentee_id}/goals/new/",
    ):
        assert client.get(url).status_code == 404, url
    template = GoalTemplateFactory(program=program)
    milestone = goal.milestones.first()
    for url, data in (
        (f"/programs/goals/{goal.pk}/comments/", {"body": "Hi"}),
        (f"/programs/goals/{goal.pk}/progress/", {"status": "dropped"}),
        (f"/programs/goals/{goal.pk}/milestones/", {"title": "Mine"}),
        (f"/programs/goals/{goal.pk}/milestones/{milestone.pk}/toggle/", {"done": "1"}),
        (f"/programs/goals/{goal.pk}/edit/", {"title": "Hijacked"}),
        (f"/programs/enrollments/{pairing.mentee_id}/goals/new/", {"title": "Planted"}),
        (f"/programs/enrollments/{pairing.mentee_id}/goals/adopt/{template.pk}/", {}),
    ):
        assert client.post(url, data).status_code == 404, url
    goal.refresh_from_db()
    assert not GoalComment.objects.exists() and goal.status == "not_started" and goal.title == "Own the roadmap"
    assert Goal.objects.count() == 1 and goal.milestones.count() == 3


def test_edit_a_goal_and_its_bad_input(client, program, goal, mentee):
    client.force_login(mentee)
    data = {"title": "Own the product roadmap", "description": "", "success_measure": "", "target_date": ""}
    assert client.post(f"/programs/goals/{goal.pk}/edit/", data).status_code == 302
    goal.refresh_from_db()
    assert goal.title == "Own the product roadmap" and not goal.progress_from_milestones
    early = (program.start_date - timedelta(days=1)).isoformat()
    response = client.post(f"/programs/goals/{goal.pk}/edit/", {**data, "target_date": early})
    assert response.status_code == 200 and response.context["form"].errors["target_date"]


def test_the_new_mentor_sees_the_goals_after_a_rematch(client, program, goal, pairing, mentor):
    from matching.models import Pairing

    Pairing.objects.filter(pk=pairing.pk).update(status=Pairing.Status.ENDED)
    new_mentor = MemberFactory(email="nora@example.com", first_name="Nora", last_name="New")
    new = Pairing.objects.create(
        program=program,
        mentor=EnrollmentFactory(program=program, person=new_mentor.person, role="mentor"),
        mentee=pairing.mentee,
        status="active",
    )
    client.force_login(new_mentor)
    assert "Own the roadmap" in client.get(f"/mentoring/pairings/{new.pk}/").content.decode()
    assert client.get(f"/programs/goals/{goal.pk}/").status_code == 200
    client.force_login(mentor)
    assert client.get(f"/programs/goals/{goal.pk}/").status_code == 404


@pytest.mark.parametrize("viewer", ["mentee", "mentor"])
def test_goal_pages_query_counts_do_not_grow(count_queries, client, pairing, goal, viewer, request, program):
    user = request.getfixturevalue(viewer)
    client.force_login(user)
    urls = [f"/programs/goals/{goal.pk}/", f"/programs/enrollments/{pairing.mentee_id}/goals/"]
    if viewer == "mentee":
        urls += [f"/programs/goals/{goal.pk}/edit/", f"/programs/enrollments/{pairing.mentee_id}/goals/new/"]
    few = [count_queries(client, url) for url in urls]
    mentee = request.getfixturevalue("mentee")
    for i in range(8):
        services.milestone_add(goal=goal, user=mentee, title=f"Extra {i}")
        services.goal_comment_add(goal=goal, user=mentee, body=f"Note {i}")
        services.goal_create(enrollment=pairing.mentee, user=mentee, title=f"Goal {i}", milestones=["a", "b"])
        GoalTemplateFactory(program=program, title=f"Template {i}")
    assert [count_queries(client, url) for url in urls] == few
