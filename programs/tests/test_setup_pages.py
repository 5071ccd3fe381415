"""The HR program pages and the owner's read-only view: who may open them, what they show,
and that their query count does not grow with the data."""

import datetime

import pytest
from django.urls import reverse

from people.tests.factories import UserFactory
from programs.models import Enrollment, Program, Role
from programs.tests.factories import (
    EnrollmentFactory,
    GoalTemplateFactory,
    ProgramFactory,
    ProgramQuestionFactory,
    TrainingModuleFactory,
)

pytestmark = pytest.mark.django_db

HR_PAGES = [
    "programs:program_detail",
    "programs:program_edit",
    "programs:program_status",
    "programs:program_clone",
    "programs:program_question_list",
    "programs:program_question_create",
    "programs:training_module_list",
    "programs:training_module_create",
    "programs:training_completion",
    "programs:goal_template_list",
    "programs:goal_template_create",
]


@pytest.fixture
def program(owner):
    program = ProgramFactory(name="Leadership Circle", slug="leadership-circle")
    program.owners.add(owner)
    return program


@pytest.fixture
def participant(program, bob):
    EnrollmentFactory(program=program, person=bob.person, role=Role.MENTEE)
    return bob


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


# --- Who may open what ------------------------------------------------------------------


@pytest.mark.parametrize("name", HR_PAGES)
def test_hr_admin_opens_every_setup_page(hr_client, program, name):
    response = hr_client.get(reverse(name, kwargs={"slug": program.slug}))
    assert response.status_code == 200
    assert "Leadership Circle" in response.content.decode()


@pytest.mark.parametrize("name", HR_PAGES)
def test_owner_participant_and_employee_get_403_on_setup_pages(client, program, owner, participant, alice, name):
    url = reverse(name, kwargs={"slug": program.slug})
    for user in (owner, participant, alice):
        assert get(client, user, url).status_code == 403, user


@pytest.mark.parametrize("name", ["programs:program_list", "programs:program_create"])
def test_only_hr_opens_the_program_list_and_new_program(client, program, owner, participant, alice, hr_admin, name):
    for user in (owner, participant, alice):
        assert get(client, user, reverse(name)).status_code == 403
    assert get(client, hr_admin, reverse(name)).status_code == 200


@pytest.mark.parametrize(
    ("factory", "prefix"),
    [
        (ProgramQuestionFactory, "program_question"),
        (TrainingModuleFactory, "training_module"),
        (GoalTemplateFactory, "goal_template"),
    ],
)
def test_only_hr_may_edit_move_or_delete_setup_items(client, program, owner, participant, factory, prefix):
    item = factory(program=program)
    for user in (owner, participant):
        client.force_login(user)
        for action in ("edit", "move", "delete"):
            url = reverse(f"programs:{prefix}_{action}", kwargs={"slug": program.slug, "pk": item.pk})
            assert client.post(url, {"direction": "up"}).status_code == 403
    assert type(item).objects.filter(pk=item.pk).exists()


def test_unknown_program_is_404_for_hr(hr_client):
    assert hr_client.get(reverse("programs:program_detail", kwargs={"slug": "nope"})).status_code == 404


def test_owner_sees_their_program_read_only(client, program, owner):
    response = get(client, owner, reverse("programs:owned_program_detail", kwargs={"slug": program.slug}))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="page-title">Leadership Circle<' in page
    assert "Manage as HR" not in page
    assert 'data-testid="owner-note"' in page
    assert reverse("programs:program_edit", kwargs={"slug": program.slug}) not in page
    assert 'data-testid="next-steps"' not in page


def test_owner_of_another_program_participant_and_employee_get_404_on_the_owner_view(
    client, program, participant, alice
):
    other_owner = UserFactory(email="other.owner@example.com")
    ProgramFactory(name="Other").owners.add(other_owner)
    url = reverse("programs:owned_program_detail", kwargs={"slug": program.slug})
    for user in (other_owner, participant, alice):
        assert get(client, user, url).status_code == 404, user


