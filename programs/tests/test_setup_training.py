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


@pytest.mark.parametrize("size", [2, 60])
def test_completion_matrix_query_count_does_not_grow(client, hr_admin, program, django_assert_num_queries, size):
    modules = [TrainingModuleFactory(program=program) for _ in range(4)]
    for i in range(size):
        enrollment = EnrollmentFactory(program=program, role=Role.MENTOR if i % 2 else Role.MENTEE)
        TrainingCompletion.objects.create(enrollment=enrollment, module=modules[i % 4])
    client.force_login(hr_admin)
    with django_assert_num_queries(12):
        response = client.get(url("training_completion", program))
    # One page at a time: 50 rows at most, whatever the size of the program.
    assert response.content.decode().count('data-testid="completion-row"') == min(size, 50)
    assert [done for _module, done in response.context["modules"]] == [len(range(k, size, 4)) for k in range(4)]


def _completion_cohort(program):
    intro = TrainingModuleFactory(program=program, title="Intro", audience=Audience.BOTH)
    coaching = TrainingModuleFactory(program=program, title="Coaching", audience=Audience.MENTORS)
    optional = TrainingModuleFactory(program=program, title="Extra reading", required=False)
    people = {}
    for first, last, role, done in [
        ("Ada", "Lovelace", Role.MENTOR, [intro, coaching]),
        ("Alan", "Turing", Role.MENTOR, [intro]),
        ("Grace", "Hopper", Role.MENTEE, [intro, optional]),
        ("Edsger", "Dijkstra", Role.MENTEE, []),
    ]:
        enrollment = EnrollmentFactory(
            program=program,
            role=role,
            person__first_name=first,
            person__last_name=last,
            person__email=f"{first.lower()}@example.com",
        )
        for module in done:
            TrainingCompletion.objects.create(enrollment=enrollment, module=module)
        people[first] = enrollment
    return intro, coaching, optional, people


def _names(response):
    assert response.status_code == 200
    return [row["enrollment"].person.first_name for row in response.context["rows"]]


def test_completion_page_searches_and_filters_by_role_and_what_is_not_completed(hr_client, program):
    intro, coaching, optional, _people = _completion_cohort(program)
    page = url("training_completion", program)
    assert _names(hr_client.get(page)) == ["Edsger", "Grace", "Ada", "Alan"]  # mentees, then mentors
    assert _names(hr_client.get(page, {"q": "turing"})) == ["Alan"]
    assert _names(hr_client.get(page, {"q": "grace@example"})) == ["Grace"]
    assert _names(hr_client.get(page, {"q": "a lovelace"})) == ["Ada"]  # every word must match
    assert _names(hr_client.get(page, {"role": "mentee"})) == ["Edsger", "Grace"]
    assert _names(hr_client.get(page, {"missing": "required"})) == ["Edsger", "Alan"]
    assert _names(hr_client.get(page, {"missing": str(intro.pk)})) == ["Edsger"]
    assert _names(hr_client.get(page, {"missing": str(coaching.pk)})) == ["Alan"]  # mentors only
    assert _names(hr_client.get(page, {"missing": str(optional.pk), "role": "mentee"})) == ["Edsger"]
    empty = hr_client.get(page, {"q": "nobody-by-that-name"})
    assert "Nobody matches these filters" in empty.content.decode()
    # "Completed by" counts the whole program, not the filtered page.
    filtered = hr_client.get(page, {"role": "mentee"})
    assert [done for _module, done in filtered.context["modules"]] == [3, 1, 1]


def test_completion_page_pages_through_participants_and_keeps_the_filters(hr_client, program):
    TrainingModuleFactory(program=program)
    for i in range(55):
        EnrollmentFactory(program=program, person__last_name=f"Person{i:02d}")
    EnrollmentFactory(program=program, role=Role.MENTOR, person__last_name="Mentor")
    first = hr_client.get(url("training_completion", program), {"role": "mentee"})
    html = first.content.decode()
    assert html.count('data-testid="completion-row"') == 50
    assert "Page 1 of 2 · 55 people" in html
    assert "?role=mentee&amp;page=2" in html
    second = hr_client.get(url("training_completion", program), {"role": "mentee", "page": "2"})
    assert second.content.decode().count('data-testid="completion-row"') == 5
    assert "Mentor" not in _names(second)


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "99999"},
        {"page": "-1"},
        {"role": "admin"},
        {"missing": "999999"},
        {"missing": "abc"},
        {"missing": "99999999999999999999999"},
        {"q": "x" * 500},
        {"q": "%' OR 1=1 --"},
    ],
)
def test_completion_page_ignores_bad_parameters(hr_client, program, query):
    _completion_cohort(program)
    response = hr_client.get(url("training_completion", program), query)
    assert response.status_code == 200
    names = _names(response)
    if query.get("q", "").startswith("%"):
        assert names == []  # searched for, literally
    else:
        assert len(names) == 4  # the bad value is ignored: a page, no filter


def test_completion_page_of_an_unknown_program_is_a_404(hr_client):
    assert hr_client.get(reverse("programs:training_completion", kwargs={"slug": "nope"})).status_code == 404


@pytest.mark.parametrize("size", [2, 10])
def test_training_list_query_count_does_not_grow(client, hr_admin, program, django_assert_num_queries, size):
    for _ in range(size):
        module = TrainingModuleFactory(program=program)
        TrainingCompletion.objects.create(enrollment=EnrollmentFactory(program=program), module=module)
    client.force_login(hr_admin)
    with django_assert_num_queries(9):
        response = client.get(url("training_module_list", program))
    assert response.content.decode().count('data-testid="module-card"') == size
