"""Goal templates HR suggests for a program."""

import pytest
from django.urls import reverse

from programs.models import GoalTemplate, Objective
from programs.tests.factories import GoalTemplateFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return ProgramFactory(slug="leadership-circle")


def url(name, program, **kwargs):
    return reverse(f"programs:{name}", kwargs={"slug": program.slug, **kwargs})


def template_data(**overrides):
    data = {
        "title": "Lead a cross-team project",
        "description": "Own something visible from start to finish.",
        "objective": "leadership",
        "suggested_milestones": "Pick a project\r\n\r\n  Agree the scope  \r\nDeliver",
    }
    data.update(overrides)
    return data


def test_hr_adds_a_goal_template_with_milestones_one_per_line(hr_client, program):
    response = hr_client.post(url("goal_template_create", program), template_data())
    assert response.status_code == 302
    template = program.goal_templates.get()
    assert template.suggested_milestones == ["Pick a project", "Agree the scope", "Deliver"]
    assert template.objective == Objective.LEADERSHIP
    page = hr_client.get(url("goal_template_list", program)).content.decode()
    assert "Lead a cross-team project" in page and "<li>Agree the scope</li>" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": " "}, "This field is required."),
        ({"objective": "world_peace"}, "Select a valid choice"),
        ({"suggested_milestones": "x" * 201}, "Keep each milestone under 200 characters"),
    ],
)
def test_bad_goal_template_shows_an_error_and_saves_nothing(hr_client, program, overrides, message):
    response = hr_client.post(url("goal_template_create", program), template_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not GoalTemplate.objects.exists()


def test_hr_edits_a_goal_template(hr_client, program):
    template = GoalTemplateFactory(program=program)
    page = hr_client.get(url("goal_template_edit", program, pk=template.pk)).content.decode()
    assert "Pick a project\nWrite the plan\nDeliver</textarea>" in page
    hr_client.post(
        url("goal_template_edit", program, pk=template.pk),
        template_data(title="Grow a team", objective="", suggested_milestones=""),
    )
    template.refresh_from_db()
    assert (template.title, template.objective, template.suggested_milestones) == ("Grow a team", "", [])


def test_hr_deletes_and_reorders_goal_templates(hr_client, program):
    first, second, third = (GoalTemplateFactory(program=program, title=t) for t in ("A", "B", "C"))
    hr_client.post(url("goal_template_move", program, pk=first.pk), {"direction": "down"})
    assert list(program.goal_templates.all()) == [second, first, third]
    hr_client.post(url("goal_template_delete", program, pk=second.pk))
    assert list(program.goal_templates.all()) == [first, third]


def test_goal_template_of_another_program_is_404(hr_client, program):
    other = GoalTemplateFactory()
    assert hr_client.post(url("goal_template_edit", program, pk=other.pk), template_data()).status_code == 404
    assert hr_client.post(url("goal_template_delete", program, pk=other.pk)).status_code == 404
    assert GoalTemplate.objects.filter(pk=other.pk).exists()


def test_owner_and_participant_cannot_manage_goal_templates(client, program, owner, alice):
    program.owners.add(owner)
    for user in (owner, alice):
        client.force_login(user)
        assert client.post(url("goal_template_create", program), template_data()).status_code == 403
    assert not GoalTemplate.objects.exists()


def test_empty_goal_template_list_suggests_a_first_one(hr_client, program):
    page = hr_client.get(url("goal_template_list", program)).content.decode()
    assert 'data-testid="empty-state"' in page


@pytest.mark.parametrize("size", [2, 12])
def test_goal_template_list_query_count_does_not_grow(client, hr_admin, program, django_assert_num_queries, size):
    GoalTemplateFactory.create_batch(size, program=program)
    client.force_login(hr_admin)
    with django_assert_num_queries(9):
        response = client.get(url("goal_template_list", program))
    assert response.content.decode().count('data-testid="goal-template-card"') == size