def test_hr_admin_may_open_the_owner_view_of_any_program(hr_client, program):
    response = hr_client.get(reverse("programs:owned_program_detail", kwargs={"slug": program.slug}))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="page-title">Leadership Circle<' in page
    # The read-only view, with the way back to the HR pages (the owner has no such link).
    assert 'data-testid="owner-note"' in page
    assert f'href="{reverse("programs:program_detail", kwargs={"slug": program.slug})}">Manage as HR<' in page


def test_owner_list_shows_only_their_programs(client, program, owner, bob):
    ProgramFactory(name="Someone Else's Program").owners.add(bob)
    page = get(client, owner, reverse("programs:owned_program_list")).content.decode()
    assert "Leadership Circle" in page
    assert "Someone Else" not in page


def test_owner_list_is_403_for_people_who_own_nothing(client, participant, alice):
    for user in (participant, alice):
        assert get(client, user, reverse("programs:owned_program_list")).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client, program):
    response = client.get(reverse("programs:program_detail", kwargs={"slug": program.slug}))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- What the pages show ----------------------------------------------------------------


def test_program_list_counts_enrollments_by_role_and_status(hr_client, program):
    EnrollmentFactory.create_batch(2, program=program, role=Role.MENTOR)
    EnrollmentFactory.create_batch(3, program=program, role=Role.MENTEE)
    EnrollmentFactory(program=program, role=Role.MENTEE, status=Enrollment.Status.WAITLISTED)
    EnrollmentFactory.create_batch(4, program=program, role=Role.MENTEE, status=Enrollment.Status.APPLIED)
    response = hr_client.get(reverse("programs:program_list"))
    row = response.context["page"].object_list[0]
    assert (row.mentors_approved, row.mentees_approved, row.mentees_waitlisted) == (2, 3, 1)
    assert row.applications_waiting == 4
    page = response.content.decode()
    assert 'data-testid="new-program"' in page
    assert reverse("programs:program_detail", kwargs={"slug": program.slug}) in page


def test_program_list_filters_by_status(hr_client, program):
    ProgramFactory(name="Old Cohort", status=Program.Status.CLOSED)
    page = hr_client.get(reverse("programs:program_list") + "?status=closed").content.decode()
    assert "Old Cohort" in page and "Leadership Circle" not in page
    # An unknown status is ignored rather than an error.
    assert hr_client.get(reverse("programs:program_list") + "?status=bogus").status_code == 200


def test_program_list_empty_state_invites_to_create(hr_client):
    page = hr_client.get(reverse("programs:program_list")).content.decode()
    assert 'data-testid="empty-state"' in page
    assert "Create your first program" in page


def test_detail_shows_counts_and_training_completion(hr_client, program):
    mentor = EnrollmentFactory(program=program, role=Role.MENTOR)
    mentee = EnrollmentFactory(program=program, role=Role.MENTEE)
    EnrollmentFactory(program=program, role=Role.MENTEE, status=Enrollment.Status.APPLIED)
    module = TrainingModuleFactory(program=program)  # for both roles, required
    optional = TrainingModuleFactory(program=program, required=False)
    mentor.training_completions.create(module=module)
    mentee.training_completions.create(module=optional)  # optional modules don't count
    response = hr_client.get(reverse("programs:program_detail", kwargs={"slug": program.slug}))
    assert response.context["counts"].approved_mentors == 1
    assert response.context["counts"].get(Role.MENTEE, Enrollment.Status.APPLIED) == 1
    assert response.context["training"].percent == 50
    page = response.content.decode()
    assert '<div class="stat-value" data-testid="stat-training">50%</div>' in page
    assert "1 application waits for approval" in page
    assert mentee.person.full_name not in page  # the overview shows numbers, not people


