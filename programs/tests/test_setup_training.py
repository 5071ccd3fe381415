"""Training modules: safe Markdown, HR's CRUD and ordering, and the completion matrix."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from programs.markdown import markdown_render
from programs.models import Enrollment, Program, Role, TrainingCompletion, TrainingModule
from programs.tests.factories import EnrollmentFactory, ProgramFactory, TrainingModuleFactory

pytestmark = pytest.mark.django_db
Audience = TrainingModule.Audience


@pytest.fixture
def program():
    return ProgramFactory(slug="leadership-circle", status=Program.Status.RUNNING)


def url(name, program, **kwargs):
    return reverse(f"programs:{name}", kwargs={"slug": program.slug, **kwargs})


def module_data(**overrides):
    data = {"title": "How to be a great mentor", "body": "Listen **first**.", "url": "", "audience": "both"}
    data.update(overrides)
    return data


# --- Safe Markdown ----------------------------------------------------------------------


def test_markdown_is_rendered():
    html = markdown_render("## Listen\n\n- ask *open* questions\n- [guide](https://example.com/guide)")
    assert "<h2>Listen</h2>" in html
    assert "<em>open</em>" in html
    assert '<a href="https://example.com/guide" rel="noopener noreferrer">guide</a>' in html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert('x')</script>",
        "[click me](javascript:alert('x'))",
        '<a href="javascript:alert(1)">click me</a>',
        '<img src="x.png" onerror="alert(1)">',
        '<p onclick="alert(1)">hi</p>',
        "<iframe src='https://evil.example'></iframe>",
        "<style>body{display:none}</style>",
    ],
)
def test_markdown_strips_scripts_handlers_and_javascript_links(attack):
    html = markdown_render(f"Welcome!\n\n{attack}")
    assert "Welcome!" in html
    for dangerous in ("<script", "javascript:", "onerror", "onclick", "<iframe", "<style", "alert"):
        assert dangerous not in html.lower()


def test_markdown_template_filter():
    rendered = Template("{% load programs_tags %}{{ body|markdown }}").render(
        Context({"body": "**bold** <script>x()</script>"})
    )
    assert rendered == "<p><strong>bold</strong> </p>"


# --- HR manages modules ------------------------------------------------------------------


def test_hr_adds_a_module_and_sees_it_rendered_safely(hr_client, program):
    response = hr_client.post(
        url("training_module_create", program),
        module_data(body="Listen **first**.\n\n<script>steal()</script>", audience="mentors", required="on"),
    )
    assert response.status_code == 302
    module = program.training_modules.get()
    assert (module.audience, module.required) == (Audience.MENTORS, True)
    page = hr_client.get(url("training_module_list", program)).content.decode()
    assert "Listen <strong>first</strong>." in page
    assert "steal()" not in page


def test_a_module_may_be_just_a_link(hr_client, program):
    hr_client.post(url("training_module_create", program), module_data(body="", url="https://learn.example.com/x"))
    assert program.training_modules.get().url == "https://learn.example.com/x"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"body": "  ", "url": ""}, "Write the module&#x27;s content or give a link to it"),
        ({"title": ""}, "This field is required."),
        ({"url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"audience": "managers"}, "Select a valid choice"),
    ],
)
def test_bad_module_shows_an_error_and_saves_nothing(hr_client, program, overrides, message):
    response = hr_client.post(url("training_module_create", program), module_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not program.training_modules.exists()


def test_hr_edits_and_reorders_modules(hr_client, program):
    first, second = TrainingModuleFactory(program=program), TrainingModuleFactory(program=program)
    hr_client.post(url("training_module_edit", program, pk=first.pk), module_data(title="Renamed", audience="mentees"))
    first.refresh_from_db()
    assert (first.title, first.audience, first.required) == ("Renamed", Audience.MENTEES, False)
    hr_client.post(url("training_module_move", program, pk=second.pk), {"direction": "up"})
    assert list(program.training_modules.all()) == [second, first]


def test_deleting_a_module_warns_about_completions(hr_client, program):
    module = TrainingModuleFactory(program=program, title="Intro")
    enrollment = EnrollmentFactory(program=program)
    TrainingCompletion.objects.create(enrollment=enrollment, module=module)
    page = hr_client.get(url("training_module_delete", program, pk=module.pk)).content.decode()
    assert "The record of the 1 participant(s) who completed it is deleted too." in page
    hr_client.post(url("training_module_delete", program, pk=module.pk))
    assert not TrainingModule.objects.exists()


def test_module_of_another_program_is_404(hr_client, program):
    other = TrainingModuleFactory()
    assert hr_client.get(url("training_module_edit", program, pk=other.pk)).status_code == 404


def test_owner_cannot_manage_training(client, owner, program):
    program.owners.add(owner)
    client.force_login(owner)
    assert client.post(url("training_module_create", program), module_data()).status_code == 403
    assert client.get(url("training_completion", program)).status_code == 403
    assert not program.training_modules.exists()


# --- Completion matrix ------------------------------------------------------------------


def test_completion_matrix_marks_done_todo_and_not_for_this_role(hr_client, program):
    for_both = TrainingModuleFactory(program=program, title="Charter", audience=Audience.BOTH)
    for_mentors = TrainingModuleFactory(program=program, title="Mentoring 101", audience=Audience.MENTORS)
    mentor = EnrollmentFactory(program=program, role=Role.MENTOR, person__first_name="Maya", person__last_name="Ng")
    mentee = EnrollmentFactory(program=program, role=Role.MENTEE, person__first_name="Theo", person__last_name="Ray")
    EnrollmentFactory(program=program, status=Enrollment.Status.APPLIED, person__first_name="Pending")
    TrainingCompletion.objects.create(enrollment=mentor, module=for_mentors)
    TrainingCompletion.objects.create(enrollment=mentee, module=for_both)

    response = hr_client.get(url("training_completion", program))
    rows = {row["enrollment"].pk: row for row in response.context["rows"]}
    assert set(rows) == {mentor.pk, mentee.pk}  # approved participants only
    assert rows[mentor.pk]["cells"] == ["todo", "done"]
    assert rows[mentee.pk]["cells"] == ["done", "n/a"]
    assert (rows[mentor.pk]["required_done"], rows[mentor.pk]["required_total"]) == (1, 2)
    page = response.content.decode()
    assert "Maya Ng" in page and "Theo Ray" in page and "Pending" not in page
    assert page.count('data-cell="done"') == 2 and page.count('data-cell="todo"') == 1
    assert "✓" in page and "—" in page


def test_completion_page_explains_an_empty_matrix(hr_client, program):
    page = hr_client.get(url("training_completion", program)).content.decode()
    assert "This program has no training modules yet." in page
    TrainingModuleFactory(program=program)
    page = hr_client.get(url("training_completion", program)).content.decode()
    assert "No approved participants yet" in page


@pytest.mark.parametrize("size", [2, 10])
def test_completion_matrix_query_count_does_not_grow(client, hr_admin, program, django_assert_num_queries, size):
    modules = [TrainingModuleFactory(program=program) for _ in range(size)]
    for i in range(size):
        enrollment = EnrollmentFactory(program=program, role=Role.MENTOR if i % 2 else Role.MENTEE)
        TrainingCompletion.objects.create(enrollment=enrollment, module=modules[i])
    client.force_login(hr_admin)
    with django_assert_num_queries(11):
        response = client.get(url("training_completion", program))
    assert response.content.decode().count('data-testid="completion-row"') == size


@pytest.mark.parametrize("size", [2, 10])
def test_training_list_query_count_does_not_grow(client, hr_admin, program, django_assert_num_queries, size):
    for _ in range(size):
        module = TrainingModuleFactory(program=program)
        TrainingCompletion.objects.create(enrollment=EnrollmentFactory(program=program), module=module)
    client.force_login(hr_admin)
    with django_assert_num_queries(9):
        response = client.get(url("training_module_list", program))
    assert response.content.decode().count('data-testid="module-card"') == size