def test_next_steps_for_a_fresh_draft(hr_client):
    program = ProgramFactory(status=Program.Status.DRAFT, mentor_expectations="", allow_mentees=False)
    response = hr_client.get(reverse("programs:program_detail", kwargs={"slug": program.slug}))
    steps = {step.testid: step for step in response.context["steps"]}
    assert not steps["step-charters"].done
    assert steps["step-roles"].done  # mentors may still enrol
    assert not steps["step-training"].done
    assert "step-open-enrollment" in steps
    assert "Add training modules" in response.content.decode()


def test_next_steps_once_enrolling_with_setup_done(hr_client, program, owner):
    TrainingModuleFactory(program=program)
    GoalTemplateFactory(program=program)
    ProgramQuestionFactory(program=program)
    EnrollmentFactory(program=program, role=Role.MENTOR)
    EnrollmentFactory(program=program, role=Role.MENTEE)
    response = hr_client.get(reverse("programs:program_detail", kwargs={"slug": program.slug}))
    steps = {step.testid: step for step in response.context["steps"]}
    assert all(steps[key].done for key in ("step-charters", "step-training", "step-questions", "step-owners"))
    assert steps["step-approved"].done
    assert "step-start-matching" in steps
    assert "step-approve" not in steps  # nothing waits


def test_closed_program_suggests_cloning(hr_client):
    program = ProgramFactory(status=Program.Status.CLOSED)
    response = hr_client.get(reverse("programs:program_detail", kwargs={"slug": program.slug}))
    assert [step.testid for step in response.context["steps"]] == ["step-clone"]


def test_navigation_points_to_the_program_pages(client, hr_admin, owner, program):
    page = get(client, hr_admin, reverse("home")).content.decode()
    assert f'href="{reverse("programs:program_list")}" data-testid="nav-hr"' in page
    assert reverse("programs:program_detail", kwargs={"slug": program.slug}) in page
    page = get(client, owner, reverse("home")).content.decode()
    assert f'href="{reverse("programs:owned_program_list")}" data-testid="nav-owner"' in page
    assert reverse("programs:owned_program_detail", kwargs={"slug": program.slug}) in page


# --- Query counts at two sizes ----------------------------------------------------------


def populate(program, size):
    """``size`` mentors and mentees (some waiting), modules, questions, templates and completions."""
    modules = [TrainingModuleFactory(program=program) for _ in range(size)]
    for i in range(size):
        mentor = EnrollmentFactory(program=program, role=Role.MENTOR)
        EnrollmentFactory(program=program, role=Role.MENTEE)
        EnrollmentFactory(program=program, role=Role.MENTEE, status=Enrollment.Status.APPLIED)
        mentor.training_completions.create(module=modules[i])
        ProgramQuestionFactory(program=program, audience=Role.MENTOR if i % 2 else Role.MENTEE)
        GoalTemplateFactory(program=program)
    for i in range(size):
        extra = ProgramFactory(name=f"Extra {size}-{i}", start_date=datetime.date(2027, 1, 1) + datetime.timedelta(i))
        extra.owners.add(*program.owners.all())
        EnrollmentFactory(program=extra)


PAGES_WITH_QUERIES = [
    # (url name, takes slug, who, queries)
    ("programs:program_list", False, "hr", 10),
    ("programs:program_detail", True, "hr", 15),
    ("programs:owned_program_list", False, "owner", 10),
    ("programs:owned_program_detail", True, "owner", 12),
]


@pytest.mark.parametrize("size", [1, 6])
@pytest.mark.parametrize(("name", "with_slug", "who", "queries"), PAGES_WITH_QUERIES)
def test_page_query_count_does_not_grow(
    client, hr_admin, owner, program, django_assert_num_queries, size, name, with_slug, who, queries
):
    populate(program, size)
    client.force_login(hr_admin if who == "hr" else owner)
    url = reverse(name, kwargs={"slug": program.slug}) if with_slug else reverse(name)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
